"""Settings come from the environment; production mode fails loudly and passes --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://news.example.com",
    "NEWSROOM_SITE_URL": "https://news.example.com",
}


def manage(*args, **env):
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_SITE_URL"))
    }
    base["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", **{**PRODUCTION, "DJANGO_ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_production_refuses_to_start_without_the_site_url():
    result = manage("check", **{**PRODUCTION, "NEWSROOM_SITE_URL": ""})
    assert result.returncode != 0
    assert "NEWSROOM_SITE_URL must be set when DJANGO_DEBUG=0" in result.stderr


@pytest.mark.parametrize(
    "url", ["news.example.com", "ftp://news.example.com", "https://", "https://x.example/news"]
)
def test_a_site_url_that_is_not_a_scheme_and_host_is_a_clear_error(url):
    result = manage("check", **{**PRODUCTION, "NEWSROOM_SITE_URL": url})
    assert result.returncode != 0
    assert "NEWSROOM_SITE_URL must be a scheme and a host" in result.stderr


@pytest.mark.parametrize(
    "authority", ["news.example.com", "https://news.example.com,2026", "news.example.com,26"]
)
def test_a_feed_tag_authority_that_is_not_a_host_and_a_date_is_a_clear_error(authority):
    result = manage("check", NEWSROOM_TAG_AUTHORITY=authority)
    assert result.returncode != 0
    assert "NEWSROOM_TAG_AUTHORITY must be a host name and a date" in result.stderr


def test_production_passes_the_deploy_check_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_a_malformed_flag_is_a_clear_error():
    result = manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be" in result.stderr


def test_development_works_with_nothing_set():
    result = manage("check")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "redis_url, store", [("", "database"), ("redis://127.0.0.1:6379/0", "redis")]
)
def test_views_are_counted_in_redis_exactly_when_the_site_has_one(redis_url, store):
    show = "from django.conf import settings; print(settings.NEWSROOM_VIEW_COUNTING)"
    result = manage(
        "shell", "--no-imports", "-c", show, REDIS_URL=redis_url, NEWSROOM_VIEW_COUNTING="database"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == store


class TestEmailSettings:
    def test_an_smtp_url_gives_host_port_login_and_starttls(self):
        from newsroom.settings import email_settings

        mail = email_settings("smtp://desk%40news.example:p%3Ass@mail.example.com:587")
        assert mail["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
        assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"]) == ("mail.example.com", 587)
        assert (mail["EMAIL_HOST_USER"], mail["EMAIL_HOST_PASSWORD"]) == (
            "desk@news.example",
            "p:ss",
        )
        assert (mail["EMAIL_USE_TLS"], mail["EMAIL_USE_SSL"]) == (True, False)

    def test_smtps_uses_tls_from_the_start_on_465(self):
        from newsroom.settings import email_settings

        mail = email_settings("smtps://mail.example.com")
        assert (mail["EMAIL_PORT"], mail["EMAIL_USE_SSL"], mail["EMAIL_USE_TLS"]) == (
            465,
            True,
            False,
        )

    def test_a_malformed_email_url_stops_the_start_with_a_clear_message(self):
        result = manage("check", NEWSROOM_EMAIL_URL="mail.example.com:25")
        assert result.returncode != 0
        assert "NEWSROOM_EMAIL_URL must look like smtp://" in result.stderr
