"""Sign-in to the editors' desk is throttled (django-axes): five wrong passwords
lock the account and the address they came from for 15 minutes."""

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def sign_in(username, password, address="203.0.113.5", **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})
    return client, response


def fail_five_times(username, address="203.0.113.5", **headers):
    for _ in range(5):
        _, response = sign_in(username, "wrong password", address, **headers)
        assert response.status_code in (200, 429)


def is_signed_in(client):
    return client.get("/admin/").status_code == 200


class TestLockout:
    def test_four_wrong_passwords_then_the_right_one_signs_in(self, editor):
        for _ in range(4):
            _, response = sign_in(editor.username, "wrong password")
            assert response.status_code == 200 and "Please enter the correct" in (
                response.content.decode()
            )
        client, response = sign_in(editor.username, editor.raw_password)
        assert response.status_code == 302 and is_signed_in(client)

    def test_five_wrong_passwords_then_the_right_one_is_refused_with_a_clear_message(self, editor):
        fail_five_times(editor.username)
        client, response = sign_in(editor.username, editor.raw_password)
        page = response.content.decode()
        assert response.status_code == 429
        assert "Too many failed sign-ins" in page and "paused for 15 minutes" in page
        assert not is_signed_in(client)

    def test_the_account_is_locked_from_another_address_too(self, editor):
        fail_five_times(editor.username)
        client, response = sign_in(editor.username, editor.raw_password, "198.51.100.9")
        assert response.status_code == 429 and not is_signed_in(client)

    def test_the_address_is_locked_for_another_account_too(self, editor, make_editor):
        other = make_editor()
        fail_five_times(editor.username)
        client, response = sign_in(other.username, other.raw_password)
        assert response.status_code == 429 and not is_signed_in(client)

    def test_another_account_from_another_address_is_not_locked(self, editor, make_editor):
        other = make_editor()
        fail_five_times(editor.username)
        client, response = sign_in(other.username, other.raw_password, "198.51.100.9")
        assert response.status_code == 302 and is_signed_in(client)

    def test_the_lockout_ends_after_15_minutes(self, editor):
        from datetime import timedelta

        from axes.models import AccessAttempt
        from django.db.models import F

        fail_five_times(editor.username)
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
        client, response = sign_in(editor.username, editor.raw_password)
        assert response.status_code == 302 and is_signed_in(client)

    def test_each_failure_and_the_lockout_are_logged_and_kept_for_the_admin(self, editor, caplog):
        from axes.models import AccessAttempt

        with caplog.at_level(logging.WARNING, logger="axes"):
            fail_five_times(editor.username)
        messages = [r.getMessage() for r in caplog.records if r.name.startswith("axes")]
        assert sum("login failure by" in message for message in messages) == 5
        assert sum("Locking out" in message for message in messages) == 1
        attempt = AccessAttempt.objects.get()
        assert (attempt.username, attempt.ip_address) == (editor.username, "203.0.113.5")
        assert attempt.failures_since_start == 5 and "wrong password" not in attempt.post_data


class TestTheAddressIsTheReaders:
    def test_behind_a_trusted_proxy_the_forwarded_address_is_locked(
        self, editor, make_editor, settings
    ):
        settings.NEWSROOM_TRUSTED_PROXIES = 1
        other = make_editor()
        fail_five_times(editor.username, "10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
        _, response = sign_in(
            other.username, other.raw_password, "10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5"
        )
        assert response.status_code == 429
        free, response = sign_in(
            other.username, other.raw_password, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9"
        )
        assert response.status_code == 302 and is_signed_in(free)


def test_editors_signed_in_by_tests_still_reach_the_desk(client, editor):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
