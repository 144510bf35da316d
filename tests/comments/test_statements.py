"""Statements of reasons: an author whose comment a moderator removes is mailed
what was decided, when, why, by whom (a person) and how to object."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from comments import moderation, sanctions
from comments.models import Comment, HoldReason, QueuedMail
from tests.comments.helpers import sent_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def decide(make_user):
    """A moderator's decision on some comments."""
    moderator = make_user(username="mod")

    def run(comments, status, reason="", explanation=""):
        selected = Comment.objects.filter(pk__in=[c.pk for c in comments])
        return moderation.decide(selected, status, moderator, reason, explanation)

    return run


def test_a_rejection_mails_the_author_a_statement_of_reasons(decide, make_article, make_comment):
    article = make_article(headline="Council votes on the bridge")
    comment = make_comment(
        article=article,
        author_name="Ann",
        email="ann@example.com",
        body="The councillor is a crook and I know where he lives.",
    )
    decide([comment], "rejected", "abuse", "Threatening a named person.")
    [statement] = sent_mail()
    assert statement.to == ["ann@example.com"]
    assert statement.subject == "Your comment on “Council votes on the bridge” was removed"
    body = statement.body
    assert "Hello Ann," in body
    assert "The councillor is a crook and I know where he lives." in body
    assert "Reason: Abuse, harassment or hate" in body
    assert "The moderator's explanation: Threatening a named person." in body
    assert "by a person, one of our moderators; it was not decided automatically" in body
    assert "reply to this email" in body
    comment.refresh_from_db()
    assert f"On {comment.moderated_at:%-d %B %Y}" in body


def test_marking_as_spam_sends_a_statement_too(decide, make_comment):
    comment = make_comment(email="ann@example.com")
    decide([comment], "spam", "spam")
    [statement] = sent_mail()
    assert "was marked as spam and removed" in statement.subject
    assert "Reason: Spam or advertising" in statement.body


def test_a_long_comment_is_quoted_as_an_excerpt(decide, make_comment):
    comment = make_comment(email="ann@example.com", body="word " * 400)
    decide([comment], "rejected", "other")
    [statement] = sent_mail()
    assert "word " * 90 in statement.body
    assert "word " * 150 not in statement.body


def test_how_the_comment_came_to_a_moderator_is_said(decide, make_comment):
    comment = make_comment(email="ann@example.com", status="pending", report_count=3)
    HoldReason.objects.create(comment=comment, code="links", evidence={"links": 3, "limit": 2})
    decide([comment], "rejected", "spam")
    assert (
        "It came to the moderators because our automatic filters held it for review "
        "and readers reported it." in sent_mail()[0].body
    )


def test_approving_sends_no_statement(decide, make_comment):
    comment = make_comment(email="ann@example.com", status="pending")
    decide([comment], "approved")
    assert sent_mail() == []


def test_an_author_who_left_no_email_gets_no_statement(decide, make_comment):
    decide([make_comment(email="")], "rejected", "abuse")
    assert sent_mail() == []


def test_a_signed_in_author_is_mailed_at_their_accounts_address(decide, make_comment, make_user):
    author = make_user(email="member@example.com", first_name="Mo")
    decide([make_comment(user=author)], "rejected", "off_topic")
    [statement] = sent_mail()
    assert statement.to == ["member@example.com"]
    assert "Hello Mo," in statement.body


def test_a_batch_sends_each_author_one_mail_about_their_own_comment(decide, make_comment):
    ann = make_comment(email="ann@example.com", body="Ann's words")
    bob = make_comment(email="bob@example.com", body="Bob's words")
    quiet = make_comment(email="")
    decide([ann, bob, quiet], "rejected", "spam")
    sent = {message.to[0]: message.body for message in sent_mail()}
    assert sorted(sent) == ["ann@example.com", "bob@example.com"]
    assert "Ann's words" in sent["ann@example.com"] and "Bob's" not in sent["ann@example.com"]
    assert "Bob's words" in sent["bob@example.com"] and "Ann's" not in sent["bob@example.com"]


def test_a_comment_already_removed_is_not_told_again(decide, make_comment):
    comment = make_comment(email="ann@example.com", status="rejected")
    decide([comment], "rejected", "abuse")
    assert sent_mail() == []


def test_a_decision_that_rolls_back_queues_no_statement(make_comment, make_user):
    comment = make_comment(email="ann@example.com")
    with pytest.raises(RuntimeError), transaction.atomic():
        moderation.decide(Comment.objects.filter(pk=comment.pk), "rejected", make_user(), "spam")
        raise RuntimeError
    assert not QueuedMail.objects.exists()
    assert sent_mail() == []


def test_a_ban_that_rejects_all_sends_a_statement_per_removed_comment(make_comment, make_user):
    first = make_comment(email="ann@example.com", network_key="n" * 64, body="First")
    make_comment(email="ann@example.com", network_key="n" * 64, body="Second", status="pending")
    sanctions.impose(first, "ban", make_user(), "abuse", "Enough.", reject_all=True)
    statements = sent_mail()
    assert len(statements) == 2
    assert {message.to[0] for message in statements} == {"ann@example.com"}
    assert all("The moderator's explanation: Enough." in m.body for m in statements)


class TestReportersAreAnswered:
    """A reader who reported a comment and left an email is told the decision
    on it, once (the Digital Services Act, article 16(5))."""

    def report(self, comment, number, email):
        return moderation.record_report(
            comment, f"reader-{number}", f"network-{number}", reason="abuse", contact_email=email
        )

    def test_a_removal_tells_the_reporters_who_left_an_email(self, decide, make_comment):
        comment = make_comment(body="Nasty words")
        self.report(comment, 1, "rita@example.com")
        self.report(comment, 2, "")
        decide([comment], "rejected", "abuse", "A personal attack.")
        [answer] = [m for m in sent_mail() if m.to == ["rita@example.com"]]
        assert answer.subject.endswith("the comment was removed")
        assert "Reason: Abuse, harassment or hate." in answer.body
        assert "The moderator's explanation: A personal attack." in answer.body
        assert "Nasty words" in answer.body

    def test_keeping_a_reported_comment_tells_the_reporter_it_was_kept(self, decide, make_comment):
        comment = make_comment(body="Sharp but fair")  # approved, reported, approved again
        report = self.report(comment, 1, "rita@example.com")
        decide([comment], "approved")
        [answer] = sent_mail()
        assert answer.subject == f"Your report {report.reference}: the comment was kept"
        assert "within our community rules" in answer.body

    def test_a_reporter_is_answered_once(self, decide, make_comment):
        comment = make_comment(status="pending")
        self.report(comment, 1, "rita@example.com")
        decide([comment], "rejected", "spam")
        decide([comment], "approved")
        assert [m.to for m in sent_mail()] == [["rita@example.com"]]

    def test_answering_many_reporters_costs_the_same_queries_as_one(self, decide, make_comment):
        def answered_with(count):
            comment = make_comment(body="Nasty words", status="pending")
            for number in range(count):
                self.report(comment, number, f"reader{number}@example.com")
            with CaptureQueriesContext(connection) as queries:
                decide([comment], "rejected", "abuse")
            return len(queries)

        assert answered_with(1) == answered_with(4)
