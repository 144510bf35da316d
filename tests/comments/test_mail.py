"""Mail to readers is sent after the deciding transaction commits, and a failing
mail server never fails the request."""

import smtplib

import pytest
from django.core import mail
from django.db import transaction

from comments import mail as comment_mail


@pytest.fixture
def receipt_template(tmp_path, settings):
    folder = tmp_path / "comments" / "email"
    folder.mkdir(parents=True)
    (folder / "probe.txt").write_text("Your report {{ ref }}\n\nWe received report {{ ref }}.\n")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


@pytest.mark.django_db(transaction=True)
def test_mail_goes_out_only_when_the_transaction_commits(receipt_template):
    with transaction.atomic():
        comment_mail.send_after_commit("ann@example.com", "probe", {"ref": "R-000001"})
        assert mail.outbox == []
    [message] = mail.outbox
    assert (message.subject, message.to) == ("Your report R-000001", ["ann@example.com"])
    assert message.body == "We received report R-000001.\n"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_mailed_for_a_change_that_rolled_back(receipt_template):
    with pytest.raises(RuntimeError), transaction.atomic():
        comment_mail.send_after_commit("ann@example.com", "probe", {"ref": "R-1"})
        raise RuntimeError
    assert mail.outbox == []


def test_a_failing_mail_server_is_logged_not_raised(receipt_template, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(comment_mail.EmailMessage, "send", refuse)
    assert comment_mail.send_now("ann@example.com", "probe", {"ref": "R-1"}) is False
    assert "Could not mail probe (example.com)" in caplog.text
