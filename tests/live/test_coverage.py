"""Live coverage: the entries on the article page, their polling, and the end."""

import html
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from articles.models import Article, Contributor
from live import coverage
from live.models import LiveEntry
from tests.comments.test_views import HTMX
from tests.conftest import now

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change as if its transaction committed: caches move on."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def live_article(make_article):
    def make(**fields):
        return make_article(live_status=Article.LiveStatus.LIVE, **fields)

    return make


def entry(article, text, minutes_ago=0, **fields):
    return LiveEntry.objects.create(
        article=article,
        body=f"<p>{text}</p>",
        published_at=now() - timedelta(minutes=minutes_ago),
        **fields,
    )


def page_of(client, article, query=""):
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def poll_url(page):
    found = re.search(r'id="live-poll"[^>]*data-live-poll="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def show_url(answer):
    return html.unescape(re.search(r'data-hx-get="([^"]+&amp;show=1)"', answer).group(1))


def entries_in(page):
    """The timeline's entries as the page lists them, by their text."""
    timeline = page.split('id="live-entries"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<div class="live-entry__body"><p>([^<]+)</p>', timeline)


def json_ld(page):
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


class TestThePage:
    def test_entries_are_shown_newest_first(self, client, live_article):
        article = live_article()
        entry(article, "Kick-off", minutes_ago=30)
        entry(article, "Half-time", minutes_ago=10)
        entry(article, "Full-time", minutes_ago=1)
        assert entries_in(page_of(client, article)) == ["Full-time", "Half-time", "Kick-off"]

    def test_the_pinned_entry_is_above_the_others_and_not_repeated(self, client, live_article):
        article = live_article()
        entry(article, "Team news", minutes_ago=50, pinned=True)
        entry(article, "Kick-off", minutes_ago=30)
        page = page_of(client, article)
        assert page.index("Team news") < page.index('id="live-entries"')
        assert entries_in(page) == ["Kick-off"]

    def test_pinning_an_entry_unpins_the_one_pinned_before(self, live_article):
        article = live_article()
        first = entry(article, "Team news", pinned=True)
        entry(article, "Lineups", pinned=True)
        first.refresh_from_db()
        assert not first.pinned
        assert LiveEntry.objects.filter(article=article, pinned=True).count() == 1

    def test_key_events_are_listed_newest_first_linking_to_their_entries(
        self, client, live_article
    ):
        article = live_article()
        goal = entry(
            article, "Lookman scores", minutes_ago=40, key_event=True, key_event_label="Goal"
        )
        entry(article, "A corner", minutes_ago=30)
        red = entry(article, "Sent off", minutes_ago=20, key_event=True, key_event_label="Red card")
        page = page_of(client, article)
        events = page.split('id="live-key-events"', 1)[1].split("</nav>", 1)[0]
        assert re.findall(r'href="#entry-(\d+)"><time[^>]*>[^<]*</time> ([^<]+)</a>', events) == [
            (str(red.pk), "Red card"),
            (str(goal.pk), "Goal"),
        ]
        assert f'id="entry-{goal.pk}"' in page

    def test_older_entries_are_on_further_pages_with_plain_links(self, client, live_article):
        article = live_article()
        for n in range(coverage.PAGE_SIZE + 3):
            entry(article, f"Update {n}", minutes_ago=100 - n)
        first = page_of(client, article)
        assert len(entries_in(first)) == coverage.PAGE_SIZE
        assert 'href="?entries=2#live-coverage">Older updates</a>' in first
        second = page_of(client, article, "?entries=2")
        assert entries_in(second) == ["Update 2", "Update 1", "Update 0"]
        assert "Page 2 of 2" in second and "Newer updates" in second
        assert poll_url(second) is None  # only the newest page takes new entries in

    def test_a_key_event_on_an_older_page_links_to_that_page(self, client, live_article):
        article = live_article()
        old = entry(article, "Early goal", minutes_ago=200, key_event=True, key_event_label="Goal")
        for n in range(coverage.PAGE_SIZE):
            entry(article, f"Update {n}", minutes_ago=100 - n)
        assert f'href="?entries=2#entry-{old.pk}"' in page_of(client, article)

    @pytest.mark.parametrize("value", ["0", "999", "abc", "-1"])
    def test_a_page_that_does_not_exist_shows_the_first(self, client, live_article, value):
        article = live_article()
        entry(article, "Kick-off")
        assert entries_in(page_of(client, article, f"?entries={value}")) == ["Kick-off"]

    def test_an_article_that_is_not_live_has_no_coverage(self, client, make_article):
        page = page_of(client, make_article())
        assert 'id="live-coverage"' not in page and poll_url(page) is None

    def test_ended_coverage_says_so_and_does_not_poll(self, client, live_article):
        article = live_article()
        entry(article, "Full-time")
        article.live_status = Article.LiveStatus.ENDED
        article.save()
        page = page_of(client, article)
        assert "Live coverage has ended" in page and "Full-time" in page
        assert poll_url(page) is None

    def test_ending_coverage_stamps_its_start_and_end(self, live_article):
        article = live_article()
        assert article.coverage_started_at is not None and article.coverage_ended_at is None
        article.live_status = Article.LiveStatus.ENDED
        article.save()
        assert article.coverage_ended_at >= article.coverage_started_at

    def test_an_entry_posted_is_on_the_next_load_of_the_shared_page(
        self, client, live_article, committed
    ):
        article = live_article()
        assert "Kick-off" not in page_of(client, article)
        with committed():
            entry(article, "Kick-off")
        assert entries_in(page_of(client, article)) == ["Kick-off"]

    def test_views_are_counted_and_comments_shown_on_a_live_page(
        self, reader_client, live_article, make_comment
    ):
        article = live_article()
        entry(article, "Kick-off")
        make_comment(article=article, body="What a start!")
        page = page_of(reader_client, article)
        assert "What a start!" in page and "Kick-off" in page
        article.refresh_from_db()
        assert article.view_count == 1

    def test_entry_bodies_are_sanitized(self, live_article):
        saved = LiveEntry.objects.create(
            article=live_article(), body='<p onclick="x()">Hi<script>alert(1)</script></p>'
        )
        assert "script" not in saved.body and "onclick" not in saved.body

    def test_a_live_page_with_500_entries_costs_the_same_as_with_one(
        self, client, live_article, django_assert_num_queries
    ):
        def queries_for(article):
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                page_of(client, article)
            return len(captured)

        small, large = live_article(), live_article()
        entry(small, "Only one")
        queries_for(live_article())  # the site's shared fragments (navigation, most read)
        LiveEntry.objects.bulk_create(
            LiveEntry(
                article=large, body=f"<p>Update {n}</p>", published_at=now(), key_event=n % 50 == 0
            )
            for n in range(500)
        )
        assert queries_for(small) == queries_for(large)

    def test_a_live_page_s_query_budget(self, client, live_article, django_assert_num_queries):
        article = live_article()
        LiveEntry.objects.bulk_create(
            LiveEntry(
                article=article,
                body=f"<p>Update {n}</p>",
                published_at=now(),
                key_event=n % 50 == 0,
            )
            for n in range(500)
        )
        with django_assert_num_queries(BUDGET):
            page = page_of(client, article)
        assert len(entries_in(page)) == coverage.PAGE_SIZE


# A cold live page: the page's own (article, credits, topics, sources, notes,
# related, most read, navigation, banner, thread...) and five for the coverage:
# the timeline's count, its page, the pinned entry, the key events, the newest entry.
BUDGET = 20


class TestPolling:
    def test_a_live_page_polls_at_the_configured_interval(self, client, live_article, settings):
        settings.NEWSROOM_LIVE_POLL_SECONDS = 7
        article = live_article()
        page = page_of(client, article)
        assert poll_url(page).startswith(reverse("live:changes", args=[article.slug]))
        assert 'data-live-every="7"' in page and "Check for new updates" in page

    def test_nothing_new_is_a_204_without_a_query(
        self, client, live_article, django_assert_num_queries
    ):
        article = live_article()
        entry(article, "Kick-off")
        url = poll_url(page_of(client, article))
        with django_assert_num_queries(0):
            response = client.get(url, **HTMX)
        assert response.status_code == 204 and response.content == b""

    def test_a_reader_comment_costs_an_empty_live_poll_no_query(
        self, client, live_article, make_comment, committed, django_assert_num_queries
    ):
        from comments.threads import thread_changed

        article = live_article()
        entry(article, "Kick-off")
        url = poll_url(page_of(client, article))
        with committed():  # a comment: the thread's count and caches move on
            thread_changed(make_comment(article=article).article_id)
        with django_assert_num_queries(0):
            assert client.get(url, **HTMX).status_code == 204

    def test_a_new_entry_is_announced_after_the_next_poll(self, client, live_article, committed):
        article = live_article()
        entry(article, "Kick-off", minutes_ago=5)
        url = poll_url(page_of(client, article))
        with committed():
            entry(article, "Goal for Atalanta")
            entry(article, "And another")
        answer = client.get(url, **HTMX).content.decode()
        assert "2 new updates — show" in answer
        assert 'data-live-announce="2 new updates."' in answer
        assert "Goal for Atalanta" not in answer  # nothing moves until the reader asks

    def test_the_first_poll_after_an_entry_costs_two_queries_the_next_reader_s_none(
        self, client, live_article, committed, django_assert_num_queries
    ):
        article = live_article()
        url = poll_url(page_of(client, article))
        with committed():
            entry(article, "Goal for Atalanta")
        # An entry moves its page's scope only: the newest entry and the new ones.
        with django_assert_num_queries(2):
            assert "1 new update — show" in client.get(url, **HTMX).content.decode()
        with django_assert_num_queries(0):
            assert "1 new update — show" in client.get(url, **HTMX).content.decode()

    def test_showing_brings_the_new_entries_in_above_the_others(
        self, client, live_article, committed
    ):
        article = live_article()
        url = poll_url(page_of(client, article))
        with committed():
            entry(article, "First", minutes_ago=1)
            entry(article, "Second")
        answer = client.get(show_url(client.get(url, **HTMX).content.decode()), **HTMX)
        text = answer.content.decode()
        assert 'data-hx-swap-oob="afterbegin:#live-entries"' in text
        assert text.index("Second") < text.index("First")
        # The next poll asks after the newest entry shown: nothing new.
        assert client.get(poll_url(text), **HTMX).status_code == 204

    def test_an_entry_leaves_the_home_page_and_other_stories_cached(
        self, client, live_article, make_article, committed, django_assert_num_queries
    ):
        article = live_article()
        other = make_article()
        for url in ("/", other.get_absolute_url()):
            client.get(url)
        with committed():
            entry(article, "Goal for Atalanta")
        with django_assert_num_queries(0):
            assert client.get("/").status_code == 200
        assert "Goal for Atalanta" in client.get(article.get_absolute_url()).content.decode()

    def test_ending_the_coverage_is_announced_and_stops_the_polling(
        self, client, live_article, committed
    ):
        article = live_article()
        url = poll_url(page_of(client, article))
        with committed():
            article.live_status = Article.LiveStatus.ENDED
            article.save()
        answer = client.get(url, **HTMX).content.decode()
        assert 'data-live-announce="Live coverage has ended."' in answer
        assert poll_url(answer) is None

    def test_a_cursor_the_server_did_not_sign_is_a_400(self, client, live_article):
        article = live_article()
        response = client.get(reverse("live:changes", args=[article.slug]) + "?after=x", **HTMX)
        assert response.status_code == 400

    def test_without_javascript_the_poll_address_leads_to_the_page(self, client, live_article):
        article = live_article()
        response = client.get(reverse("live:changes", args=[article.slug]))
        assert response.status_code == 302
        assert response["Location"] == f"{article.get_absolute_url()}#live-coverage"


class TestEmptyPollsAnsweredEarly:
    def test_an_empty_poll_skips_the_rest_of_the_middleware(self, client, live_article):
        url = poll_url(page_of(client, live_article()))
        response = client.get(url, **HTMX)
        assert response.status_code == 204
        # The security-policy and framing middleware further down never ran.
        assert "X-Frame-Options" not in response and "Content-Security-Policy" not in response

    def test_a_poll_with_news_goes_the_ordinary_way(self, client, live_article, committed):
        article = live_article()
        url = poll_url(page_of(client, article))
        with committed():
            entry(article, "Kick-off")
        response = client.get(url, **HTMX)
        assert response.status_code == 200 and response["X-Frame-Options"] == "DENY"

    def test_an_unknown_article_is_the_ordinary_404(self, client):
        url = reverse("live:changes", args=["no-such-story"]) + "?after=x"
        assert client.get(url, **HTMX).status_code == 404


class TestStructuredData:
    def test_a_live_page_is_a_live_blog_posting_with_its_updates(self, client, live_article):
        author = Contributor.objects.create(name="Ada Reporter 2", slug="ada-2")
        article = live_article()
        goal = entry(
            article, "Lookman scores", key_event=True, key_event_label="Goal", author=author
        )
        article.live_status = Article.LiveStatus.ENDED
        article.save()
        data = json_ld(page_of(client, article))
        assert data["@type"] == "LiveBlogPosting"
        assert data["coverageStartTime"] == article.coverage_started_at.isoformat()
        assert data["coverageEndTime"] == article.coverage_ended_at.isoformat()
        (update,) = data["liveBlogUpdate"]
        assert update["@type"] == "BlogPosting"
        assert update["headline"] == "Goal: Lookman scores"
        assert update["articleBody"] == "Lookman scores"
        assert update["datePublished"] == goal.published_at.isoformat()
        assert update["author"]["name"] == "Ada Reporter 2"

    def test_a_live_page_uses_only_schema_org_terms_in_their_domains(self, client, live_article):
        from pyld import jsonld

        from tests.articles.test_structured_data import offline_loader
        from tests.schema_org import misuses

        author = Contributor.objects.create(name="Ada Reporter 3", slug="ada-3")
        article = live_article()
        entry(article, "Lookman scores", key_event_label="Goal", author=author)
        entry(article, "Team news", pinned=True)
        article.live_status = Article.LiveStatus.ENDED
        article.save()
        (expanded,) = jsonld.expand(
            json_ld(page_of(client, article)), {"documentLoader": offline_loader}
        )
        assert expanded["@type"] == ["http://schema.org/LiveBlogPosting"]
        assert misuses(expanded) == []

    def test_a_live_sponsored_story_is_still_advertiser_content(self, client, live_article):
        article = live_article(kind=Article.Kind.SPONSORED, sponsor_name="Acme Bank")
        data = json_ld(page_of(client, article))
        assert data["@type"] == ["LiveBlogPosting", "AdvertiserContentArticle"]

    def test_a_live_page_still_open_has_no_end_time(self, client, live_article):
        data = json_ld(page_of(client, live_article()))
        assert "coverageStartTime" in data and "coverageEndTime" not in data
