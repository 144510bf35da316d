"""Picks and badges on the public thread: comments moderators picked show in a
block above the thread and with a badge in place; comments by staff and by the
article's author carry a badge. All of it is in the thread's cached markup, so a
change shows at once and the page's queries do not grow with it."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import moderation, tree
from comments.models import Comment
from tests.comments.helpers import THREAD_PAGE_QUERIES
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db


def page_of(article, query=""):
    """The article page as a new anonymous reader gets it (the shared page)."""
    client = Client(HTTP_USER_AGENT=f"{READER_UA} {next(READERS)}")
    return client.get(article.get_absolute_url() + query).content.decode()


READERS = iter(range(10**6))


def picks_block(page):
    found = re.search(r'<aside class="picks".*?</aside>', page, re.S)
    return found.group(0) if found else ""


def comment_markup(page, comment):
    start = page.index(f'<li id="comment-{comment.pk}"')
    return page[start : page.index("</article>", start)]


def badges(markup):
    return re.findall(r'<span class="badge badge--(\w+)">', markup)


@pytest.fixture
def moderator(make_user):
    return make_user(is_staff=True, username="moderator")


@pytest.fixture
def pick(moderator, django_capture_on_commit_callbacks):
    """Pick (or unpick) a comment as a moderator does, caches invalidated on commit."""

    def do(comment, picked=True):
        with django_capture_on_commit_callbacks(execute=True):
            assert moderation.pick(comment, moderator, picked=picked)
        comment.refresh_from_db()
        return comment

    return do


class TestThePicksBlock:
    def test_a_picked_comment_shows_above_the_thread_and_links_to_its_place(
        self, make_article, make_comment, pick
    ):
        article = make_article()
        picked = pick(make_comment(article=article, author_name="Priya", body="Sharp point."))
        make_comment(article=article, body="Unpicked remark")
        page = page_of(article)
        block = picks_block(page)
        assert "Picked by the newsroom" in block
        assert "Priya" in block and "Sharp point." in block
        assert "Unpicked remark" not in block
        assert f'href="#comment-{picked.pk}"' in block
        assert page.index("Picked by the newsroom") < page.index('id="comment-list"')

    def test_no_block_without_picks(self, make_comment):
        assert picks_block(page_of(make_comment().article)) == ""

    def test_newest_picks_first_and_only_a_handful(self, make_article, make_comment, moderator):
        article = make_article()
        now = timezone.now()
        comments = [make_comment(article=article, body=f"Pick {n}.") for n in range(7)]
        for n, comment in enumerate(comments):
            Comment.objects.filter(pk=comment.pk).update(
                picked_at=now - timezone.timedelta(minutes=n), picked_by=moderator
            )
        shown = re.findall(r"Pick (\d)\.", picks_block(page_of(article)))
        assert shown == ["0", "1", "2", "3", "4"] and tree.PICKS_SHOWN == 5

    def test_a_pick_that_is_no_longer_visible_leaves_the_block(
        self, make_article, make_comment, pick
    ):
        article = make_article()
        kept = pick(make_comment(article=article, body="Still here."))
        hidden = pick(make_comment(article=article, body="Hidden by reports."))
        Comment.objects.filter(pk=hidden.pk).update(status=Comment.Status.PENDING)
        block = picks_block(page_of(article))
        assert "Still here." in block and "Hidden by reports." not in block
        assert kept.picked_at is not None

    def test_a_pick_on_another_page_links_to_the_page_that_shows_it(
        self, client, make_article, make_comment, pick, settings
    ):
        settings.NEWSROOM_COMMENTS_PER_PAGE = 1
        article = make_article()
        older = pick(make_comment(article=article, body="Older, picked."))
        make_comment(article=article, body="Newest.")
        permalink = reverse("comments:permalink", args=[older.pk])
        assert f'href="{permalink}"' in picks_block(page_of(article))
        response = client.get(permalink)
        assert response.status_code == 302
        assert response["Location"] == (
            f"{article.get_absolute_url()}?cpage=2&csort=newest#comment-{older.pk}"
        )

    def test_the_permalink_of_a_hidden_comment_is_not_found(self, client, make_comment):
        hidden = make_comment(status=Comment.Status.PENDING)
        assert client.get(reverse("comments:permalink", args=[hidden.pk])).status_code == 404

    def test_the_block_is_in_the_thread_htmx_swaps_in_too(
        self, reader_client, make_article, make_comment, pick
    ):
        article = make_article()
        pick(make_comment(article=article, body="Picked remark."))
        url = reverse("comments:thread", args=[article.slug]) + "?sort=oldest"
        page = reader_client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert "Picked remark." in picks_block(page)

    def test_loading_more_comments_does_not_repeat_the_block(
        self, reader_client, make_article, make_comment, pick, settings
    ):
        settings.NEWSROOM_COMMENTS_PER_PAGE = 1
        article = make_article()
        pick(make_comment(article=article))
        make_comment(article=article)
        url = reverse("comments:more", args=[article.slug]) + "?page=2"
        page = reader_client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert 'id="comment-' in page and picks_block(page) == ""


class TestBadges:
    def test_a_picked_comment_carries_a_picked_badge_in_place(
        self, make_article, make_comment, pick
    ):
        article = make_article()
        picked = pick(make_comment(article=article))
        other = make_comment(article=article)
        page = page_of(article)
        assert badges(comment_markup(page, picked)) == ["picked"]
        assert badges(comment_markup(page, other)) == []

    def test_staff_comments_carry_a_staff_badge(self, make_article, make_comment, make_user):
        article = make_article()
        staff = make_comment(article=article, user=make_user(is_staff=True))
        reader = make_comment(article=article, user=make_user())
        page = page_of(article)
        assert badges(comment_markup(page, staff)) == ["staff"]
        assert badges(comment_markup(page, reader)) == []

    def test_the_articles_author_carries_an_author_badge(
        self, make_article, make_comment, make_user
    ):
        author = make_user(first_name="Ada", last_name="Reporter")
        article = make_article(author=author)
        by_author = make_comment(article=article, user=author)
        anonymous = make_comment(article=article)
        page = page_of(article)
        assert badges(comment_markup(page, by_author)) == ["author"]
        assert badges(comment_markup(page, anonymous)) == []

    def test_an_anonymous_comment_has_no_author_badge_on_an_article_without_an_author(
        self, make_article, make_comment
    ):
        article = make_article(author=None)
        comment = make_comment(article=article)
        assert badges(comment_markup(page_of(article), comment)) == []

    def test_badges_are_words_read_with_the_authors_name(
        self, make_article, make_comment, make_user, pick
    ):
        author = make_user(is_staff=True, username="ada")
        article = make_article(author=author)
        comment = pick(make_comment(article=article, user=author))
        markup = comment_markup(page_of(article), comment)
        author_name = re.search(
            rf'<h3 id="comment-{comment.pk}-author"[^>]*>(.*?)</h3>', markup, re.S
        ).group(1)
        words = re.sub(r"<[^>]+>", "", author_name)
        assert words == "ada, Staff, Author, Picked by the newsroom"
        assert f'aria-labelledby="comment-{comment.pk}-author"' in markup

    def test_a_reply_by_staff_carries_its_badge_too(self, make_article, make_comment, make_user):
        article = make_article()
        reply = make_comment(parent=make_comment(article=article), user=make_user(is_staff=True))
        assert badges(comment_markup(page_of(article), reply)) == ["staff"]

    def test_a_staff_comment_posted_with_htmx_shows_its_badge(
        self, client, make_article, make_user
    ):
        from tests.comments.helpers import comment_data

        staff = make_user(is_staff=True)
        client.force_login(staff)
        article = make_article()
        response = client.post(
            reverse("comments:thread", args=[article.slug]),
            comment_data(article),
            HTTP_HX_REQUEST="true",
            HTTP_USER_AGENT=READER_UA,
        )
        assert '<span class="badge badge--staff">' in response.content.decode()


class TestNoStaleMarkup:
    def test_a_pick_shows_at_once_on_a_cached_page_and_an_unpick_removes_it(
        self, make_article, make_comment, pick
    ):
        article = make_article()
        comment = make_comment(article=article, body="Worth picking.")
        assert badges(comment_markup(page_of(article), comment)) == []  # cached now
        pick(comment)
        page = page_of(article)
        assert badges(comment_markup(page, comment)) == ["picked"]
        assert "Worth picking." in picks_block(page)
        pick(comment, picked=False)
        page = page_of(article)
        assert badges(comment_markup(page, comment)) == [] and picks_block(page) == ""

    def test_the_digest_changes_when_a_badge_does(self, make_comment, make_user):
        comment = make_comment(user=make_user())
        before = comment.digest
        comment.picked_at = timezone.now()
        assert comment.digest != before
        comment.picked_at = None
        assert comment.digest == before
        comment.user.is_staff = True
        assert comment.digest != before


class TestQueryBudget:
    def build(self, make_article, make_comment, make_user, moderator, picks):
        author = make_user()
        article = make_article(author=author)
        staff = make_user(is_staff=True)
        for n in range(12):
            user = (author, staff, None)[n % 3]
            top = make_comment(article=article, user=user, picked_at=None)
            reply = make_comment(parent=top, user=user)
            for comment in (top, reply)[: 2 if n < picks else 0]:
                Comment.objects.filter(pk=comment.pk).update(
                    picked_at=timezone.now(), picked_by=moderator
                )
        return article

    @pytest.mark.parametrize("picks", [0, 1, 12])
    def test_a_cold_thread_page_costs_the_same_however_many_picks_and_badges(
        self, make_article, make_comment, make_user, moderator, picks, django_assert_num_queries
    ):
        article = self.build(make_article, make_comment, make_user, moderator, picks)
        article = type(article).objects.get(pk=article.pk)
        with django_assert_num_queries(THREAD_PAGE_QUERIES):
            page = tree.thread_page(article)
            shown = [node.comment.badges for node in page.nodes] + [p.badges for p in page.picks]
        assert len(page.picks) == min(2 * picks, tree.PICKS_SHOWN)
        assert any(("staff", "Staff") in found for found in shown)
        assert any(("author", "Author") in found for found in shown)
