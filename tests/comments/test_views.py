"""The comment endpoints, each driven twice: as a plain form post and through htmx."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments import moderation
from comments.models import Comment, CommentReport
from comments.threads import thread_changed
from tests.comments.helpers import comment_data, issued
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def reader(client):
    client.defaults["HTTP_USER_AGENT"] = READER_UA
    return client


def post_url(article):
    return reverse("comments:thread", args=[article.slug])


def page_of(client, article, query=""):
    return client.get(article.get_absolute_url() + query).content.decode()


class TestThreadOnTheArticlePage:
    def test_the_comment_list_is_the_same_for_every_reader(self, client, make_comment):
        """No per-reader token inside the list, so one cached copy serves everyone."""
        comment = make_comment()
        page = client.get(comment.article.get_absolute_url()).content.decode()
        comment_list = page[page.index('id="comment-list"') : page.index('id="comments-more"')]
        assert "csrfmiddlewaretoken" not in comment_list

    @pytest.mark.django_db(transaction=True)
    def test_a_new_comment_shows_at_once_despite_the_cache(self, reader, make_article):
        article = make_article()
        page_of(reader, article)
        reader.post(post_url(article), comment_data(article, body="Fresh thought"))
        assert "Fresh thought" in page_of(reader, article)

    def test_heading_counts_visible_comments(self, reader, make_article, make_comment):
        article = make_article()
        for _ in range(3):
            make_comment(article=article)
        make_comment(article=article, status="pending")
        assert "Comments (3)" in page_of(reader, article)

    def test_an_empty_thread_invites_the_first_comment(self, reader, make_article):
        assert "No comments yet — start the conversation." in page_of(reader, make_article())

    def test_comment_shows_author_relative_time_permalink_and_reply(self, reader, make_comment):
        comment = make_comment(author_name="Priya", body="Well reported.")
        page = page_of(reader, comment.article)
        assert f'id="comment-{comment.pk}"' in page
        assert f'href="#comment-{comment.pk}"' in page
        assert "Priya" in page and "Well reported." in page
        assert f'datetime="{comment.created_at.isoformat()[:19]}' in page
        assert "ago" in page or "now" in page
        assert reverse("comments:reply", args=[comment.pk]) in page

    def test_body_is_text_with_links_and_line_breaks(self, reader, make_comment):
        comment = make_comment(body="Line one\nline two\n\nSee https://example.com/a?b=1&c=2.")
        page = page_of(reader, comment.article)
        assert "<p>Line one<br>line two</p>" in page
        assert (
            '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
            "https://example.com/a?b=1&amp;c=2</a>." in page
        )

    @pytest.mark.parametrize(
        "evil",
        [
            "<script>alert(1)</script>",
            '<img src=x onerror="alert(1)">',
            '<a href="javascript:alert(1)">click</a>',
            "javascript:alert(1)",
        ],
    )
    def test_markup_in_name_and_body_is_shown_as_text(self, reader, make_comment, evil):
        comment = make_comment(author_name=evil, body=evil)
        page = page_of(reader, comment.article)
        thread = page[page.index('id="comments"') :]
        if "<" in evil:
            assert evil not in thread
        assert "<script>alert" not in thread and "<img" not in thread
        assert 'href="javascript:' not in thread

    def test_hidden_comments_are_not_shown(self, reader, make_comment):
        comment = make_comment(body="Buy pills", status="spam")
        assert "Buy pills" not in page_of(reader, comment.article)

    def test_no_js_pages_of_comments_via_links(self, reader, make_article, make_comment, settings):
        settings.NEWSROOM_COMMENTS_PER_PAGE = 2
        article = make_article()
        for n in range(5):
            make_comment(article=article, body=f"Comment body {n}")
        first = page_of(reader, article)
        assert "Load more comments" in first and "?cpage=2&amp;csort=newest#comments" in first
        second = page_of(reader, article, "?cpage=2&csort=newest")
        assert "Comment body 2" in second and "Comment body 4" not in second

    def test_sort_toggle_without_js(self, reader, make_article, make_comment):
        article = make_article()
        make_comment(article=article, body="First ever")
        make_comment(article=article, body="Latest one")
        oldest = page_of(reader, article, "?csort=oldest")
        assert oldest.index("First ever") < oldest.index("Latest one")
        assert 'aria-current="true">Oldest first' in oldest

    def test_page_with_500_comments_three_deep_stays_within_8_queries(
        self, reader, make_article, make_comment, django_assert_max_num_queries
    ):
        article = make_article(sources=["ESPN", "UEFA.com"])
        rows = []
        for _ in range(100):
            rows.append(
                Comment(article=article, author_name="A", body="top", status="approved", reader="r")
            )
        tops = Comment.objects.bulk_create(rows)
        seconds = Comment.objects.bulk_create(
            Comment(
                article=article,
                parent=t,
                root=t,
                depth=1,
                author_name="B",
                body="reply",
                status="approved",
                reader="r",
            )
            for t in tops
            for _ in range(2)
        )
        Comment.objects.bulk_create(
            Comment(
                article=article,
                parent=s,
                root_id=s.root_id,
                depth=2,
                author_name="C",
                body="deep",
                status="approved",
                reader="r",
            )
            for s in seconds
        )
        assert Comment.objects.filter(article=article).count() == 500
        thread_changed(article.pk)  # bulk_create sends no signals
        # A first reader renders the shared fragments (navigation, most read, related).
        reader.get(article.get_absolute_url(), HTTP_USER_AGENT=READER_UA + " first")
        with django_assert_max_num_queries(8):
            response = reader.get(article.get_absolute_url())
        assert "Comments (500)" in response.content.decode()
        assert response.content.decode().count('class="comment"') == 20 * 5


class TestPostingWithoutJavaScript:
    def test_posts_and_redirects_to_the_new_comment(self, reader, make_article):
        article = make_article()
        response = reader.post(post_url(article), comment_data(article, body="Great piece."))
        comment = Comment.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
        assert comment.status == "approved" and comment.reader and len(comment.reader) == 64
        page = reader.get(response["Location"]).content.decode()
        assert "Great piece." in page and "Your comment has been posted." in page

    def test_a_held_comment_says_it_awaits_moderation(self, reader, make_article):
        article = make_article(comment_moderation="pre")
        response = reader.post(post_url(article), comment_data(article), follow=True)
        assert "awaiting moderation" in response.content.decode()
        assert Comment.objects.get().status == "pending"

    def test_errors_re_render_the_article_with_everything_typed(self, reader, make_article):
        article = make_article()
        response = reader.post(
            post_url(article),
            comment_data(article, author_name="  ", body="My long considered view"),
        )
        page = response.content.decode()
        assert response.status_code == 422
        assert article.headline in page
        assert "Please give a name to post under." in page
        assert "My long considered view</textarea>" in page
        assert 'value="jane@example.com"' in page
        assert not Comment.objects.exists()

    def test_reply_posts_under_its_parent(self, reader, make_comment):
        parent = make_comment()
        response = reader.post(
            post_url(parent.article), comment_data(parent.article, parent=parent.pk)
        )
        reply = Comment.objects.get(parent=parent)
        assert response["Location"].endswith(f"#comment-{reply.pk}")

    def test_a_reply_deep_in_the_thread_lands_on_the_page_that_shows_it(
        self, reader, make_article, make_comment, settings
    ):
        settings.NEWSROOM_COMMENTS_PER_PAGE = 2
        article = make_article()
        from datetime import timedelta

        from django.utils import timezone

        oldest = make_comment(article=article, created_at=timezone.now() - timedelta(hours=1))
        for _ in range(3):
            make_comment(article=article)
        response = reader.post(post_url(article), comment_data(article, parent=oldest.pk))
        reply = Comment.objects.get(parent=oldest)
        assert response["Location"].endswith(f"?cpage=2&csort=newest#comment-{reply.pk}")
        assert f'id="comment-{reply.pk}"' in reader.get(response["Location"]).content.decode()

    def test_reply_form_has_its_own_page(self, reader, make_comment):
        parent = make_comment(author_name="Omar", body="Original point")
        response = reader.get(reverse("comments:reply", args=[parent.pk]))
        page = response.content.decode()
        assert response.status_code == 200
        assert "Reply to Omar" in page and "Original point" in page
        assert f'name="parent" value="{parent.pk}"' in page
        assert f'action="{post_url(parent.article)}#reply-form-{parent.pk}"' in page

    def test_invalid_reply_re_renders_the_reply_page(self, reader, make_comment):
        parent = make_comment(author_name="Omar")
        response = reader.post(
            post_url(parent.article), comment_data(parent.article, parent=parent.pk, body="   ")
        )
        assert response.status_code == 422
        assert "Reply to Omar" in response.content.decode()

    def test_load_more_link_without_js_goes_to_the_page(
        self, reader, make_article, make_comment, settings
    ):
        settings.NEWSROOM_COMMENTS_PER_PAGE = 1
        article = make_article()
        make_comment(article=article), make_comment(article=article)
        response = reader.get(reverse("comments:more", args=[article.slug]) + "?page=2")
        assert response.status_code == 302
        assert response["Location"] == f"{article.get_absolute_url()}?cpage=2&csort=newest#comments"

    def test_report_without_js(self, reader, make_comment):
        comment = make_comment(body="Rude remark")
        confirm = reader.get(reverse("comments:report", args=[comment.pk]))
        assert confirm.status_code == 200
        assert "Report this comment?" in confirm.content.decode()
        assert "Rude remark" in confirm.content.decode()
        assert not CommentReport.objects.exists()
        url = reverse("comments:report", args=[comment.pk])
        response = reader.post(url, {"reason": "abuse"}, follow=True)
        assert "Thank you for your report" in response.content.decode()
        again = reader.post(url, {"reason": "abuse"}, follow=True)
        assert "already reported" in again.content.decode()
        assert CommentReport.objects.count() == 1


class TestPostingWithHtmx:
    def test_returns_a_fresh_form_and_the_comment_out_of_band(self, reader, make_article):
        article = make_article()
        response = reader.post(post_url(article), comment_data(article, body="Spot on."), **HTMX)
        page = response.content.decode()
        comment = Comment.objects.get()
        assert response.status_code == 200
        assert "<html" not in page
        assert 'id="comment-form"' in page and "Your comment has been posted." in page
        assert '<textarea name="body"' in page and "Spot on.</textarea>" not in page
        assert 'data-hx-swap-oob="afterbegin:#comment-list"' in page
        assert f'id="comment-{comment.pk}"' in page and "Spot on." in page
        assert 'id="comments-heading" data-hx-swap-oob="true">Comments (1)' in page

    def test_in_oldest_order_the_comment_goes_at_the_end(self, reader, make_article):
        article = make_article()
        response = reader.post(post_url(article), comment_data(article, sort="oldest"), **HTMX)
        assert 'data-hx-swap-oob="beforeend:#comment-list"' in response.content.decode()

    def test_held_comment_is_announced_not_shown(self, reader, make_article):
        article = make_article(comment_moderation="pre")
        response = reader.post(post_url(article), comment_data(article, body="Held text"), **HTMX)
        page = response.content.decode()
        assert "Your comment is awaiting moderation." in page
        assert "Held text" not in page
        # The one out-of-band swap is the thread's status region, which says so.
        assert page.count("hx-swap-oob") == 1 and '<div id="comment-status"' in page

    def test_errors_come_back_in_the_form_with_the_text(self, reader, make_article):
        article = make_article()
        response = reader.post(
            post_url(article), comment_data(article, body="x" * 5001, author_name="Kim"), **HTMX
        )
        page = response.content.decode()
        assert response.status_code == 422
        assert "<html" not in page and 'id="comment-form"' in page
        assert "5,000" in page and 'value="Kim"' in page and "x" * 5001 in page
        assert 'aria-invalid="true"' in page

    def test_reply_form_is_a_fragment(self, reader, make_comment):
        parent = make_comment(author_name="Omar")
        response = reader.get(reverse("comments:reply", args=[parent.pk]), **HTMX)
        page = response.content.decode()
        assert "<html" not in page and f'id="reply-form-{parent.pk}"' in page
        assert f'name="parent" value="{parent.pk}"' in page
        assert "HX-Request" in response["Vary"]

    def test_reply_is_appended_under_its_parent(self, reader, make_comment):
        parent = make_comment()
        response = reader.post(
            post_url(parent.article),
            comment_data(parent.article, parent=parent.pk, body="A reply"),
            **HTMX,
        )
        page = response.content.decode()
        assert f'data-hx-swap-oob="beforeend:#replies-{parent.pk}"' in page
        assert "Your reply has been posted." in page and "A reply" in page

    def test_load_more_appends_the_next_page(self, reader, make_article, make_comment, settings):
        settings.NEWSROOM_COMMENTS_PER_PAGE = 2
        article = make_article()
        for n in range(5):
            make_comment(article=article, body=f"Comment body {n}")
        url = reverse("comments:more", args=[article.slug]) + "?page=2&sort=oldest"
        response = reader.get(url, **HTMX)
        page = response.content.decode()
        assert 'data-hx-swap-oob="beforeend:#comment-list"' in page
        assert "Comment body 2" in page and "Comment body 3" in page
        assert "Comment body 1" not in page and "Comment body 4" not in page
        assert "page=3&amp;sort=oldest" in page

    def test_load_more_is_a_few_queries(
        self, reader, make_article, make_comment, django_assert_num_queries
    ):
        article = make_article()
        for _ in range(45):
            make_comment(parent=make_comment(article=article))
        url = reverse("comments:more", args=[article.slug]) + "?page=2"
        # The site's discussion settings, and with them the next go-live that
        # cache entries expire at: shared by every page, warm here on every backend.
        moderation.policy()
        # Cold: the article with its sources, credits and topics, its comment
        # count, the page's top-level comments and their replies. Warm: nothing.
        with django_assert_num_queries(7):
            assert reader.get(url, **HTMX).status_code == 200
        with django_assert_num_queries(0):
            assert reader.get(url, **HTMX).status_code == 200

    def test_sort_toggle_swaps_the_thread(self, reader, make_article, make_comment):
        article = make_article()
        make_comment(article=article, body="Only comment")
        response = reader.get(post_url(article) + "?sort=oldest", **HTMX)
        page = response.content.decode()
        assert page.lstrip().startswith('<section id="comments"') and "Only comment" in page

    def test_report_replaces_the_button(self, reader, make_comment):
        comment = make_comment()
        url = reverse("comments:report", args=[comment.pk])
        response = reader.post(url, {"reason": "abuse"}, **HTMX)
        assert "Thank you for your report" in response.content.decode()


class TestRulesAtTheEndpoint:
    def test_closed_thread_says_so_and_accepts_nothing(self, reader, make_article):
        article = make_article(comments_open=False)
        assert "Comments on this article are closed." in page_of(reader, article)
        assert 'id="comment-form"' not in page_of(reader, article)
        plain = reader.post(post_url(article), comment_data(article))
        htmx = reader.post(post_url(article), comment_data(article), **HTMX)
        assert plain.status_code == htmx.status_code == 403
        assert "closed" in htmx.content.decode()
        assert not Comment.objects.exists()

    def test_rate_limit_gives_429_with_when_to_try_again(
        self, reader, make_article, discussion_settings
    ):
        discussion_settings(comments_per_reader=2)
        article = make_article()
        for n in range(2):
            reader.post(post_url(article), comment_data(article, body=f"Comment {n}"))
        plain = reader.post(post_url(article), comment_data(article, body="Third plain"))
        htmx = reader.post(post_url(article), comment_data(article, body="Third htmx"), **HTMX)
        for response, typed in ((plain, "Third plain"), (htmx, "Third htmx")):
            page = response.content.decode()
            assert response.status_code == 429
            assert "You have posted several comments in a short time." in page
            assert "Please try again in 10 minutes." in page
            assert f"{typed}</textarea>" in page
            assert int(response["Retry-After"]) > 500
        assert Comment.objects.count() == 2

    def test_csrf_is_required_on_both_paths(self, make_article):
        article = make_article()
        client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=READER_UA)
        assert client.post(post_url(article), comment_data(article)).status_code == 403
        assert client.post(post_url(article), comment_data(article), **HTMX).status_code == 403
        form = client.get(reverse("comments:form", args=[article.slug]), **HTMX).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        response = client.post(
            post_url(article), comment_data(article, csrfmiddlewaretoken=token), **HTMX
        )
        assert response.status_code == 200
        assert Comment.objects.count() == 1

    @pytest.mark.parametrize("token", ["tampered", ""])
    def test_a_tampered_timestamp_gets_a_clear_error(self, reader, make_article, token):
        article = make_article()
        response = reader.post(post_url(article), comment_data(article, issued=token))
        assert response.status_code == 422
        assert (
            "could not be posted" in response.content.decode()
            or "required" in response.content.decode()
        )

    def test_posting_too_fast_is_refused_keeping_the_text(self, reader, make_article):
        article = make_article()
        response = reader.post(
            post_url(article),
            comment_data(article, issued=issued(article, 0), body="Quick one"),
            **HTMX,
        )
        page = response.content.decode()
        assert (
            response.status_code == 422 and "very quick" in page and "Quick one</textarea>" in page
        )

    def test_a_form_sent_again_is_refused_with_a_fresh_form_and_the_text_kept(
        self, reader, make_article
    ):
        article = make_article()
        data = comment_data(article, body="Only once, please")
        assert reader.post(post_url(article), data).status_code == 302
        again = reader.post(post_url(article), data)
        page = again.content.decode()
        assert again.status_code == 422
        assert "already been used to post a comment" in page
        assert "Only once, please</textarea>" in page
        fresh = re.search(r'name="issued" value="([^"]+)"', page).group(1)
        assert fresh != data["issued"]
        assert Comment.objects.filter(body="Only once, please").count() == 1
        assert (
            reader.post(post_url(article), {**data, "issued": issued(article)}).status_code == 302
        )

    def test_a_form_for_another_article_is_refused(self, reader, make_article):
        article, other = make_article(), make_article()
        response = reader.post(post_url(article), comment_data(article, issued=issued(other)))
        assert response.status_code == 422
        assert "could not be posted" in response.content.decode()
        assert not Comment.objects.exists()

    def test_honeypot_posts_nothing(self, reader, make_article):
        article = make_article()
        response = reader.post(post_url(article), comment_data(article, website="http://x.example"))
        assert response.status_code == 422 and not Comment.objects.exists()

    @pytest.mark.parametrize("parent", ["other-article", "missing", "hidden"])
    def test_bad_parents_are_refused_clearly(self, reader, make_article, make_comment, parent):
        article = make_article()
        parent_id = {
            "other-article": lambda: make_comment().pk,
            "missing": lambda: 99999,
            "hidden": lambda: make_comment(article=article, status="pending").pk,
        }[parent]()
        response = reader.post(post_url(article), comment_data(article, parent=parent_id), **HTMX)
        assert response.status_code == 422
        assert "not available any more" in response.content.decode()
        assert not Comment.objects.filter(article=article, status="approved").exists()

    @pytest.mark.parametrize(
        "parent", ["abc", "1.5", "1e3", "²", "\u0661", " 1", "-1", "99999999999999999999", "1\x00"]
    )
    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
    def test_a_parent_that_is_not_an_id_is_refused_clearly_with_the_text_kept(
        self, reader, make_article, parent, htmx
    ):
        article = make_article()
        response = reader.post(
            post_url(article),
            comment_data(article, parent=parent, body="My reply"),
            **(HTMX if htmx else {}),
        )
        page = response.content.decode()
        assert response.status_code == 422
        assert "not available any more" in page and "My reply</textarea>" in page
        assert not Comment.objects.exists()

    @pytest.mark.parametrize("status", ["draft", "scheduled"])
    def test_unpublished_articles_take_no_comments(self, reader, make_article, status):
        from tests.conftest import days_ahead

        overrides = {"status": "draft"} if status == "draft" else {"published_at": days_ahead(1)}
        article = make_article(**overrides)
        assert reader.post(post_url(article), comment_data(article)).status_code == 404

    def test_unknown_article_and_comment_are_404(self, reader, db):
        assert reader.post("/articles/nope/comments/", comment_data(1)).status_code == 404
        assert reader.get(reverse("comments:reply", args=[999])).status_code == 404
        assert reader.post(reverse("comments:report", args=[999])).status_code == 404

    def test_hidden_comment_cannot_be_replied_to_or_reported(self, reader, make_comment):
        hidden = make_comment(status="pending")
        assert reader.get(reverse("comments:reply", args=[hidden.pk])).status_code == 404
        assert reader.post(reverse("comments:report", args=[hidden.pk])).status_code == 404

    def test_logged_in_reader_posts_under_their_account(self, reader, make_user, make_article):
        user = make_user(first_name="Lee", last_name="Member")
        reader.force_login(user)
        article = make_article()
        page = page_of(reader, article)
        assert 'name="author_name"' not in page
        reader.post(
            post_url(article), {"body": "Member view", "issued": issued(article), "website": ""}
        )
        comment = Comment.objects.get()
        assert comment.user == user and comment.display_name == "Lee Member"

    def test_posting_does_not_count_a_view(self, reader, make_article):
        article = make_article()
        reader.post(post_url(article), comment_data(article, author_name=""))
        article.refresh_from_db()
        assert article.view_count == 0


class TestListingsShowCommentCounts:
    def test_home_and_category_cards_show_counts_without_a_query_each(
        self, client, make_article, make_comment, django_assert_max_num_queries
    ):
        articles = [make_article() for _ in range(6)]
        for article in articles:
            make_comment(article=article)
            make_comment(article=article)
            make_comment(article=article, status="spam")
        # The two lists and their credits, whatever they hold (TestHomePage),
        # and the banner once per site version.
        with django_assert_max_num_queries(9):
            page = client.get("/").content.decode()
        assert page.count("2 comments") >= 6

    def test_a_card_counts_what_the_comments_app_keeps_on_the_article(
        self, client, make_article, make_comment
    ):
        article = make_article()
        comment = make_comment(article=article, status="pending")
        assert "1 comment" not in client.get("/").content.decode()
        comment.status = "approved"
        comment.save()
        article.refresh_from_db()
        assert article.comment_count == 1

    def test_cards_catch_up_with_comment_changes_within_the_fragment_lifetime(
        self, client, make_article, make_comment, monkeypatch
    ):
        from datetime import timedelta

        from django.utils import timezone

        from articles.caching import FRAGMENT_TTL

        article = make_article()
        assert "1 comment" not in client.get("/").content.decode()
        make_comment(article=article)
        assert "1 comment" not in client.get("/").content.decode()  # the cached card
        later = timezone.now() + timedelta(seconds=FRAGMENT_TTL + 1)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        assert "1 comment" in client.get("/").content.decode()

    @pytest.mark.django_db(transaction=True)
    def test_rejecting_in_the_admin_recounts_the_article_and_its_page(
        self, client, editor, make_article, make_comment
    ):
        from django.urls import reverse

        article = make_article()
        comment = make_comment(article=article, body="Soon gone")
        assert "Soon gone" in client.get(article.get_absolute_url()).content.decode()
        client.force_login(editor)
        client.post(
            reverse("admin:comments_comment_changelist"),
            {"action": "reject", "_selected_action": [comment.pk]},
        )
        client.logout()
        article.refresh_from_db()
        assert article.comment_count == 0
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Soon gone" not in page and "No comments yet" in page

    @pytest.mark.django_db(transaction=True)
    def test_a_report_that_hides_a_comment_recounts_the_article(
        self, client, make_article, make_comment, discussion_settings
    ):
        discussion_settings(report_threshold=1)
        article = make_article()
        comment = make_comment(article=article, body="Reported away")
        url = reverse("comments:report", args=[comment.pk])
        client.post(url, {"reason": "abuse"}, HTTP_USER_AGENT=READER_UA)
        article.refresh_from_db()
        assert article.comment_count == 0
        assert "Reported away" not in client.get(article.get_absolute_url()).content.decode()


def as_browser(number, **headers):
    """A request's headers as browser ``number`` would send them: a User-Agent of its own."""
    return {"HTTP_USER_AGENT": f"{READER_UA} Browser/{number}", **headers}


class TestOneAddressIsOnePoster:
    """A new User-Agent makes a new reader, not a new network address: the rate
    limit, the duplicate check and reports also hold per address."""

    @pytest.fixture(autouse=True)
    def _limits(self, discussion_settings):
        discussion_settings(comments_per_reader=2, comments_per_address=3, report_threshold=2)

    def post(self, client, article, number, body=None, **headers):
        data = comment_data(article, body=body or f"Comment from browser {number}")
        return client.post(post_url(article), data, **as_browser(number, **headers))

    def test_rotating_user_agents_is_rate_limited(self, client, make_article):
        article = make_article()
        for number in range(3):
            assert self.post(client, article, number).status_code == 302
        refused = self.post(client, article, 3)
        page = refused.content.decode()
        assert refused.status_code == 429
        assert "Many comments have been posted from your network in a short time." in page
        assert "Please try again in 10 minutes." in page
        assert Comment.objects.count() == 3

    def test_another_address_has_its_own_allowance(self, client, make_article):
        article = make_article()
        for number in range(3):
            self.post(client, article, number)
        other = self.post(client, article, 4, REMOTE_ADDR="198.51.100.20")
        assert other.status_code == 302

    def test_an_ipv6_64_counts_as_one_address(self, client, make_article):
        article = make_article()
        for number in range(3):
            address = f"2001:db8:1:2::{number + 1:x}"
            assert self.post(client, article, number, REMOTE_ADDR=address).status_code == 302
        neighbour = self.post(client, article, 3, REMOTE_ADDR="2001:db8:1:2:ffff::9")
        assert neighbour.status_code == 429
        next_network = self.post(client, article, 4, REMOTE_ADDR="2001:db8:1:3::1")
        assert next_network.status_code == 302

    def test_a_spoofed_forwarded_for_changes_nothing_without_trusted_proxies(
        self, client, make_article, settings
    ):
        settings.NEWSROOM_TRUSTED_PROXIES = 0
        article = make_article()
        for number in range(3):
            spoofed = f"203.0.113.{number + 1}"
            response = self.post(client, article, number, HTTP_X_FORWARDED_FOR=spoofed)
            assert response.status_code == 302
        refused = self.post(client, article, 3, HTTP_X_FORWARDED_FOR="203.0.113.99")
        assert refused.status_code == 429

    def test_behind_a_trusted_proxy_the_address_it_saw_is_the_posters(
        self, client, make_article, settings
    ):
        settings.NEWSROOM_TRUSTED_PROXIES = 1
        article = make_article()
        proxy = {"REMOTE_ADDR": "10.0.0.1"}
        for number in range(3):
            # Whatever the client puts in front, the proxy appends what it saw.
            chain = f"198.51.100.{number + 1}, 203.0.113.7"
            response = self.post(client, article, number, HTTP_X_FORWARDED_FOR=chain, **proxy)
            assert response.status_code == 302
        refused = self.post(client, article, 3, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
        assert refused.status_code == 429
        another = self.post(client, article, 4, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
        assert another.status_code == 302

    def test_the_same_text_under_another_user_agent_is_held(self, client, make_article):
        article = make_article()
        self.post(client, article, 1, body="Read my blog")
        self.post(client, article, 2, body="Read my blog")
        first, second = Comment.objects.order_by("pk")
        assert (first.status, second.status) == ("approved", "pending")
        assert [reason.code for reason in second.hold_reasons.all()] == ["duplicate"]

    def test_rotating_user_agents_files_one_report_not_several(self, client, make_comment):
        comment = make_comment(body="Fair criticism")
        url = reverse("comments:report", args=[comment.pk])
        first = client.post(url, {"reason": "spam"}, follow=True, **as_browser(1))
        assert "Thank you for your report" in first.content.decode()
        for number in range(2, 5):
            again = client.post(url, {"reason": "spam"}, follow=True, **as_browser(number))
            assert "already reported" in again.content.decode()
        comment.refresh_from_db()
        assert (comment.status, comment.report_count) == ("approved", 1)
        assert CommentReport.objects.count() == 1
        assert "Fair criticism" in page_of(client, comment.article)

    def test_only_hashes_of_the_address_are_kept(self, client, make_article, make_comment):
        article = make_article()
        self.post(client, article, 1, REMOTE_ADDR="198.51.100.77")
        comment = Comment.objects.get()
        client.post(
            reverse("comments:report", args=[make_comment().pk]),
            {"reason": "spam"},
            **as_browser(1, REMOTE_ADDR="198.51.100.77"),
        )
        report = CommentReport.objects.get()
        assert re.fullmatch("[0-9a-f]{64}", comment.network)
        assert report.network == comment.network != comment.reader
        assert "198.51.100.77" not in comment.network + report.network
