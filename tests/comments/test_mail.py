"""Mail to readers is queued in the transaction that decided it and sent by the
``send_notifications`` command: a page never waits for a mail server, a change
that rolled back mails nothing, an email is sent once however many runs
overlap, and a failing mail server is logged, never raised, and tried again."""

import smtplib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from comments import mail as comment_mail
from comments.models import QueuedMail
from tests.comments.helpers import comment_data, sent_mail
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe_template(tmp_path, settings):
    folder = tmp_path / "comments" / "email"
    folder.mkdir(parents=True)
    (folder / "probe.txt").write_text("Your report {{ ref }}\n\nWe received report {{ ref }}.\n")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


class UnreachableBackend(locmem.EmailBackend):
    """A mail server that never answers: any use of it is recorded, and fails."""

    used = []

    def send_messages(self, messages):
        self.used.append(messages)
        raise TimeoutError("the mail server did not answer")


class HeldBackend(locmem.EmailBackend):
    """A mail server that holds each email until the test lets it through."""

    sending = threading.Event()
    go_on = threading.Event()

    def send_messages(self, messages):
        self.sending.set()
        self.go_on.wait(timeout=5)
        return super().send_messages(messages)


class RefusingBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("gone")


@pytest.fixture
def unreachable_mail_server(settings):
    UnreachableBackend.used.clear()
    settings.EMAIL_BACKEND = "tests.comments.test_mail.UnreachableBackend"
    yield UnreachableBackend.used
    UnreachableBackend.used.clear()


@pytest.fixture
def refusing_mail_server(settings):
    settings.EMAIL_BACKEND = "tests.comments.test_mail.RefusingBackend"


def queue_probe(ref="R-1", **extra):
    return comment_mail.queue("ann@example.com", "probe", {"ref": ref}, **extra)


class TestQueueing:
    def test_an_email_is_queued_rendered_and_sent_by_the_command(self, probe_template):
        queue_probe("R-000001")
        assert mail.outbox == []
        output = StringIO()
        call_command("send_notifications", stdout=output)
        [message] = mail.outbox
        assert (message.subject, message.to) == ("Your report R-000001", ["ann@example.com"])
        assert message.body == "We received report R-000001.\n"
        assert output.getvalue().startswith("Sent 1 queued email(s).\n")
        assert QueuedMail.objects.get().sent_at is not None

    def test_headers_go_with_the_email(self, probe_template):
        queue_probe(headers={"List-Unsubscribe": "<https://example.com/stop/>"})
        [message] = sent_mail()
        assert message.extra_headers == {"List-Unsubscribe": "<https://example.com/stop/>"}

    def test_no_address_queues_nothing(self, probe_template):
        assert comment_mail.queue("", "probe", {"ref": "R-1"}) is None
        assert not QueuedMail.objects.exists()

    def test_nothing_is_queued_for_a_change_that_rolled_back(self, probe_template):
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_probe()
            raise RuntimeError
        assert not QueuedMail.objects.exists()
        assert sent_mail() == []

    def test_queueing_several_emails_is_one_insert(self, probe_template, django_assert_num_queries):
        emails = [(f"r{n}@example.com", "probe", {"ref": f"R-{n}"}) for n in range(5)]
        with django_assert_num_queries(1):
            comment_mail.queue_all(emails)
        assert sorted(message.to[0] for message in sent_mail()) == [
            f"r{n}@example.com" for n in range(5)
        ]


@pytest.mark.django_db(transaction=True)  # commits, as a real request does
class TestPagesNeverWaitForTheMailServer:
    def test_posting_a_comment_queues_the_confirmation_without_touching_the_mail_server(
        self, client, make_article, unreachable_mail_server, settings
    ):
        article = make_article()
        response = client.post(
            reverse("comments:thread", args=[article.slug]),
            comment_data(article, email="new@example.com"),
            HTTP_USER_AGENT=READER_UA,
        )
        assert response.status_code == 302
        assert unreachable_mail_server == []
        [queued] = QueuedMail.objects.all()
        assert (queued.to, queued.template) == ("new@example.com", "verify_email")

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        [message] = sent_mail()
        assert message.subject == "Confirm your email address for comments"

    def test_reporting_a_comment_queues_the_receipt_without_touching_the_mail_server(
        self, client, make_comment, unreachable_mail_server
    ):
        comment = make_comment()
        response = client.post(
            reverse("comments:report", args=[comment.pk]),
            {"reason": "spam", "contact_email": "rita@example.com"},
            HTTP_USER_AGENT=READER_UA,
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert unreachable_mail_server == []
        [queued] = QueuedMail.objects.all()
        assert (queued.to, queued.template) == ("rita@example.com", "report_receipt")


class TestSending:
    def test_a_second_run_sends_nothing_again(self, probe_template):
        queue_probe()
        call_command("send_notifications", stdout=StringIO())
        call_command("send_notifications", stdout=StringIO())
        assert len(mail.outbox) == 1

    def test_two_runs_that_read_the_same_email_send_it_once(self, probe_template):
        queue_probe()
        now = timezone.now()
        first_run, second_run = QueuedMail.objects.get(), QueuedMail.objects.get()
        assert comment_mail.claim(first_run, now) is True
        assert comment_mail.claim(second_run, now) is False

    def test_each_email_costs_its_claim_and_its_outcome(
        self, probe_template, django_assert_num_queries
    ):
        for n in range(3):
            queue_probe(f"R-{n}")
        with django_assert_num_queries(1 + 3 * 2):  # what is due; then each claim and outcome
            assert comment_mail.send_queued() == 3

    def test_a_refused_email_waits_for_a_later_run_and_is_logged(
        self, probe_template, refusing_mail_server, settings, caplog
    ):
        queue_probe()
        assert comment_mail.send_queued() == 0
        queued = QueuedMail.objects.get()
        assert (queued.sent_at, queued.attempts, queued.last_error) == (None, 1, "gone")
        assert "Could not mail probe (example.com): gone" in caplog.text

        assert comment_mail.send_queued() == 0  # too soon
        assert QueuedMail.objects.get().attempts == 1

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        later = timezone.now() + comment_mail.RETRY_AFTER[0]
        assert comment_mail.send_queued(now=later) == 1
        [message] = mail.outbox
        assert message.subject == "Your report R-1"
        queued.refresh_from_db()
        assert (queued.attempts, queued.last_error) == (2, "")
        assert queued.sent_at is not None

    def test_an_email_the_server_keeps_refusing_is_given_up_after_the_last_attempt(
        self, probe_template, refusing_mail_server, caplog
    ):
        queue_probe()
        moment = timezone.now()
        for wait in comment_mail.RETRY_AFTER:
            comment_mail.send_queued(now=moment)
            moment += wait
        comment_mail.send_queued(now=moment)
        assert QueuedMail.objects.get().attempts == comment_mail.MAX_ATTEMPTS
        assert "Gave up mailing probe (example.com) after 5 attempts" in caplog.text

        comment_mail.send_queued(now=moment + timedelta(days=1))
        assert QueuedMail.objects.get().attempts == comment_mail.MAX_ATTEMPTS

    def test_mail_older_than_a_month_is_forgotten(self, probe_template):
        queue_probe("R-old")
        comment_mail.send_queued()
        QueuedMail.objects.update(created_at=timezone.now() - timedelta(days=31))
        queue_probe("R-new")
        call_command("send_notifications", stdout=StringIO())
        assert list(QueuedMail.objects.values_list("subject", flat=True)) == ["Your report R-new"]

    def test_send_now_logs_a_failing_mail_server_and_does_not_raise(
        self, probe_template, refusing_mail_server, caplog
    ):
        assert comment_mail.send_now("ann@example.com", "probe", {"ref": "R-1"}) is False
        assert "Could not mail probe (example.com): gone" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_run_does_not_take_an_email_another_run_is_sending(probe_template, settings):
    settings.EMAIL_BACKEND = "tests.comments.test_mail.HeldBackend"
    HeldBackend.sending.clear()
    HeldBackend.go_on.clear()
    queue_probe()

    def run():
        try:
            return comment_mail.send_queued()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(run)
        assert HeldBackend.sending.wait(timeout=5)
        HeldBackend.sending.clear()
        second = comment_mail.send_queued()  # while the first run is still sending
        HeldBackend.go_on.set()
        assert (first.result(timeout=10), second) == (1, 0)
    assert not HeldBackend.sending.is_set()
    assert len(mail.outbox) == 1
