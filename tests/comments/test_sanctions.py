"""Sanctions on authors: which one is in force, what a sanctioned author sees when
posting (plain and htmx), verified email addresses, and the sanctions admin."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from comments import sanctions, verification
from comments.models import Comment, ModerationEvent, Sanction, VerifiedEmail
from tests.comments.helpers import comment_data, sent_mail
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
OTHER_NETWORK = "f" * 64


@pytest.fixture
def reader(client):
    client.defaults["HTTP_USER_AGENT"] = READER_UA
    return client


@pytest.fixture
def network():
    """The network of the test client's address, as sanctions know it."""
    return sanctions.network_key(RequestFactory().get("/"))


@pytest.fixture
def sanction(db):
    def make(kind, **subject_and_fields):
        fields = {"reason": "abuse", **subject_and_fields}
        return Sanction.objects.create(kind=kind, **fields)

    return make


def post_url(article):
    return reverse("comments:thread", args=[article.slug])


def post_both_ways(client, article, **data):
    """The same comment posted as a plain form and through htmx."""
    plain = client.post(post_url(article), comment_data(article, body="Typed plain", **data))
    htmx = client.post(post_url(article), comment_data(article, body="Typed htmx", **data), **HTMX)
    return [(plain, "Typed plain"), (htmx, "Typed htmx")]


def refused_pages(client, article):
    """Post both ways and check each is refused with the text kept: the pages."""
    pages = []
    for response, typed in post_both_ways(client, article):
        page = response.content.decode()
        assert response.status_code == 403
        assert f"{typed}</textarea>" in page
        pages.append(page)
    assert not Comment.objects.exists()
    return pages


def verify(email):
    VerifiedEmail.objects.create(email=email)


class TestWhichSanctionIsInForce:
    def test_the_strongest_sanction_wins_in_one_query(
        self, sanction, network, django_assert_num_queries
    ):
        for kind in ("premoderate", "warn", "ban", "suspend"):
            sanction(kind, network=network, until=timezone.now() + timedelta(days=1))
        with django_assert_num_queries(1):
            found = sanctions.in_force(network=network)
        assert found.kind == "ban"

    def test_a_suspension_that_ended_is_not_in_force(self, sanction):
        sanction("suspend", network="n" * 64, until=timezone.now() - timedelta(minutes=1))
        assert sanctions.in_force(network="n" * 64) is None

    def test_a_lifted_ban_is_not_in_force(self, sanction):
        sanction("ban", network="n" * 64, lifted_at=timezone.now())
        assert sanctions.in_force(network="n" * 64) is None

    def test_an_acknowledged_warning_is_not_in_force(self, sanction):
        sanction("warn", network="n" * 64, acknowledged_at=timezone.now())
        assert sanctions.in_force(network="n" * 64) is None

    def test_anonymous_readers_are_matched_by_network(self, sanction):
        sanction("ban", network="n" * 64)
        assert sanctions.in_force(network="n" * 64).kind == "ban"
        assert sanctions.in_force(network=OTHER_NETWORK) is None

    def test_an_email_matches_only_once_it_is_verified(self, sanction):
        sanction("ban", email="ann@example.com")
        assert sanctions.in_force(email="Ann@Example.com", network=OTHER_NETWORK) is None
        verify("ann@example.com")
        found = sanctions.in_force(email="Ann@Example.com", network=OTHER_NETWORK)
        assert found.kind == "ban"

    def test_signed_in_readers_are_matched_by_account_not_network(self, sanction, make_user):
        author, other = make_user(), make_user()
        sanction("suspend", user=author, until=timezone.now() + timedelta(days=2))
        sanction("ban", network="n" * 64)
        assert sanctions.in_force(user=author, network="n" * 64).kind == "suspend"
        assert sanctions.in_force(user=other, network="n" * 64) is None

    def test_a_poster_with_nothing_to_match_costs_no_query(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert sanctions.in_force() is None


class TestPostingWhenSanctioned:
    def test_a_banned_reader_is_refused_with_a_clear_message_and_keeps_their_text(
        self, reader, make_article, sanction, network
    ):
        sanction("ban", network=network, message="Repeated personal attacks.")
        article = make_article()
        for page in refused_pages(reader, article):
            assert "You can no longer post comments here: the moderators have banned you." in page
            assert "Reason: Abuse, harassment or hate." in page
            assert "Message from the moderators: Repeated personal attacks." in page

    def test_a_banned_reader_is_told_when_the_form_opens_not_after_typing(
        self, reader, make_article, sanction, network
    ):
        sanction("ban", network=network, message="Repeated personal attacks.")
        article = make_article()
        url = reverse("comments:form", args=[article.slug])
        for response in (reader.get(url), reader.get(url, **HTMX)):
            page = response.content.decode()
            assert "the moderators have banned you" in page
            assert "Message from the moderators: Repeated personal attacks." in page
            assert "<textarea" not in page

    def test_a_warned_reader_sees_the_warning_when_the_form_opens(
        self, reader, make_article, sanction, network
    ):
        sanction("warn", network=network, message="Please keep to the topic.")
        article = make_article()
        page = reader.get(reverse("comments:form", args=[article.slug]), **HTMX).content.decode()
        assert "Please keep to the topic." in page and "<textarea" in page

    def test_a_ban_made_from_a_comment_still_holds_after_the_daily_salt_changes(
        self, reader, make_article
    ):
        from articles import counting
        from articles.models import ReaderSalt

        article = make_article()
        reader.post(post_url(article), comment_data(article, body="Abuse"))
        comment = Comment.objects.get()
        sanctions.impose(comment, "ban", None, "abuse")
        ReaderSalt.objects.all().delete()  # the next day: a new salt, new reader hashes
        counting._salt_cache.clear()
        for response, _typed in post_both_ways(reader, article):
            assert response.status_code == 403
            assert "the moderators have banned you" in response.content.decode()
        assert Comment.objects.count() == 1

    def test_a_suspended_reader_is_told_until_when(self, reader, make_article, sanction, network):
        until = timezone.now() + timedelta(days=3)
        sanction("suspend", network=network, until=until)
        article = make_article()
        expected = f"You cannot post comments until {sanctions.when(until)}"
        for page in refused_pages(reader, article):
            assert expected in page

    def test_a_suspension_that_ended_lets_the_reader_post(
        self, reader, make_article, sanction, network
    ):
        sanction("suspend", network=network, until=timezone.now() - timedelta(seconds=1))
        article = make_article()
        response = reader.post(post_url(article), comment_data(article))
        assert response.status_code == 302
        assert Comment.objects.get().status == "approved"

    def test_a_lifted_ban_lets_the_reader_post(self, reader, make_article, sanction, network):
        ban = sanction("ban", network=network)
        sanctions.lift(Sanction.objects.filter(pk=ban.pk), None)
        article = make_article()
        assert reader.post(post_url(article), comment_data(article)).status_code == 302

    def test_a_banned_signed_in_reader_is_refused_by_account(
        self, client, make_user, make_article, sanction
    ):
        author = make_user()
        sanction("ban", user=author)
        client.force_login(author)
        article = make_article()
        data = comment_data(article, body="From my account")
        del data["author_name"], data["email"]
        response = client.post(post_url(article), data, **HTMX)
        assert response.status_code == 403
        assert "banned" in response.content.decode()
        assert not Comment.objects.exists()

    def test_a_banned_verified_email_is_refused_from_any_network(
        self, reader, make_article, sanction
    ):
        verify("ann@example.com")
        sanction("ban", email="ann@example.com")
        article = make_article()
        refused = reader.post(post_url(article), comment_data(article, email="ANN@example.com"))
        assert refused.status_code == 403
        other = reader.post(post_url(article), comment_data(article, email="bob@example.com"))
        assert other.status_code == 302

    def test_a_warned_reader_sees_the_message_and_must_acknowledge_it(
        self, reader, make_article, sanction, network
    ):
        warning = sanction("warn", network=network, message="Please keep to the topic.")
        article = make_article()
        for page in refused_pages(reader, article):
            assert "A message from the moderators" in page
            assert "Please keep to the topic." in page
            assert f'name="acknowledge" value="{warning.pk}" required' in page
        warning.refresh_from_db()
        assert warning.acknowledged_at is None

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
    def test_acknowledging_the_warning_posts_the_comment(
        self, reader, make_article, sanction, network, headers
    ):
        warning = sanction("warn", network=network, message="Please keep to the topic.")
        article = make_article()
        data = comment_data(article, body="On topic now", acknowledge=str(warning.pk))
        response = reader.post(post_url(article), data, **headers)
        assert response.status_code == (200 if headers else 302)
        assert Comment.objects.get().body == "On topic now"
        warning.refresh_from_db()
        assert warning.acknowledged_at is not None
        assert sanctions.in_force(network=network) is None

    def test_acknowledging_someone_elses_warning_does_nothing(
        self, reader, make_article, sanction, network
    ):
        mine = sanction("warn", network=network)
        theirs = sanction("warn", network=OTHER_NETWORK)
        article = make_article()
        data = comment_data(article, acknowledge=str(theirs.pk))
        assert reader.post(post_url(article), data).status_code == 403
        mine.refresh_from_db(), theirs.refresh_from_db()
        assert mine.acknowledged_at is None and theirs.acknowledged_at is None

    def test_a_warning_acknowledged_leaves_a_premoderation_to_hold_the_comment(
        self, reader, make_article, sanction, network
    ):
        warning = sanction("warn", network=network)
        sanction("premoderate", network=network)
        article = make_article()
        data = comment_data(article, acknowledge=str(warning.pk))
        assert reader.post(post_url(article), data).status_code == 302
        assert Comment.objects.get().status == "pending"

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
    def test_a_premoderated_reader_is_accepted_but_held_and_told_so(
        self, reader, make_article, sanction, network, headers
    ):
        premoderation = sanction("premoderate", network=network)
        article = make_article()
        response = reader.post(post_url(article), comment_data(article), follow=True, **headers)
        comment = Comment.objects.get()
        assert comment.status == "pending"
        assert [(r.code, r.evidence) for r in comment.hold_reasons.all()] == [
            ("sanctioned", {"sanction": premoderation.pk})
        ]
        assert (
            "Your comments are reviewed by a moderator before they appear."
            in response.content.decode()
        )


def another_address_under_anns_signature():
    anns = verification.token_for("ann@example.com")
    eves = verification.token_for("eve@example.com")
    return eves.split(":", 1)[0] + ":" + anns.split(":", 1)[1]


class TestVerifiedEmail:
    def test_an_anonymous_comment_with_a_new_email_mails_a_signed_link(self, reader, make_article):
        article = make_article()
        reader.post(post_url(article), comment_data(article, email="Ann@Example.com"))
        [message] = sent_mail()
        assert message.to == ["ann@example.com"]
        assert message.subject == "Confirm your email address for comments"
        link = next(line for line in message.body.splitlines() if "/verify-email/" in line)
        token = link.split("/verify-email/")[1].strip("/")
        assert verification.email_from(token) == "ann@example.com"

    def test_the_link_is_mailed_once_a_day_and_never_for_a_verified_address(
        self, reader, make_article
    ):
        article = make_article()
        for body in ("First", "Second"):
            reader.post(post_url(article), comment_data(article, body=body))
        assert len(sent_mail()) == 1
        verify("bob@example.com")
        reader.post(post_url(article), comment_data(article, email="bob@example.com"))
        assert len(sent_mail()) == 1

    def test_the_response_is_the_same_whether_the_address_is_verified(self, reader, make_article):
        article = make_article()
        verify("bob@example.com")
        answers = []
        for email in ("bob@example.com", "new@example.com"):
            data = comment_data(article, email=email, body=f"Hello from {email[:3]}")
            response = reader.post(post_url(article), data, **HTMX)
            page = response.content.decode().replace(f"Hello from {email[:3]}", "")
            answers.append((response.status_code, page.replace(str(Comment.objects.last().pk), "")))
        assert answers[0][0] == answers[1][0] == 200
        assert "verif" not in answers[0][1].lower() and "verif" not in answers[1][1].lower()

    def test_following_the_link_asks_and_pressing_the_button_confirms(self, client):
        url = reverse("comments:verify_email", args=[verification.token_for("Ann@Example.com")])
        page = client.get(url)
        assert page.status_code == 200
        assert "Confirm my address" in page.content.decode()
        assert not VerifiedEmail.objects.exists()
        confirmed = client.post(url)
        assert "ann@example.com is confirmed" in confirmed.content.decode()
        assert list(VerifiedEmail.objects.values_list("email", flat=True)) == ["ann@example.com"]
        client.post(url)  # a second press changes nothing
        assert VerifiedEmail.objects.count() == 1

    def test_an_expired_link_is_refused(self, client, monkeypatch):
        token = verification.token_for("ann@example.com")
        later = timezone.now() + verification.LINK_VALID_FOR + timedelta(minutes=1)
        monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
        response = client.post(reverse("comments:verify_email", args=[token]))
        assert response.status_code == 400
        assert "This link has expired or is not valid." in response.content.decode()
        assert not VerifiedEmail.objects.exists()

    @pytest.mark.parametrize(
        "token",
        [
            "not-a-token",
            signing.dumps("eve@example.com", salt="another-purpose"),
            another_address_under_anns_signature(),
        ],
        ids=["garbage", "other-salt", "altered"],
    )
    def test_a_forged_link_is_refused(self, client, token):
        response = client.post(reverse("comments:verify_email", args=[token]))
        assert response.status_code == 400
        assert not VerifiedEmail.objects.exists()

    def test_a_sanction_prefers_the_verified_email_over_the_network(self, make_comment):
        verify("ann@example.com")
        verified = make_comment(email="ANN@example.com", network_key="n" * 64)
        unverified = make_comment(email="bob@example.com", network_key="m" * 64)
        assert sanctions.subject_of(verified) == {"email": "ann@example.com"}
        assert sanctions.subject_of(unverified) == {"network": "m" * 64}
        ban = sanctions.impose(verified, "ban", None, "abuse")
        assert (ban.email, ban.network) == ("ann@example.com", "")


SANCTIONS = reverse("admin:comments_sanction_changelist")
ADD = reverse("admin:comments_sanction_add")


def add_form(**overrides):
    data = {"kind": "ban", "reason": "abuse", "message": "", "until_0": "", "until_1": ""}
    data.update(overrides)
    return data


class TestSanctionsAdmin:
    def test_the_list_shows_kind_author_reason_and_whether_in_force(
        self, client, editor, sanction, make_user
    ):
        author = make_user(username="loud")
        sanction("ban", user=author)
        sanction("warn", email="ann@example.com", acknowledged_at=timezone.now())
        client.force_login(editor)
        page = client.get(SANCTIONS).content.decode()
        assert "account loud" in page and "email ann@example.com" in page
        assert "Abuse, harassment or hate" in page
        assert page.count('alt="True"') == 1 and page.count('alt="False"') == 1

    @pytest.mark.parametrize(
        "query, shown",
        [("kind__exact=ban", ["ban"]), ("active=yes", ["ban"]), ("active=no", ["warn"])],
    )
    def test_filters_by_kind_and_in_force(self, client, editor, sanction, query, shown):
        sanction("ban", network="n" * 64)
        sanction("warn", network="n" * 64, lifted_at=timezone.now())
        client.force_login(editor)
        listed = client.get(f"{SANCTIONS}?{query}").context["cl"].result_list
        assert [sanction.kind for sanction in listed] == shown

    def test_an_authors_history_is_the_list_filtered_by_them(
        self, client, editor, sanction, make_user
    ):
        author = make_user()
        old = sanction("warn", user=author, message="first", acknowledged_at=timezone.now())
        sanction("ban", user=author, message="second")
        sanction("ban", network="n" * 64, message="someone else")
        client.force_login(editor)
        page = client.get(reverse("admin:comments_sanction_change", args=[old.pk]))
        history = f"{SANCTIONS}?user__id__exact={author.pk}"
        assert history in page.content.decode()
        listed = client.get(history)
        assert listed.status_code == 200
        assert list(listed.context["cl"].result_list) == list(author.comment_sanctions.all())

    def test_adding_a_sanction_goes_through_impose_and_is_recorded(
        self, client, editor, make_comment
    ):
        comment = make_comment(network_key="n" * 64)
        client.force_login(editor)
        response = client.post(ADD, add_form(comment=comment.pk, message="Stop."))
        assert response.status_code == 302
        ban = Sanction.objects.get()
        assert (ban.kind, ban.network, ban.created_by, ban.comment) == (
            "ban",
            "n" * 64,
            editor,
            comment,
        )
        event = ModerationEvent.objects.get()
        assert (event.action, event.sanction, event.actor, event.explanation) == (
            "sanction",
            ban,
            editor,
            "Stop.",
        )

    def test_adding_a_ban_can_reject_all_their_comments(self, client, editor, make_comment):
        comment = make_comment(network_key="n" * 64)
        waiting = make_comment(network_key="n" * 64, status="pending")
        client.force_login(editor)
        client.post(ADD, add_form(comment=comment.pk, reject_all="on"))
        statuses = set(
            Comment.objects.filter(pk__in=[comment.pk, waiting.pk]).values_list("status", flat=1)
        )
        assert statuses == {"rejected"}

    def test_adding_a_sanction_by_email_normalises_it(self, client, editor):
        client.force_login(editor)
        client.post(ADD, add_form(email=" Ann@Example.COM "))
        assert Sanction.objects.get().email == "ann@example.com"

    @pytest.mark.parametrize(
        "data, error",
        [
            (add_form(), "Say whom the sanction is for"),
            (add_form(kind="suspend", email="a@example.com"), "A suspension needs the date"),
            (
                add_form(email="a@example.com", until_0="2001-01-01", until_1="10:00"),
                "This date has passed",
            ),
        ],
        ids=["no-subject", "suspension-without-end", "end-in-the-past"],
    )
    def test_a_bad_sanction_is_a_form_error(self, client, editor, data, error):
        client.force_login(editor)
        response = client.post(ADD, data)
        assert response.status_code == 200
        assert error in response.content.decode()
        assert not Sanction.objects.exists()

    def test_lifting_records_who_when_and_an_audit_entry(self, client, editor, sanction):
        ban = sanction("ban", network="n" * 64)
        client.force_login(editor)
        client.post(SANCTIONS, {"action": "lift", "_selected_action": [ban.pk]})
        ban.refresh_from_db()
        assert ban.lifted_by == editor and ban.lifted_at is not None
        event = ModerationEvent.objects.get()
        assert (event.action, event.sanction, event.actor) == ("lift", ban, editor)
        assert sanctions.in_force(network="n" * 64) is None

    def test_lifting_an_already_lifted_sanction_records_nothing(self, sanction):
        ban = sanction("ban", network="n" * 64, lifted_at=timezone.now())
        assert sanctions.lift(Sanction.objects.filter(pk=ban.pk), None) == 0
        assert not ModerationEvent.objects.exists()

    def test_a_sanction_cannot_be_edited_or_deleted(self, client, editor, sanction):
        ban = sanction("ban", network="n" * 64, message="original")
        client.force_login(editor)
        change = reverse("admin:comments_sanction_change", args=[ban.pk])
        client.post(change, {"kind": "warn", "reason": "spam", "message": "edited"})
        delete = client.post(reverse("admin:comments_sanction_delete", args=[ban.pk]))
        ban.refresh_from_db()
        assert (ban.kind, ban.message) == ("ban", "original")
        assert delete.status_code == 403
