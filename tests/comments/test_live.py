"""Live updates of a thread: the cursor, the poll endpoint and when a page polls."""

import html
import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import caching
from articles.live import MOST_SHOWN, Cursor
from comments import live
from comments.editing import apply_edit
from comments.models import Comment, DeletedComment
from comments.moderation import decide
from tests.comments.helpers import comment_data
from tests.comments.test_views import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change as if its transaction committed: caches move on."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def poll_url(page):
    """The URL the page polls, as the script reads it from the page."""
    found = re.search(r'data-live-poll="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def check_url(page):
    found = re.search(r'class="comments__check" href="[^"]+" data-hx-get="([^"]+)"', page)
    return html.unescape(found.group(1))


def show_url(answer):
    return html.unescape(re.search(r'data-hx-get="([^"]+&amp;show=1[^"]*)"', answer).group(1))


def answer_after(client, article, committed, change):
    """A poll's answer from a page loaded before ``change()`` committed."""
    url = poll_url(page_of(client, article))
    with committed():
        change()
    return client.get(url, **HTMX).content.decode()


def page_of(client, article):
    return client.get(article.get_absolute_url()).content.decode()


class TestCursor:
    def test_a_signed_cursor_reads_back_the_same(self):
        cursor = Cursor(timezone.now(), 42)
        assert Cursor.read(cursor.sign("x"), "x") == cursor

    @pytest.mark.parametrize("value", ["", "garbage", "2026-01-01T00:00:00~1", None])
    def test_anything_the_server_did_not_sign_is_no_cursor(self, value):
        assert Cursor.read(value, "x") is None

    def test_a_cursor_signed_for_something_else_is_no_cursor(self):
        assert Cursor.read(Cursor(timezone.now(), 1).sign("other"), "x") is None

    def test_the_id_orders_changes_made_at_the_same_time(self):
        at = timezone.now()
        assert Cursor(at, 2) > Cursor(at, 1) and Cursor(at + timedelta(microseconds=1), 1) > (
            Cursor(at, 2)
        )


class TestWhenReadersSawAComment:
    def test_a_comment_posted_visible_is_stamped(self, make_comment):
        comment = make_comment()
        comment.refresh_from_db()
        assert comment.shown_changed_at is not None

    def test_a_held_comment_is_not_stamped_until_approved(self, make_comment, editor):
        comment = make_comment(status=Comment.Status.PENDING, created_at=timezone.now())
        comment.refresh_from_db()
        assert comment.shown_changed_at is None
        before = timezone.now()
        decide(Comment.objects.filter(pk=comment.pk), Comment.Status.APPROVED, editor)
        comment.refresh_from_db()
        assert comment.shown_changed_at >= before > comment.created_at

    def test_removing_a_comment_stamps_it_again(self, make_comment, editor):
        comment = make_comment()
        comment.refresh_from_db()
        shown = comment.shown_changed_at
        decide(Comment.objects.filter(pk=comment.pk), Comment.Status.REJECTED, editor)
        comment.refresh_from_db()
        assert comment.shown_changed_at > shown

    def test_the_newest_change_costs_one_query_that_uses_the_live_indexes(self, make_comment):
        comment = make_comment()
        with CaptureQueriesContext(connection) as captured:
            latest = live.latest(comment.article)
        # The other query is the next go-live, which every cache entry reads once a minute.
        queries = [q["sql"] for q in captured if "comments_comment" in q["sql"]]
        assert len(queries) == 1
        assert latest.pk == comment.pk
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {queries[0]}")
                plan = " ".join(str(row) for row in cursor.fetchall())
            assert "comment_live" in plan and "deleted_comment_live" in plan

    def test_existing_visible_comments_are_filled_from_their_approval_or_posting(
        self, make_comment, editor
    ):
        posted = make_comment()
        approved = make_comment(status=Comment.Status.PENDING)
        decide(Comment.objects.filter(pk=approved.pk), Comment.Status.APPROVED, editor)
        held = make_comment(status=Comment.Status.PENDING)
        Comment.objects.update(shown_changed_at=None)
        migration = importlib.import_module("comments.migrations.0019_fill_shown_changed_at")
        migration.fill(apps, None)
        stamps = dict(Comment.objects.values_list("pk", "shown_changed_at"))
        approved.refresh_from_db()
        assert stamps[posted.pk] == posted.created_at
        assert stamps[approved.pk] == approved.moderated_at
        assert stamps[held.pk] is None

    def test_existing_visible_comments_first_appeared_at_their_last_shown_change(
        self, make_comment, editor
    ):
        posted = make_comment()
        held = make_comment(status=Comment.Status.PENDING)
        Comment.objects.update(first_shown_at=None)
        migration = importlib.import_module("comments.migrations.0021_fill_first_shown_at")
        migration.fill(apps, None)
        posted.refresh_from_db()
        assert posted.first_shown_at == posted.shown_changed_at is not None
        assert Comment.objects.get(pk=held.pk).first_shown_at is None

    def test_an_edit_stamps_the_change_but_keeps_when_the_comment_first_appeared(
        self, make_comment
    ):
        comment = make_comment()
        comment.refresh_from_db()
        first = comment.first_shown_at
        assert first == comment.shown_changed_at is not None
        apply_edit(Comment.objects.get(pk=comment.pk), "Corrected: the vote was 7 to 2.")
        comment.refresh_from_db()
        assert comment.shown_changed_at > first
        assert comment.first_shown_at == first

    def test_a_removed_comment_forgets_when_it_first_appeared(self, make_comment, editor):
        comment = make_comment()
        decide(Comment.objects.filter(pk=comment.pk), Comment.Status.REJECTED, editor)
        comment.refresh_from_db()
        assert comment.first_shown_at is None
        decide(Comment.objects.filter(pk=comment.pk), Comment.Status.APPROVED, editor)
        comment.refresh_from_db()
        assert comment.first_shown_at == comment.shown_changed_at


class TestPolling:
    def test_an_open_thread_polls_at_the_configured_interval(
        self, reader_client, make_comment, settings
    ):
        settings.NEWSROOM_LIVE_POLL_SECONDS = 7
        page = page_of(reader_client, make_comment().article)
        assert poll_url(page) and 'data-live-every="7"' in page
        assert "Check for new comments" in page  # the no-JS link; the script hides it

    def test_nothing_new_is_a_204_without_a_query(
        self, reader_client, make_comment, django_assert_num_queries
    ):
        article = make_comment().article
        url = poll_url(page_of(reader_client, article))
        with django_assert_num_queries(0):
            response = reader_client.get(url, **HTMX)
        assert response.status_code == 204 and response.content == b""

    def test_nothing_new_costs_one_indexed_query_when_the_thread_changed(
        self, reader_client, make_comment, django_assert_num_queries, committed
    ):
        comment = make_comment()
        url = poll_url(page_of(reader_client, comment.article))
        with committed():
            make_comment(article=comment.article, status=Comment.Status.PENDING)
            caching.invalidate_thread(comment.article)  # as any change readers see does
        # The newest change, which the comment_live index answers; no comment count.
        with django_assert_num_queries(1) as captured:
            assert reader_client.get(url, **HTMX).status_code == 204
        assert "shown_changed_at" in captured.captured_queries[0]["sql"]
        with django_assert_num_queries(0):
            assert reader_client.get(url, **HTMX).status_code == 204

    def test_an_empty_thread_polls_too(self, reader_client, make_article):
        article = make_article()
        url = poll_url(page_of(reader_client, article))
        assert reader_client.get(url, **HTMX).status_code == 204

    def test_a_comment_approved_after_the_page_loaded_is_announced_not_inserted(
        self, reader_client, make_comment, editor, committed
    ):
        first = make_comment()
        article = first.article
        held = make_comment(article=article, status=Comment.Status.PENDING, body="Late but good.")
        url = poll_url(page_of(reader_client, article))
        with committed():
            decide(Comment.objects.filter(pk=held.pk), Comment.Status.APPROVED, editor)
        answer = reader_client.get(url, **HTMX).content.decode()
        assert "1 new comment — show" in answer
        assert 'data-live-announce="1 new comment."' in answer
        assert "Late but good." not in answer  # nothing moves until the reader asks

    def test_the_count_grows_until_the_reader_shows_them(
        self, reader_client, make_comment, committed
    ):
        article = make_comment().article
        url = poll_url(page_of(reader_client, article))
        with committed():
            make_comment(article=article)
        answer = reader_client.get(url, **HTMX).content.decode()
        with committed():
            make_comment(article=article)
        assert (
            "2 new comments — show" in reader_client.get(poll_url(answer), **HTMX).content.decode()
        )

    def test_showing_brings_the_comments_through_the_thread_fragment(
        self, reader_client, make_comment, committed
    ):
        parent = make_comment(body="The parent.")
        article = parent.article
        url = poll_url(page_of(reader_client, article))
        with committed():
            reply = make_comment(parent=parent, body="A reply that arrived.")
            top = make_comment(article=article, body="A new top-level comment.")
        announced = reader_client.get(url, **HTMX).content.decode()
        shown = reader_client.get(show_url(announced), **HTMX).content.decode()
        assert f'<ol data-parent="{parent.pk}"><li id="comment-{reply.pk}"' in shown
        assert f'<ol data-parent=""><li id="comment-{top.pk}"' in shown
        assert "A reply that arrived." in shown and "Comments (3)" in shown
        assert "— show" not in shown
        # The next poll starts after them: nothing new.
        assert reader_client.get(poll_url(shown), **HTMX).status_code == 204

    def test_an_edited_comment_is_announced_as_edited_not_as_new(
        self, reader_client, make_comment, committed
    ):
        comment = make_comment(body="The vote was 7 to 3.")
        answer = answer_after(
            reader_client, comment.article, committed, lambda: apply_edit(comment, "7 to 2.")
        )
        assert "1 comment edited — show" in answer
        assert 'data-live-announce="1 comment edited."' in answer
        assert not re.search(r"\d+ new comment", answer)
        assert 'data-comments-waiting=""' in answer
        assert f'data-comments-edited="{comment.pk}"' in answer

    def test_new_and_edited_comments_are_counted_apart(
        self, reader_client, make_comment, committed
    ):
        comment = make_comment()
        article = comment.article
        added = []

        def edit_and_add():
            apply_edit(comment, "Second thoughts.")
            added.extend(make_comment(article=article) for _ in range(2))

        answer = answer_after(reader_client, article, committed, edit_and_add)
        first, second = added
        assert "2 new comments, 1 edited — show" in answer
        assert f'data-comments-waiting="{first.pk} {second.pk}"' in answer
        assert f'data-comments-edited="{comment.pk}"' in answer

    def test_showing_an_edit_brings_its_new_text_to_replace_the_old(
        self, reader_client, make_comment, committed
    ):
        comment = make_comment(body="The vote was 7 to 3.")
        announced = answer_after(
            reader_client,
            comment.article,
            committed,
            lambda: apply_edit(comment, "The vote was 7 to 2."),
        )
        page = reader_client.get(show_url(announced), **HTMX).content.decode()
        assert f'<ol data-parent="" data-edited><li id="comment-{comment.pk}"' in page
        assert "The vote was 7 to 2." in page
        assert "Comments (1)" in page  # the count did not grow
        assert reader_client.get(poll_url(page), **HTMX).status_code == 204

    def test_a_comment_brought_back_after_the_page_lost_it_is_new_again(
        self, reader_client, make_comment, editor, committed
    ):
        comment = make_comment()
        chosen = Comment.objects.filter(pk=comment.pk)
        decide(chosen, Comment.Status.REJECTED, editor)
        answer = answer_after(
            reader_client,
            comment.article,
            committed,
            lambda: decide(chosen, Comment.Status.APPROVED, editor),
        )
        assert "1 new comment — show" in answer
        assert 'data-comments-edited=""' in answer

    @pytest.mark.parametrize("removal", ["rejected", "deleted"])
    def test_a_comment_removed_meanwhile_is_listed_to_go(
        self, reader_client, make_comment, editor, committed, removal
    ):
        comment = make_comment()
        make_comment(article=comment.article)  # stays: the count below is 1
        url = poll_url(page_of(reader_client, comment.article))
        with committed():
            if removal == "rejected":
                decide(Comment.objects.filter(pk=comment.pk), Comment.Status.REJECTED, editor)
            else:
                Comment.objects.get(pk=comment.pk).delete()
        answer = reader_client.get(url, **HTMX).content.decode()
        assert f'data-comments-removed="{comment.pk}"' in answer
        assert "— show" not in answer and "Comments (1)" in answer
        assert reader_client.get(poll_url(answer), **HTMX).status_code == 204

    def test_rejecting_a_comment_nobody_saw_wakes_no_open_page(
        self, reader_client, make_comment, editor, committed
    ):
        article = make_comment().article
        held = make_comment(article=article, status=Comment.Status.PENDING)
        url = poll_url(page_of(reader_client, article))
        with committed():
            decide(Comment.objects.filter(pk=held.pk), Comment.Status.REJECTED, editor)
        assert reader_client.get(url, **HTMX).status_code == 204
        held.refresh_from_db()
        assert held.shown_changed_at is None

    def test_a_burst_of_comments_asks_for_a_reload(self, reader_client, make_comment, committed):
        article = make_comment().article
        url = poll_url(page_of(reader_client, article))
        with committed():
            for _ in range(MOST_SHOWN + 1):
                make_comment(article=article)
        answer = reader_client.get(url, **HTMX).content.decode()
        assert "Many new comments — reload" in answer and "show=1" not in answer

    def test_a_closed_thread_does_not_poll_and_offers_a_check(self, reader_client, make_comment):
        article = make_comment().article
        article.comments_open = False
        article.save()
        page = page_of(reader_client, article)
        assert poll_url(page) is None
        assert reader_client.get(check_url(page), **HTMX).status_code == 204

    @pytest.mark.parametrize(("days_since_last", "polls"), [(15, False), (13, True)])
    def test_a_thread_nobody_commented_on_for_14_days_is_not_polled(
        self, reader_client, make_article, make_comment, days_since_last, polls
    ):
        article = make_article(published_at=timezone.now() - timedelta(days=30))
        comment = make_comment(article=article)
        Comment.objects.filter(pk=comment.pk).update(
            shown_changed_at=timezone.now() - timedelta(days=days_since_last)
        )
        page = page_of(reader_client, article)
        assert bool(poll_url(page)) is polls and "Check for new comments" in page

    def test_an_old_article_nobody_commented_on_does_not_poll(self, reader_client, make_article):
        article = make_article(published_at=timezone.now() - timedelta(days=15))
        assert poll_url(page_of(reader_client, article)) is None

    def test_a_cursor_the_server_did_not_give_is_a_clear_400(self, reader_client, make_article):
        url = reverse("comments:live", args=[make_article().slug]) + "?after=forged~1"
        response = reader_client.get(url, **HTMX)
        assert response.status_code == 400
        assert "reload the page" in response.content.decode()

    def test_without_javascript_the_link_reloads_the_thread(self, reader_client, make_article):
        article = make_article()
        response = reader_client.get(reverse("comments:live", args=[article.slug]))
        assert response.status_code == 302
        assert response["Location"] == f"{article.get_absolute_url()}#comments"

    def test_answers_are_shared_briefly_and_purged_with_the_article(
        self, reader_client, make_comment
    ):
        article = make_comment().article
        response = reader_client.get(poll_url(page_of(reader_client, article)), **HTMX)
        assert "s-maxage=5" in response["Cache-Control"] and "public" in response["Cache-Control"]
        assert response["Surrogate-Key"] == f"article-{article.pk}"
        assert "HX-Request" in response["Vary"]

    def test_a_draft_preview_has_no_live_updates(self, client, editor, make_article):
        article = make_article(status="draft")
        client.force_login(editor)
        page = client.get(article.get_absolute_url()).content.decode()
        assert 'id="comments-live"' not in page


class TestDeletedComments:
    def test_a_comment_deleted_in_the_admin_is_listed_to_go(
        self, reader_client, admin_client, make_comment, committed
    ):
        comment = make_comment()
        url = poll_url(page_of(reader_client, comment.article))
        with committed():
            admin_client.post(
                reverse("admin:comments_comment_delete", args=[comment.pk]), {"post": "yes"}
            )
        assert not Comment.objects.filter(pk=comment.pk).exists()
        answer = reader_client.get(url, **HTMX).content.decode()
        assert f'data-comments-removed="{comment.pk}"' in answer

    def test_a_comment_deleted_with_its_replies_lists_them_all_to_go(
        self, reader_client, make_comment, committed
    ):
        parent = make_comment()
        reply = make_comment(parent=parent)
        url = poll_url(page_of(reader_client, parent.article))
        with committed():
            Comment.objects.get(pk=parent.pk).delete()
        answer = reader_client.get(url, **HTMX).content.decode()
        listed = re.search(r'data-comments-removed="([^"]*)"', answer).group(1).split()
        assert sorted(listed) == sorted([str(parent.pk), str(reply.pk)])
        assert "Comments (" not in answer  # none left

    def test_a_comment_rejected_then_deleted_is_still_listed_to_go(
        self, reader_client, make_comment, editor, committed
    ):
        comment = make_comment()
        make_comment(article=comment.article)
        url = poll_url(page_of(reader_client, comment.article))
        with committed():
            decide(Comment.objects.filter(pk=comment.pk), Comment.Status.REJECTED, editor)
            Comment.objects.get(pk=comment.pk).delete()
        answer = reader_client.get(url, **HTMX).content.decode()
        assert f'data-comments-removed="{comment.pk}"' in answer

    def test_deleting_a_comment_nobody_saw_wakes_no_open_page(
        self, reader_client, make_comment, committed
    ):
        article = make_comment().article
        held = make_comment(article=article, status=Comment.Status.PENDING)
        url = poll_url(page_of(reader_client, article))
        with committed():
            Comment.objects.get(pk=held.pk).delete()
        assert reader_client.get(url, **HTMX).status_code == 204
        assert not DeletedComment.objects.exists()

    def test_the_first_empty_poll_after_a_deletion_costs_one_query(
        self, reader_client, make_comment, committed, django_assert_num_queries
    ):
        comment = make_comment()
        article = comment.article
        with committed():
            Comment.objects.get(pk=comment.pk).delete()
        url = poll_url(page_of(reader_client, article))  # its cursor is the deletion's
        with committed():
            caching.invalidate_thread(article)
        with django_assert_num_queries(1):
            assert reader_client.get(url, **HTMX).status_code == 204

    def test_a_deletion_after_every_comment_is_the_newest_change(self, make_comment):
        kept = make_comment()
        deleted = make_comment(article=kept.article)
        Comment.objects.get(pk=deleted.pk).delete()
        latest = live.latest(kept.article)
        kept.refresh_from_db()
        assert latest.pk == deleted.pk
        assert latest.at == DeletedComment.objects.get().deleted_at > kept.shown_changed_at

    def test_deleted_comments_are_forgotten_after_a_day(self, make_comment):
        Comment.objects.get(pk=make_comment().pk).delete()
        DeletedComment.objects.update(deleted_at=timezone.now() - timedelta(days=1, minutes=1))
        recent = make_comment()
        Comment.objects.get(pk=recent.pk).delete()
        assert list(DeletedComment.objects.values_list("comment_id", flat=True)) == [recent.pk]

    def test_deleting_an_article_remembers_none_of_its_comments(self, make_comment):
        article = make_comment().article
        article.delete()
        assert not Comment.objects.exists() and not DeletedComment.objects.exists()


class TestStatusRegion:
    def test_the_thread_has_one_polite_status_region(self, reader_client, make_article):
        page = page_of(reader_client, make_article())
        assert page.count('id="comment-status"') == 1
        assert 'role="status" aria-live="polite" aria-atomic="true"' in page

    def test_a_published_comment_is_announced(self, reader_client, make_article):
        article = make_article()
        response = reader_client.post(
            reverse("comments:thread", args=[article.slug]), comment_data(article), **HTMX
        )
        comment = Comment.objects.get()
        assert (
            '<div id="comment-status" data-hx-swap-oob="innerHTML">'
            f'<span data-focus="comment-{comment.pk}">Your comment is published.</span>'
        ) in response.content.decode()

    def test_a_held_comment_is_announced_with_its_reason(
        self, reader_client, make_article, discussion_settings
    ):
        discussion_settings(moderation_mode="pre")
        article = make_article()
        response = reader_client.post(
            reverse("comments:thread", args=[article.slug]), comment_data(article), **HTMX
        )
        assert (
            "Your comment is awaiting review. Every comment is reviewed by a moderator "
            "before it appears.</div>"
        ) in response.content.decode()


class TestEmptyPollsAnsweredEarly:
    def test_an_empty_poll_skips_the_rest_of_the_middleware(self, reader_client, make_comment):
        url = poll_url(page_of(reader_client, make_comment().article))
        response = reader_client.get(url, **HTMX)
        assert response.status_code == 204
        # The security-policy and framing middleware further down never ran.
        assert "X-Frame-Options" not in response and "Content-Security-Policy" not in response

    def test_a_poll_with_news_goes_the_ordinary_way(self, reader_client, make_comment, committed):
        article = make_comment().article
        url = poll_url(page_of(reader_client, article))
        with committed():
            make_comment(article=article)
        response = reader_client.get(url, **HTMX)
        assert response.status_code == 200 and response["X-Frame-Options"] == "DENY"

    def test_an_unknown_article_is_the_ordinary_404(self, reader_client):
        url = reverse("comments:live", args=["no-such-story"]) + "?after=x"
        assert reader_client.get(url, **HTMX).status_code == 404
