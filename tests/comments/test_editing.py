"""Editing one's own comment: for ten minutes, from the same browser or account,
through moderation again, marked "edited", with the previous text kept for
moderators."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, CommentEdit, HoldReason
from tests.comments.helpers import comment_data
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
NOT_THE_AUTHOR = "Only its author can edit a comment"
TOO_LATE = "this one can no longer be edited"


def browser(n=0):
    return Client(HTTP_USER_AGENT=f"{READER_UA} browser/{n}")


def edit_url(comment):
    return reverse("comments:edit", args=[comment.pk])


@pytest.fixture
def author():
    return browser()


@pytest.fixture
def posted(author, make_article):
    """A comment the ``author`` browser has just posted, published at once."""
    article = make_article()
    author.post(
        reverse("comments:thread", args=[article.slug]),
        comment_data(article, body="The first version."),
        **HTMX,
    )
    comment = Comment.objects.get()
    assert comment.is_visible()
    return comment


def text(response):
    return response.content.decode()


class TestTheAuthorEdits:
    def test_the_form_comes_in_place_of_the_text_with_the_text_in_it(self, author, posted):
        response = author.get(edit_url(posted), **HTMX)

        assert response.status_code == 200
        form = text(response)
        assert form.strip().startswith(f'<form id="comment-{posted.pk}-text"')
        assert "The first version.</textarea>" in form
        assert "autofocus" in form

    def test_saving_brings_back_the_new_text_marked_edited(self, author, posted):
        response = author.post(edit_url(posted), {"body": "The second version."}, **HTMX)

        assert response.status_code == 200
        fragment = text(response)
        assert f'id="comment-{posted.pk}-text"' in fragment
        assert "The second version." in fragment
        assert "(edited)" in fragment
        posted.refresh_from_db()
        assert posted.body == "The second version."
        assert posted.is_visible()

    def test_readers_live_updates_count_the_edit_as_edited_not_new(
        self, author, posted, django_capture_on_commit_callbacks
    ):
        reader = browser(1)
        page = text(reader.get(posted.article.get_absolute_url()))
        poll = html.unescape(re.search(r'data-live-poll="([^"]+)"', page).group(1))
        with django_capture_on_commit_callbacks(execute=True):
            author.post(edit_url(posted), {"body": "The second version."}, **HTMX)

        answer = text(reader.get(poll, **HTMX))
        assert "1 comment edited — show" in answer
        assert not re.search(r"\d+ new comments?", answer)

    def test_the_thread_shows_the_new_text_and_that_it_was_edited(
        self, author, posted, django_capture_on_commit_callbacks
    ):
        page = browser(7).get(posted.article.get_absolute_url())  # cached now
        assert "The first version." in text(page)

        with django_capture_on_commit_callbacks(execute=True):
            author.post(edit_url(posted), {"body": "The second version."}, **HTMX)

        page = text(browser(7).get(posted.article.get_absolute_url()))
        assert "The second version." in page
        assert "The first version." not in page
        assert '<p class="comment__edited">(edited)</p>' in page

    def test_the_previous_text_is_kept(self, author, posted):
        author.post(edit_url(posted), {"body": "The second version."}, **HTMX)
        author.post(edit_url(posted), {"body": "The third version."}, **HTMX)

        assert list(posted.edits.values_list("previous_body", flat=True)) == [
            "The second version.",
            "The first version.",
        ]

    def test_without_javascript_the_form_has_a_page_and_saving_goes_back_to_the_comment(
        self, author, posted
    ):
        page = author.get(edit_url(posted))
        assert page.status_code == 200
        assert '<h1 class="page-title">Edit your comment</h1>' in text(page)
        assert 'name="csrfmiddlewaretoken"' in text(page)

        response = author.post(edit_url(posted), {"body": "The second version."})

        assert response.status_code == 302
        assert response["Location"].endswith(f"#comment-{posted.pk}")
        assert "Your comment has been updated." in text(author.get(response["Location"]))

    def test_a_plain_post_tells_the_author_how_to_edit(self, author, make_article):
        article = make_article()
        response = author.post(
            reverse("comments:thread", args=[article.slug]), comment_data(article), follow=True
        )
        comment = Comment.objects.get()
        assert f'<a href="{edit_url(comment)}">Edit your comment</a> within 10 minutes' in text(
            response
        )

    def test_an_empty_text_is_refused_with_the_reason(self, author, posted):
        response = author.post(edit_url(posted), {"body": "   "}, **HTMX)

        assert response.status_code == 422
        assert "Please write a comment." in text(response)
        posted.refresh_from_db()
        assert posted.body == "The first version."

    def test_a_signed_in_author_edits_from_another_browser(self, make_comment, make_user):
        user = make_user()
        comment = make_comment(user=user, body="Signed in.")
        elsewhere = browser(3)
        elsewhere.force_login(user)

        response = elsewhere.post(edit_url(comment), {"body": "Signed in, edited."}, **HTMX)

        assert response.status_code == 200
        comment.refresh_from_db()
        assert comment.body == "Signed in, edited."

    def test_the_reader_state_lists_the_comments_this_browser_may_edit(
        self, author, posted, make_comment
    ):
        other = make_comment(article=posted.article)
        url = reverse("comments:reader_state") + f"?ids={posted.pk},{other.pk}"

        assert author.get(url).json()["editable"] == [posted.pk]
        assert browser(4).get(url).json()["editable"] == []


class TestWithoutJavaScript:
    """The thread's Edit links are hidden until the script shows an author theirs;
    without it, the thread links to a page listing them."""

    MINE = reverse("comments:reader_state")

    def test_the_thread_links_to_the_comments_a_reader_may_edit_when_scripts_are_off(
        self, author, posted
    ):
        page = text(browser(9).get(posted.article.get_absolute_url()))
        assert (
            f'<noscript><p class="comments__mine"><a href="{self.MINE}">Edit a comment you '
            "posted</a> in the last 10 minutes.</p></noscript>"
        ) in page

    def test_the_page_lists_the_comment_this_browser_posted_with_its_edit_link(
        self, author, posted, make_comment
    ):
        other = make_comment(article=posted.article)
        page = text(author.get(self.MINE))
        assert "Your comments you can still edit" in page
        assert f'<a href="{edit_url(posted)}">Edit' in page
        assert "The first version." in page and posted.article.headline in page
        assert edit_url(other) not in page

    def test_another_browser_is_told_it_has_none_without_a_query(
        self, posted, django_assert_num_queries
    ):
        browser(10).get(self.MINE)  # the site's navigation and banner are cached now
        with django_assert_num_queries(0):
            page = text(browser(10).get(self.MINE))
        assert "You have no comments you can still edit." in page
        assert edit_url(posted) not in page

    def test_a_comment_older_than_ten_minutes_is_not_listed(self, author, posted):
        Comment.objects.filter(pk=posted.pk).update(
            created_at=timezone.now() - timedelta(minutes=10, seconds=1)
        )
        assert edit_url(posted) not in text(author.get(self.MINE))

    def test_a_signed_in_author_finds_their_comment_from_another_browser(
        self, make_comment, make_user
    ):
        user = make_user()
        comment = make_comment(user=user, status=Comment.Status.PENDING, body="Held for now.")
        elsewhere = browser(11)
        elsewhere.force_login(user)
        page = text(elsewhere.get(self.MINE))
        assert f'<a href="{edit_url(comment)}">Edit' in page
        assert "(awaiting review)" in page

    def test_the_edit_link_on_the_page_opens_the_edit_form(self, author, posted):
        page = text(author.get(self.MINE))
        link = html.unescape(re.search(r'<a href="([^"]+/edit/)">Edit', page).group(1))
        assert '<h1 class="page-title">Edit your comment</h1>' in text(author.get(link))


class TestWhoMayNot:
    def test_another_browser_cannot_edit_an_anonymous_comment(self, posted):
        response = browser(5).post(edit_url(posted), {"body": "Hijacked."}, **HTMX)

        assert response.status_code == 403
        assert NOT_THE_AUTHOR in text(response)
        posted.refresh_from_db()
        assert posted.body == "The first version."

    def test_another_account_cannot_edit_a_signed_in_readers_comment(self, make_comment, make_user):
        comment = make_comment(user=make_user())
        other = browser()
        other.force_login(make_user())

        response = other.get(edit_url(comment))

        assert response.status_code == 403
        assert NOT_THE_AUTHOR in text(response)

    def test_after_ten_minutes_the_edit_is_refused_with_a_clear_page(self, author, posted):
        Comment.objects.filter(pk=posted.pk).update(
            created_at=timezone.now() - timedelta(minutes=10, seconds=1)
        )

        page = author.get(edit_url(posted))
        saved = author.post(edit_url(posted), {"body": "Too late."}, **HTMX)

        assert page.status_code == 403
        assert "This comment cannot be edited" in text(page)
        assert TOO_LATE in text(page)
        assert saved.status_code == 403
        assert TOO_LATE in text(saved)
        posted.refresh_from_db()
        assert posted.body == "The first version."

    def test_a_closed_thread_takes_no_edit(self, author, posted):
        posted.article.comments_open = False
        posted.article.save()

        response = author.post(edit_url(posted), {"body": "Closed."}, **HTMX)

        assert response.status_code == 403
        assert "Comments on this article are closed" in text(response)

    def test_a_refusal_never_shows_another_readers_held_comment(self, make_comment):
        held = make_comment(status=Comment.Status.PENDING, body="Not yet approved.")

        response = browser(6).get(edit_url(held), **HTMX)

        assert response.status_code == 403
        assert NOT_THE_AUTHOR in text(response)
        assert "Not yet approved." not in text(response)

    def test_a_removed_comment_cannot_be_edited(self, author, posted):
        Comment.objects.filter(pk=posted.pk).update(status=Comment.Status.REJECTED)

        assert author.get(edit_url(posted)).status_code == 403

    @pytest.mark.parametrize("why", ["removed", "thread closed"])
    def test_the_reader_state_offers_no_edit_the_form_would_refuse(self, author, posted, why):
        if why == "removed":
            Comment.objects.filter(pk=posted.pk).update(status=Comment.Status.REJECTED)
        else:
            posted.article.comments_open = False
            posted.article.save()
        url = reverse("comments:reader_state") + f"?ids={posted.pk}"

        assert author.get(url).json()["editable"] == []
        assert author.get(edit_url(posted)).status_code == 403


class TestModerationAgain:
    def test_an_edit_that_breaks_a_rule_hides_the_comment_until_a_moderator_approves(
        self, author, posted, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = author.post(
                edit_url(posted), {"body": "Now with a casino bonus for you."}, **HTMX
            )

        assert "Your edit is awaiting moderation" in text(response)
        posted.refresh_from_db()
        assert posted.status == Comment.Status.PENDING
        assert list(posted.hold_reasons.values_list("code", flat=True)) == [
            HoldReason.Code.BLOCKED_TERM
        ]
        page = text(browser(8).get(posted.article.get_absolute_url()))
        assert "casino bonus" not in page
        assert "The first version." not in page
        posted.article.refresh_from_db()
        assert posted.article.comment_count == 0

    def test_on_a_pre_moderated_site_every_edit_waits_for_a_moderator(
        self, author, posted, discussion_settings
    ):
        discussion_settings(moderation_mode="pre")

        author.post(edit_url(posted), {"body": "A harmless edit."}, **HTMX)

        posted.refresh_from_db()
        assert posted.status == Comment.Status.PENDING
        assert list(posted.hold_reasons.values_list("code", flat=True)) == ["pre_site"]

    def test_a_clean_edit_is_not_held_for_posting_rules_like_a_repeat(self, author, posted):
        # The edit is the author's second text within seconds from the same
        # address: the posting rules (repeat, rate, first comment) do not apply.
        author.post(edit_url(posted), {"body": "A fine second version."}, **HTMX)

        posted.refresh_from_db()
        assert posted.is_visible()
        assert not posted.hold_reasons.exists()


class TestModeratorsSeeThePreviousText:
    @pytest.fixture
    def edited(self, author, posted):
        author.post(edit_url(posted), {"body": "Now with a casino bonus."}, **HTMX)
        return posted

    def test_the_queue_card_shows_the_text_before_the_edit(self, client, editor, edited):
        client.force_login(editor)

        page = text(client.get(reverse("admin:comments_comment_queue")))

        assert "Edited by its author" in page
        assert "The first version." in page
        assert "Now with a <mark>casino bonus</mark>." in page  # the term that held it

    def test_the_comment_admin_shows_the_text_before_the_edit(self, client, editor, edited):
        client.force_login(editor)

        page = text(client.get(reverse("admin:comments_comment_change", args=[edited.pk])))

        assert "Before its author&#x27;s edits" in page
        assert "<q>The first version.</q>" in page
        assert CommentEdit.objects.filter(comment=edited).count() == 1
