"""Email notifications: subscribing (with the address confirmed once), when a
comment is queued and to whom, batching, the send_notifications command, and
unsubscribing (one click, and a link whose GET only asks)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import moderation, notifications, verification
from comments.models import Comment, EmailOptOut, Notification, Subscription, VerifiedEmail
from tests.comments.helpers import comment_data, sent_mail
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
REPLIER = {"HTTP_USER_AGENT": READER_UA, "REMOTE_ADDR": "198.51.100.7"}
COMMENT = Subscription.Origin.COMMENT


@pytest.fixture(autouse=True)
def _quick_forms(discussion_settings):
    discussion_settings(min_seconds_to_post=0)


@pytest.fixture
def reader(client):
    client.defaults.update(REPLIER)
    return client


def post_url(article):
    return reverse("comments:thread", args=[article.slug])


def verify(email):
    VerifiedEmail.objects.create(email=email)


@pytest.fixture
def anns_comment(make_comment):
    """Ann's comment, with her confirmed wish to be told of replies."""
    comment = make_comment(author_name="Ann", email="ann@example.com", body="First!")
    verify("ann@example.com")
    notifications.subscribe(
        comment.article, email="ann@example.com", comment=comment, origin=COMMENT
    )
    return comment


def reply(client, parent, **overrides):
    fields = {"author_name": "Bob", "email": "bob@example.com", "body": "A reply.", **overrides}
    data = comment_data(parent.article, parent=parent.pk, **fields)
    return client.post(post_url(parent.article), data)


def confirm_link(message):
    line = next(line for line in message.body.splitlines() if "/verify-email/" in line)
    return line.strip().replace("http://testserver", "")


def send(minutes_later=6):
    """Run the sender as if ``minutes_later`` minutes had passed."""
    return notifications.send_due(
        moderation.policy(), now=timezone.now() + timedelta(minutes=minutes_later)
    )


def notifications_to(email):
    return [message for message in mail.outbox if message.to == [email]]


def only_mail_to(email):
    [message] = notifications_to(email)
    return message


def link_in(message, starting):
    line = next(line for line in message.body.splitlines() if line.startswith(starting))
    return line.split(": ", 1)[1].replace("http://testserver", "")


class TestSubscribing:
    def test_ticking_the_box_with_a_confirmed_address_subscribes_at_once(
        self, reader, make_article
    ):
        article = make_article()
        verify("jane@example.com")
        reader.post(post_url(article), comment_data(article, notify_replies="on"))
        comment = Comment.objects.get()
        [subscription] = Subscription.objects.active()
        assert (subscription.email, subscription.comment, subscription.kind) == (
            "jane@example.com",
            comment,
            "replies",
        )

    def test_an_unconfirmed_address_gets_a_confirmation_mail_and_no_notification(
        self, reader, make_article
    ):
        article = make_article()
        reader.post(post_url(article), comment_data(article, notify_replies="on"))
        [confirmation] = sent_mail()
        assert confirmation.to == ["jane@example.com"]
        assert confirmation.subject == "Confirm your email address for comments"
        assert "notifications you asked for" in confirmation.body
        assert not Subscription.objects.active().exists()

        janes = Comment.objects.get()
        reply(Client(**REPLIER), janes)
        assert send() == (0, 0)
        assert len(mail.outbox) == 1  # the confirmation only

        Client().post(confirm_link(confirmation))  # she presses the button
        reply(Client(**REPLIER), janes, body="Another reply.")
        assert send() == (1, 1)
        assert "Another reply." in mail.outbox[-1].body
        assert "A reply." not in mail.outbox[-1].body  # published before she confirmed

    def test_the_box_needs_an_email_address(self, reader, make_article):
        article = make_article()
        for extra in ({}, HTMX):
            data = comment_data(article, email="", notify_replies="on")
            response = reader.post(post_url(article), data, **extra)
            assert response.status_code == 422
            assert "Give your email address to be told of replies" in response.content.decode()
        assert not Comment.objects.exists()

    def test_the_box_is_offered_on_the_comment_and_reply_forms(
        self, reader, make_article, make_comment
    ):
        article = make_article()
        parent = make_comment(article=article)
        page = reader.get(reverse("comments:form", args=[article.slug]), **HTMX).content.decode()
        assert '<label for="id_notify_replies">Email me when someone replies</label>' in page
        page = reader.get(reverse("comments:reply", args=[parent.pk]), **HTMX).content.decode()
        assert f'id="id_notify_replies-{parent.pk}"' in page

    def test_a_signed_in_reader_is_subscribed_with_their_account_address(
        self, client, make_article, make_user
    ):
        article = make_article()
        user = make_user(email="Kim@Example.com")
        client.force_login(user)
        data = {
            "body": "Signed in.",
            "notify_replies": "on",
            "issued": comment_data(article)["issued"],
        }
        client.post(post_url(article), data)
        [subscription] = Subscription.objects.active()
        assert (subscription.email, subscription.user) == ("kim@example.com", user)

    def test_a_signed_in_reader_without_an_address_is_told_so(
        self, client, make_article, make_user
    ):
        article = make_article()
        client.force_login(make_user(email=""))
        data = {"body": "Hi.", "notify_replies": "on", "issued": comment_data(article)["issued"]}
        response = client.post(post_url(article), data)
        assert response.status_code == 422
        assert "Your account has no email address" in response.content.decode()

    def test_following_without_commenting_asks_to_confirm_then_starts(self, reader, make_article):
        article = make_article()
        follow = reverse("comments:follow", args=[article.slug])
        assert 'name="email"' in reader.get(follow).content.decode()
        response = reader.post(follow, {"email": "Fay@Example.com"})
        assert response.status_code == 302
        assert response["Location"] == f"{article.get_absolute_url()}#messages"
        [confirmation] = sent_mail()
        assert confirmation.to == ["fay@example.com"]
        [subscription] = Subscription.objects.all()
        assert (subscription.kind, subscription.confirmed_at) == ("all", None)

        Client().post(confirm_link(confirmation))
        subscription.refresh_from_db()
        assert subscription.confirmed_at is not None
        reader.post(post_url(article), comment_data(article, body="Hello, followers."))
        assert send() == (1, 1)
        assert mail.outbox[-1].to == ["fay@example.com"]
        assert "Hello, followers." in mail.outbox[-1].body

    def test_following_through_htmx_answers_in_place_the_same_either_way(
        self, reader, make_article
    ):
        article = make_article()
        follow = reverse("comments:follow", args=[article.slug])
        verify("old@example.com")
        answers = [
            reader.post(follow, {"email": email}, **HTMX).content.decode()
            for email in ("old@example.com", "new@example.com")
        ]
        assert answers[0] == answers[1]
        assert "Check your inbox" in answers[0]
        assert answers[0].lstrip().startswith('<div id="follow"')

    def test_following_with_a_bad_address_is_a_clear_error(self, reader, make_article):
        article = make_article()
        response = reader.post(
            reverse("comments:follow", args=[article.slug]), {"email": "nope"}, **HTMX
        )
        assert response.status_code == 422
        assert "Please enter an email address like name@example.com." in response.content.decode()
        assert not Subscription.objects.exists()

    def test_one_network_may_follow_ten_discussions_an_hour(self, reader, make_article):
        article = make_article()
        follow = reverse("comments:follow", args=[article.slug])
        for n in range(notifications.FOLLOWS_PER_HOUR):
            assert reader.post(follow, {"email": f"r{n}@example.com"}, **HTMX).status_code == 200
        response = reader.post(follow, {"email": "one-more@example.com"}, **HTMX)
        assert response.status_code == 429
        assert "Please try again in an hour." in response.content.decode()
        assert not Subscription.objects.filter(email="one-more@example.com").exists()

    def test_the_thread_offers_to_follow_and_a_closed_one_does_not(self, reader, make_article):
        open_article = make_article()
        closed = make_article(comments_open=False)
        assert (
            "Follow this discussion" in reader.get(open_article.get_absolute_url()).content.decode()
        )
        assert (
            "Follow this discussion" not in reader.get(closed.get_absolute_url()).content.decode()
        )
        response = reader.post(reverse("comments:follow", args=[closed.slug]), {"email": "a@b.co"})
        assert response.status_code == 302
        assert not Subscription.objects.exists()


class TestWhoIsToldWhen:
    def test_a_reply_published_at_once_is_mailed_to_the_commenter(self, reader, anns_comment):
        reply(reader, anns_comment)
        assert send() == (1, 1)
        message = only_mail_to("ann@example.com")
        assert (
            message.subject == f"Bob replied to your comment on “{anns_comment.article.headline}”"
        )
        assert "A reply." in message.body
        assert f"http://testserver/comments/{Comment.objects.last().pk}/" in message.body

    def test_a_held_reply_sends_nothing(self, reader, anns_comment):
        anns_comment.article.comment_moderation = "pre"
        anns_comment.article.save()
        reply(reader, anns_comment)
        assert Comment.objects.last().status == Comment.Status.PENDING
        assert not Notification.objects.exists()
        assert send() == (0, 0)
        assert mail.outbox == []

    def test_approving_a_held_reply_sends_exactly_one_email(self, reader, anns_comment, editor):
        anns_comment.article.comment_moderation = "pre"
        anns_comment.article.save()
        reply(reader, anns_comment)
        held = Comment.objects.filter(pk=Comment.objects.last().pk)
        moderation.decide(held, Comment.Status.APPROVED, editor)
        moderation.decide(held, Comment.Status.APPROVED, editor)  # approved twice
        assert Notification.objects.count() == 1
        assert send() == (1, 1)
        assert send(minutes_later=30) == (0, 0)  # the command run again
        output = StringIO()
        call_command("send_notifications", stdout=output)
        assert output.getvalue() == (  # the queued one asks Bob to confirm his address
            "Sent 1 queued email(s).\nSent 0 email(s) telling of 0 comment(s).\n"
        )
        assert len(notifications_to("ann@example.com")) == 1

    def test_a_reply_hidden_then_approved_again_is_not_sent_twice(
        self, reader, anns_comment, editor
    ):
        reply(reader, anns_comment)
        send()
        published = Comment.objects.filter(pk=Comment.objects.last().pk)
        moderation.decide(published, Comment.Status.REJECTED, editor)
        moderation.decide(published, Comment.Status.APPROVED, editor)
        assert send(minutes_later=30) == (0, 0)
        assert len(notifications_to("ann@example.com")) == 1

    def test_your_own_reply_sends_nothing(self, reader, anns_comment):
        reply(reader, anns_comment, author_name="Ann", email="ANN@example.com")
        assert not Notification.objects.exists()

    def test_a_signed_in_readers_own_reply_sends_nothing(self, client, make_user, make_comment):
        user = make_user(email="kim@example.com")
        mine = make_comment(user=user)
        notifications.subscribe(mine.article, user=user, comment=mine, origin=COMMENT)
        client.force_login(user)
        data = {
            "body": "Me again.",
            "parent": mine.pk,
            "issued": comment_data(mine.article)["issued"],
        }
        client.post(post_url(mine.article), data)
        assert Comment.objects.count() == 2
        assert not Notification.objects.exists()

    def test_a_reply_to_someone_else_is_not_mailed_to_the_commenter(
        self, reader, anns_comment, make_comment
    ):
        other = make_comment(article=anns_comment.article, author_name="Cy")
        reply(reader, other)
        assert not Notification.objects.exists()

    def test_a_follower_is_told_of_every_comment_but_their_own(self, reader, make_article):
        article = make_article()
        verify("fay@example.com")
        notifications.subscribe(article, email="fay@example.com")
        reader.post(post_url(article), comment_data(article, body="From Jane."))
        reader.post(
            post_url(article),
            comment_data(article, author_name="Fay", email="fay@example.com", body="From Fay."),
        )
        send()
        body = only_mail_to("fay@example.com").body
        assert "From Jane." in body and "From Fay." not in body

    def test_a_follower_whose_comment_gets_a_reply_hears_of_it_once(self, reader, anns_comment):
        notifications.subscribe(anns_comment.article, email="ann@example.com")  # follows too
        reply(reader, anns_comment)
        send()
        message = only_mail_to("ann@example.com")
        assert message.body.count("A reply.") == 1
        assert "replied to your comment" in message.subject

    def test_replies_within_the_window_come_in_one_email(self, reader, anns_comment):
        reply(reader, anns_comment, body="First reply.")
        reply(Client(HTTP_USER_AGENT="another"), anns_comment, body="Second reply.")
        assert send(minutes_later=1) == (0, 0)  # the first has not waited five minutes
        assert send(minutes_later=6) == (1, 2)
        message = only_mail_to("ann@example.com")
        assert message.subject == f"2 new comments on “{anns_comment.article.headline}”"
        assert "First reply." in message.body and "Second reply." in message.body

    def test_the_window_is_a_discussion_setting(self, reader, anns_comment, discussion_settings):
        discussion_settings(notification_batch_minutes=0)
        reply(reader, anns_comment)
        output = StringIO()
        call_command("send_notifications", stdout=output)
        assert output.getvalue() == (  # the queued one asks Bob to confirm his address
            "Sent 1 queued email(s).\nSent 1 email(s) telling of 1 comment(s).\n"
        )
        assert len(notifications_to("ann@example.com")) == 1

    def test_a_reply_removed_before_sending_is_not_mailed(self, reader, anns_comment, editor):
        reply(reader, anns_comment)
        moderation.decide(
            Comment.objects.filter(pk=Comment.objects.last().pk), Comment.Status.SPAM, editor
        )
        assert send() == (0, 0)
        assert not Notification.objects.exists()

    def test_a_batch_the_mail_server_refuses_is_tried_again(
        self, reader, anns_comment, monkeypatch
    ):
        reply(reader, anns_comment)
        monkeypatch.setattr(notifications.mail, "send_now", lambda *args, **kwargs: False)
        assert send() == (0, 0)
        monkeypatch.undo()
        assert send() == (1, 1)

    def test_authors_are_told_of_comments_when_the_newsroom_says_so(
        self, reader, make_article, make_user, discussion_settings
    ):
        author = make_user(email="Writer@Example.com")
        article = make_article(author=author)
        reader.post(post_url(article), comment_data(article, body="Before the setting."))
        discussion_settings(notify_authors=True)
        reader.post(post_url(article), comment_data(article, body="After the setting."))
        send()
        body = only_mail_to("writer@example.com").body
        assert "After the setting." in body and "Before the setting." not in body
        assert "because you wrote the article" in body

    def test_an_author_who_stopped_the_emails_is_not_signed_up_again(
        self, reader, make_article, make_user, discussion_settings
    ):
        discussion_settings(notify_authors=True)
        author = make_user(email="writer@example.com")
        article = make_article(author=author)
        reader.post(post_url(article), comment_data(article, body="One."))
        send()
        Client().post(link_in(mail.outbox[-1], "Stop emails about this discussion"))
        reader.post(post_url(article), comment_data(article, body="Two."))
        other = make_article(author=author)
        Client().post(link_in(mail.outbox[-1], "Stop all email"))
        reader.post(post_url(other), comment_data(other, body="Three."))
        send(minutes_later=30)
        assert len(notifications_to("writer@example.com")) == 1

    def test_queueing_costs_the_same_however_many_subscribers(
        self, make_comment, django_assert_num_queries
    ):
        parent = make_comment()
        for n in range(20):
            verify(f"r{n}@example.com")
            notifications.subscribe(parent.article, email=f"r{n}@example.com")
            notifications.subscribe(
                parent.article, email=f"r{n}@example.com", comment=parent, origin=COMMENT
            )
        replies = [make_comment(parent=parent) for _ in range(5)]
        rules = moderation.policy()
        with django_assert_num_queries(2):  # the subscriptions; the outbox rows
            assert notifications.queue(replies, rules) == 100

    def test_sending_a_batch_costs_the_same_however_many_comments(
        self, anns_comment, make_comment, django_assert_num_queries
    ):
        replies = [make_comment(parent=anns_comment) for _ in range(10)]
        notifications.queue(replies, moderation.policy())
        rules = moderation.policy()
        later = timezone.now() + timedelta(minutes=6)
        # Due recipients; then per recipient: a savepoint, the batch, the claim,
        # the release (nothing to drop).
        with django_assert_num_queries(5):
            assert notifications.send_due(rules, now=later) == (1, 10)


class TestUnsubscribing:
    @pytest.fixture
    def message(self, reader, anns_comment):
        """Ann's notification of Bob's reply; Bob asked to hear of replies too."""
        verify("bob@example.com")
        reply(reader, anns_comment, notify_replies="on")
        send()
        return only_mail_to("ann@example.com")

    def test_every_email_carries_one_click_unsubscribe_headers(self, message):
        link = message.extra_headers["List-Unsubscribe"]
        assert link.startswith("<http://testserver/comments/unsubscribe/") and link.endswith("/>")
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message.message().as_string()
        assert link_in(message, "Stop emails about this discussion") == link[1:-1].replace(
            "http://testserver", ""
        )
        assert "/comments/unsubscribe/" in link_in(message, "Stop all email")

    def test_a_get_never_unsubscribes(self, client, message):
        for link in (message.extra_headers["List-Unsubscribe"][1:-1], link_in(message, "Stop all")):
            page = client.get(link)
            assert page.status_code == 200
            assert "Nothing changes until you press a button." in page.content.decode()
            assert client.head(link).status_code == 200
        assert Subscription.objects.active().count() == 2
        assert not EmailOptOut.objects.exists()

    def test_the_one_click_post_works_without_a_csrf_token(self, message):
        mail_client = Client(enforce_csrf_checks=True)
        response = mail_client.post(
            message.extra_headers["List-Unsubscribe"][1:-1],
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        assert "no more emails about this discussion" in response.content.decode()

    def test_unsubscribing_removes_the_recipients_subscription_not_the_repliers(
        self, client, message
    ):
        client.post(link_in(message, "Stop emails about this discussion"), {"scope": "these"})
        assert list(Subscription.objects.active().values_list("email", flat=True)) == [
            "bob@example.com"
        ]

    def test_stopping_everything_ends_every_subscription_of_the_address(
        self, client, message, make_article
    ):
        other = make_article()
        notifications.subscribe(other, email="ann@example.com")
        page = client.get(link_in(message, "Stop emails about this discussion")).content.decode()
        assert "Stop all emails about comments" in page
        client.post(link_in(message, "Stop emails about this discussion"), {"scope": "all"})
        assert not Subscription.objects.active().filter(email="ann@example.com").exists()
        assert Subscription.objects.active().filter(email="bob@example.com").exists()

    def test_nobody_can_sign_an_address_up_again_after_it_stopped_everything(
        self, client, message, make_article
    ):
        client.post(link_in(message, "Stop all email"))
        article = make_article()
        Client().post(reverse("comments:follow", args=[article.slug]), {"email": "ann@example.com"})
        assert not Subscription.objects.active().filter(email="ann@example.com").exists()
        confirmation = sent_mail()[-1]
        assert confirmation.subject == "Confirm your email address for comments"
        Client().post(confirm_link(confirmation))  # Ann herself asks again
        assert Subscription.objects.active().filter(email="ann@example.com", article=article)

    def test_what_was_waiting_is_not_sent_after_unsubscribing(self, reader, client, message):
        reply(
            Client(HTTP_USER_AGENT="another"), Comment.objects.get(author_name="Ann"), body="Late."
        )
        client.post(link_in(message, "Stop emails about this discussion"))
        assert send(minutes_later=30) == (0, 0)

    @pytest.mark.parametrize(
        "token",
        ["forged", notifications.unsubscribe_token("eve@example.com")[:-3] + "abc"],
        ids=["garbage", "altered"],
    )
    def test_a_forged_link_is_refused(self, client, message, token):
        response = client.post(reverse("comments:unsubscribe", args=[token]))
        assert response.status_code == 400
        assert "This link is not valid." in response.content.decode()
        assert Subscription.objects.active().count() == 2

    def test_a_link_names_only_its_recipients_subscriptions(self, client, message):
        bobs = Subscription.objects.get(email="bob@example.com")
        token = notifications.unsubscribe_token("ann@example.com", [bobs.pk])
        client.post(reverse("comments:unsubscribe", args=[token]))
        assert Subscription.objects.active().filter(email="bob@example.com").exists()

    def test_old_links_keep_working(self, client, message, monkeypatch):
        link = link_in(message, "Stop emails about this discussion")
        later = timezone.now() + timedelta(days=400)
        monkeypatch.setattr(verification.signing.time, "time", lambda: later.timestamp())
        assert client.post(link).status_code == 200
        assert not Subscription.objects.active().filter(email="ann@example.com").exists()
