"""Recommending a comment: who may, how the button says it, counts that stay
exact, a thread that stays shared, and the "Most recommended" order."""

import html
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from comments import reactions
from comments.models import Comment, CommentReaction
from tests.comments.helpers import THREAD_PAGE_QUERIES, comment_data
from tests.conftest import READER_UA, days_ago

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def recommend_url(comment):
    return reverse("comments:recommend", args=[comment.pk])


def button_of(page, comment):
    """The recommend button of ``comment`` in ``page``, as HTML."""
    found = re.search(rf'<form id="recommend-{comment.pk}".*?</form>', page, flags=re.DOTALL)
    return found.group(0) if found else ""


def accessible_name(button_html):
    """The button's text as a screen reader reads it (hidden spans included)."""
    inner = re.search(r"<button[^>]*>(.*?)</button>", button_html, flags=re.DOTALL).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", inner)).split())


def reader_as(n, address=None):
    """Reader ``n``: a browser of their own, on a network of their own unless
    ``address`` puts them on another's."""
    return Client(
        HTTP_USER_AGENT=f"{READER_UA} reader/{n}", REMOTE_ADDR=address or f"198.51.100.{n + 1}"
    )


@pytest.fixture
def reader():
    return reader_as(0)


@pytest.fixture
def comment(make_comment):
    return make_comment(author_name="Ana", body="A point worth making.")


class TestTheButton:
    def test_an_anonymous_reader_recommends_and_the_button_alone_comes_back_pressed(
        self, reader, comment
    ):
        response = reader.post(recommend_url(comment), **HTMX)

        assert response.status_code == 200
        body = response.content.decode()
        assert body.strip().startswith(f'<form id="recommend-{comment.pk}"')
        assert 'aria-pressed="true"' in body
        assert accessible_name(body) == "Recommend comment by Ana, 1 recommendation"
        comment.refresh_from_db()
        assert comment.recommend_count == 1
        assert CommentReaction.objects.filter(comment=comment).count() == 1

    def test_pressing_again_takes_the_recommendation_back(self, reader, comment):
        reader.post(recommend_url(comment), **HTMX)
        body = reader.post(recommend_url(comment), **HTMX).content.decode()

        assert 'aria-pressed="false"' in body
        assert accessible_name(body) == "Recommend comment by Ana, 0 recommendations"
        comment.refresh_from_db()
        assert comment.recommend_count == 0
        assert not CommentReaction.objects.exists()

    def test_a_plain_post_redirects_back_to_the_comment(self, reader, comment):
        response = reader.post(recommend_url(comment))

        assert response.status_code == 302
        assert response["Location"].endswith(f"#comment-{comment.pk}")
        page = reader.get(response["Location"]).content.decode()
        assert "You recommend this comment." in page

    def test_without_javascript_the_button_leads_to_a_page_with_the_readers_state_and_a_token(
        self, reader, comment
    ):
        reader.post(recommend_url(comment), **HTMX)
        page = reader.get(recommend_url(comment)).content.decode()

        assert "You recommend this comment." in page
        assert 'method="post"' in button_of(page, comment)
        assert 'name="csrfmiddlewaretoken"' in button_of(page, comment)
        assert 'aria-pressed="true"' in button_of(page, comment)

    def test_a_signed_in_reader_is_one_reader_whatever_browser(self, comment, make_user):
        user = make_user()
        for n in range(2):
            browser = reader_as(n)
            browser.force_login(user)
            browser.post(recommend_url(comment), **HTMX)

        comment.refresh_from_db()
        assert comment.recommend_count == 0  # the second press took it back
        assert not CommentReaction.objects.exists()

    def test_two_anonymous_readers_count_twice(self, comment):
        for n in range(2):
            reader_as(n).post(recommend_url(comment), **HTMX)
        comment.refresh_from_db()
        assert comment.recommend_count == 2

    def test_two_signed_in_readers_on_one_network_count_twice(self, comment, make_user):
        for n in range(2):
            browser = reader_as(n, address="203.0.113.9")
            browser.force_login(make_user())
            assert browser.post(recommend_url(comment), **HTMX).status_code == 200
        comment.refresh_from_db()
        assert comment.recommend_count == 2

    def test_a_comment_readers_cannot_see_cannot_be_recommended(self, reader, make_comment):
        held = make_comment(status=Comment.Status.PENDING)
        assert reader.post(recommend_url(held), **HTMX).status_code == 404


def assert_refused(response, comment, message):
    assert response.status_code == 403
    assert message in response.content.decode()
    comment.refresh_from_db()
    assert comment.recommend_count == 0


class TestWhoMayNot:
    def test_the_author_signed_in_cannot_recommend_their_own_comment(self, make_comment, make_user):
        author = make_user()
        own = make_comment(user=author)
        client = reader_as(1)
        client.force_login(author)

        response = client.post(recommend_url(own), **HTMX)

        assert_refused(response, own, "You cannot recommend your own comment.")

    def test_an_anonymous_author_cannot_recommend_the_comment_they_just_posted(
        self, reader, make_article
    ):
        article = make_article()
        thread_url = reverse("comments:thread", args=[article.slug])
        reader.post(thread_url, comment_data(article), **HTMX)
        own = Comment.objects.get()

        response = reader.post(recommend_url(own), **HTMX)

        assert_refused(response, own, "You cannot recommend your own comment.")

    def test_a_closed_thread_takes_no_recommendation(self, reader, make_article, make_comment):
        closed = make_comment(article=make_article(comments_open=False))

        response = reader.post(recommend_url(closed), **HTMX)

        assert_refused(response, closed, "recommendations are closed too")

    def test_a_thread_closed_by_age_takes_no_plain_recommendation_either(
        self, reader, make_article, make_comment, discussion_settings
    ):
        discussion_settings(close_after_days=3)
        old = make_comment(article=make_article(published_at=days_ago(5)))

        response = reader.post(recommend_url(old))

        assert_refused(response, old, "recommendations are closed too")


class TestAClosedThreadOffersNoButtons:
    def test_a_closed_thread_shows_the_count_without_recommend_or_reply(
        self, client, make_article, make_comment
    ):
        article = make_article(comments_open=False)
        comment = make_comment(article=article, recommend_count=3)
        page = client.get(article.get_absolute_url()).content.decode()
        shown = page[page.index(f'id="comment-{comment.pk}"') :]
        shown = shown[: shown.index("</footer>")]
        assert "3 recommendations" in shown
        assert (
            'class="comment__recommend-button"' not in shown
            and 'class="comment__reply"' not in shown
        )

    def test_an_open_thread_offers_both(self, client, make_article, make_comment):
        comment = make_comment(article=make_article())
        page = client.get(comment.article.get_absolute_url()).content.decode()
        shown = page[page.index(f'id="comment-{comment.pk}"') :]
        shown = shown[: shown.index("</footer>")]
        assert 'class="comment__recommend-button"' in shown and 'class="comment__reply"' in shown

    def test_a_closed_threads_later_page_offers_neither(self, reader, make_article, make_comment):
        article = make_article(comments_open=False)
        for _ in range(25):
            make_comment(article=article)
        url = reverse("comments:more", args=[article.slug]) + "?page=2"
        page = reader.get(url, **HTMX).content.decode()
        assert 'class="comment"' in page or "comment__body" in page
        assert (
            'class="comment__recommend-button"' not in page and 'class="comment__reply"' not in page
        )


class TestOneNetwork:
    """Anonymous readers are counted as reports count them: one recommendation
    per network, so a browser that changes its User-Agent is not a new reader."""

    NETWORK = "203.0.113.9"

    def test_one_address_rotating_user_agents_recommends_once(self, comment):
        answers = [
            reader_as(n, address=self.NETWORK).post(recommend_url(comment), **HTMX)
            for n in range(5)
        ]

        assert [answer.status_code for answer in answers] == [200, 403, 403, 403, 403]
        refused = answers[1].content.decode()
        assert "This comment is already recommended from your network." in refused
        assert 'aria-pressed="false"' in refused
        assert accessible_name(refused) == "Recommend comment by Ana, 1 recommendation"
        comment.refresh_from_db()
        assert comment.recommend_count == 1 == CommentReaction.objects.count()

    def test_addresses_in_one_ipv6_64_are_one_network(self, comment):
        for n, address in enumerate(["2001:db8:1:2::10", "2001:db8:1:2:ffff::1"]):
            reader_as(n, address=address).post(recommend_url(comment), **HTMX)
        comment.refresh_from_db()
        assert comment.recommend_count == 1

    def test_a_plain_post_from_the_network_is_refused_on_the_page(self, comment):
        reader_as(0, address=self.NETWORK).post(recommend_url(comment))

        response = reader_as(1, address=self.NETWORK).post(recommend_url(comment))

        assert response.status_code == 403
        page = response.content.decode()
        assert "This comment is already recommended from your network." in page
        assert 'aria-pressed="false"' in button_of(page, comment)

    def test_each_browser_sees_its_own_state_and_the_first_may_take_it_back(self, comment):
        first = reader_as(0, address=self.NETWORK)
        second = reader_as(1, address=self.NETWORK)
        first.post(recommend_url(comment), **HTMX)
        second.post(recommend_url(comment), **HTMX)
        state = reverse("comments:reader_state") + f"?ids={comment.pk}"

        assert first.get(state).json()["recommended"] == [comment.pk]
        assert second.get(state).json()["recommended"] == []
        assert 'aria-pressed="false"' in button_of(
            second.get(recommend_url(comment)).content.decode(), comment
        )

        taken_back = first.post(recommend_url(comment), **HTMX).content.decode()
        assert 'aria-pressed="false"' in taken_back
        pressed = second.post(recommend_url(comment), **HTMX)
        assert pressed.status_code == 200 and 'aria-pressed="true"' in pressed.content.decode()
        assert second.get(state).json()["recommended"] == [comment.pk]
        comment.refresh_from_db()
        assert comment.recommend_count == 1

    def test_a_signed_in_reader_counts_beside_their_networks_anonymous_one(
        self, comment, make_user
    ):
        reader_as(0, address=self.NETWORK).post(recommend_url(comment), **HTMX)
        member = reader_as(1, address=self.NETWORK)
        member.force_login(make_user())

        assert member.post(recommend_url(comment), **HTMX).status_code == 200
        comment.refresh_from_db()
        assert comment.recommend_count == 2


class TestTheSharedThread:
    def test_the_thread_shows_the_count_but_never_the_readers_pressed_state(self, reader, comment):
        reader.post(recommend_url(comment), **HTMX)

        page = reader.get(comment.article.get_absolute_url()).content.decode()
        button = button_of(page, comment)

        assert accessible_name(button) == "Recommend comment by Ana, 1 recommendation"
        assert 'aria-pressed="false"' in button  # the reader's own state comes separately

    def test_a_recommendation_renews_the_cached_page_for_everyone(
        self, comment, django_capture_on_commit_callbacks
    ):
        other = reader_as(9)
        before = other.get(comment.article.get_absolute_url()).content.decode()
        assert "Ana, 0 recommendations" in accessible_name(button_of(before, comment))

        with django_capture_on_commit_callbacks(execute=True):
            reader_as(1).post(recommend_url(comment), **HTMX)

        after = other.get(comment.article.get_absolute_url()).content.decode()
        assert accessible_name(button_of(after, comment)).endswith("1 recommendation")

    def test_the_reader_state_says_which_comments_this_reader_recommends(
        self, reader, make_comment, django_assert_num_queries
    ):
        first, second = make_comment(), make_comment()
        reader.post(recommend_url(second), **HTMX)
        url = reverse("comments:reader_state") + f"?ids={first.pk},{second.pk},x,0"

        # Anonymous: the reader's recommendations among the ids; editing needs
        # no query (the browser's signed cookie says).
        with django_assert_num_queries(1):
            response = reader.get(url)

        assert response.json() == {"recommended": [second.pk], "editable": []}
        assert "no-cache" in response["Cache-Control"]
        assert "csrftoken" in response.cookies  # for the thread's htmx posts

    def test_another_reader_gets_no_one_elses_state(self, reader, comment):
        reader.post(recommend_url(comment), **HTMX)
        url = reverse("comments:reader_state") + f"?ids={comment.pk}"
        assert reader_as(5).get(url).json()["recommended"] == []


class TestMostRecommended:
    @pytest.fixture
    def ranked(self, make_article, make_comment, settings):
        """Five comments "Ranked comment 0".."4" recommended 0, 3, 1, 3, 2 times,
        two to a page."""
        settings.NEWSROOM_COMMENTS_PER_PAGE = 2
        article = make_article()
        for n, count in enumerate([0, 3, 1, 3, 2]):
            made = make_comment(article=article, body=f"Ranked comment {n}")
            Comment.objects.filter(pk=made.pk).update(recommend_count=count)
        return article

    def ranks(self, page):
        return re.findall(r"Ranked comment (\d+)", page)

    def test_the_sort_lists_the_most_recommended_first_newest_first_among_equals(
        self, reader, ranked
    ):
        page = reader.get(ranked.get_absolute_url() + "?csort=top").content.decode()
        assert self.ranks(page) == ["3", "1"]
        assert '<strong aria-current="true">Most recommended</strong>' in page

    def test_the_sort_is_offered_beside_newest_and_oldest(self, reader, ranked):
        page = reader.get(ranked.get_absolute_url()).content.decode()
        assert 'href="?csort=top#comments"' in page
        assert "Most recommended</a>" in page

    def test_load_more_goes_on_in_that_order_without_repeating_a_comment(self, reader, ranked):
        more_link = re.compile(r'data-hx-get="([^"]*/comments/more/[^"]*)"')
        page = reader.get(ranked.get_absolute_url() + "?csort=top").content.decode()
        seen = self.ranks(page)
        while more_link.search(page):
            url = html.unescape(more_link.search(page).group(1))
            assert "sort=top" in url and "after=" in url
            page = reader.get(url, **HTMX).content.decode()
            seen += self.ranks(page)
        assert seen == ["3", "1", "4", "2", "0"]

    def test_a_plain_page_of_the_sort_shows_its_comments(self, reader, ranked):
        page = reader.get(ranked.get_absolute_url() + "?csort=top&cpage=2").content.decode()
        assert self.ranks(page) == ["4", "2"]

    def test_a_recommendation_moves_a_comment_up(self, reader, ranked):
        last = Comment.objects.get(body="Ranked comment 0")
        for n in range(4):
            reader_as(n).post(recommend_url(last), **HTMX)
        page = reader.get(ranked.get_absolute_url() + "?csort=top").content.decode()
        assert self.ranks(page) == ["0", "3"]

    def test_the_permalink_finds_a_comment_on_its_page_of_the_sort(self, ranked):
        from comments.tree import page_number_of

        assert page_number_of(Comment.objects.get(body="Ranked comment 2"), "top") == 2
        assert page_number_of(Comment.objects.get(body="Ranked comment 0"), "top") == 3


@pytest.mark.django_db(transaction=True)
class TestCountsUnderConcurrency:
    """Readers pressing at once: every insert moves the count once, a repeat
    never does. Run on PostgreSQL, where the requests really overlap."""

    def press_at_once(self, comment, reactors, network=""):
        def press(reactor):
            try:
                return reactions.recommend(Comment.objects.get(pk=comment.pk), reactor, network)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(press, reactors))

    def test_32_readers_at_once_add_exactly_32(self, make_comment):
        comment = make_comment()
        results = self.press_at_once(comment, [f"reader-{n}" for n in range(32)])
        comment.refresh_from_db()
        assert results.count(True) == 32
        assert comment.recommend_count == 32 == CommentReaction.objects.count()

    def test_one_reader_pressing_16_times_at_once_adds_one(self, make_comment):
        comment = make_comment()
        results = self.press_at_once(comment, ["the-same-reader"] * 16)
        comment.refresh_from_db()
        assert results.count(True) == 1
        assert comment.recommend_count == 1 == CommentReaction.objects.count()

    def test_16_browsers_on_one_network_at_once_add_one(self, make_comment):
        comment = make_comment()
        results = self.press_at_once(
            comment, [f"browser-{n}" for n in range(16)], network="one-network"
        )
        comment.refresh_from_db()
        assert results.count(True) == 1
        assert comment.recommend_count == 1 == CommentReaction.objects.count()


class TestQueryBudget:
    def test_a_page_sorted_by_recommendations_costs_what_the_newest_first_does(
        self, reader, make_article, make_comment, django_assert_num_queries
    ):
        """Once the article is cached, a page of the thread not yet rendered costs
        ``THREAD_PAGE_QUERIES`` in either order, however many recommendations."""
        article = make_article()
        for n in range(30):
            top = make_comment(article=article, body=f"Top {n}")
            make_comment(parent=top)
            for reactor in range(n % 4):
                reactions.recommend(top, f"reader-{reactor}")
        url = reverse("comments:thread", args=[article.slug])
        reader.get(url + "?sort=oldest", **HTMX)  # the article and settings, cached
        with django_assert_num_queries(THREAD_PAGE_QUERIES):
            newest = reader.get(url + "?sort=newest", **HTMX)
        with django_assert_num_queries(THREAD_PAGE_QUERIES):
            top = reader.get(url + "?sort=top", **HTMX)
        assert newest.status_code == top.status_code == 200
        assert top.content.decode().count('class="comment"') == 20 * 2


class TestPressingOnAndOn:
    def test_a_reader_pressing_more_than_the_limit_in_a_minute_is_asked_to_wait(
        self, reader, comment, monkeypatch
    ):
        monkeypatch.setattr(reactions, "PRESSES_PER_MINUTE", 3)
        for _ in range(3):
            assert reader.post(recommend_url(comment), **HTMX).status_code == 200

        response = reader.post(recommend_url(comment), **HTMX)

        assert response.status_code == 429
        assert response["Retry-After"] == "60"
        assert "Please wait." in response.content.decode()
        comment.refresh_from_db()
        assert comment.recommend_count == 1  # pressed, taken back, pressed; the 4th refused
        assert 'aria-pressed="true"' in response.content.decode()

    def test_another_reader_is_not_held_back_by_someone_elses_presses(
        self, reader, comment, monkeypatch
    ):
        monkeypatch.setattr(reactions, "PRESSES_PER_MINUTE", 1)
        reader.post(recommend_url(comment), **HTMX)
        assert reader_as(2).post(recommend_url(comment), **HTMX).status_code == 200

    def test_a_cache_that_is_down_lets_every_press_through(self, reader, comment, monkeypatch):
        def down(*args, **kwargs):
            raise ConnectionError("cache down")

        monkeypatch.setattr(reactions.cache, "incr", down)
        monkeypatch.setattr(reactions, "PRESSES_PER_MINUTE", 0)

        assert reader.post(recommend_url(comment), **HTMX).status_code == 200
        comment.refresh_from_db()
        assert comment.recommend_count == 1
