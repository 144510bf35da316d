"""The curated front page: pins in numbered slots that expire by themselves,
the rest by recency with no story twice, and the site-wide breaking-news
banner that comes and goes on time from the cached pages."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from articles.models import Article, Banner, Pin
from tests.conftest import days_ago, days_ahead

pytestmark = pytest.mark.django_db


def home(client):
    return client.get("/").content.decode()


def lead_of(page):
    lead = page[page.index('aria-label="Lead story"') :]
    return lead[: lead.index("</section>")]


@pytest.fixture
def travel(monkeypatch):
    """Move the clock to ``when`` (pages, queries and caches alike)."""

    def to(when):
        monkeypatch.setattr("django.utils.timezone.now", lambda: when)

    return to


@pytest.fixture
def saved(django_capture_on_commit_callbacks):
    """Runs what a save does once its transaction commits (cache versions move on)."""

    def save(obj):
        with django_capture_on_commit_callbacks(execute=True):
            obj.save()
        return obj

    return save


class TestPins:
    def test_the_story_in_slot_one_leads_above_newer_stories(self, client, make_article):
        make_article(headline="Newest plain story", published_at=days_ago(0.1))
        pinned = make_article(headline="The match report", published_at=days_ago(3))
        Pin.objects.create(article=pinned, slot=1)
        assert "The match report" in lead_of(home(client))

    def test_pinned_stories_come_first_in_slot_order_then_by_recency(self, client, make_article):
        make_article(headline="Newest plain story", published_at=days_ago(0.1))
        second = make_article(headline="Pinned second", published_at=days_ago(5))
        first = make_article(headline="Pinned first", published_at=days_ago(4))
        Pin.objects.create(article=second, slot=2)
        Pin.objects.create(article=first, slot=1)
        page = home(client)
        assert page.index("Pinned first") < page.index("Pinned second") < page.index("Newest plain")

    def test_a_pin_lets_go_by_itself_when_it_expires(self, client, make_article, travel):
        make_article(headline="Newest plain story", published_at=days_ago(0.1))
        pinned = make_article(headline="Last night lead", published_at=days_ago(1))
        Pin.objects.create(article=pinned, slot=1, expires_at=days_ahead(0.5))
        assert "Last night lead" in lead_of(home(client))
        travel(days_ahead(1))  # nothing saved, nothing run
        page = home(client)
        assert "Newest plain story" in lead_of(page)
        assert "Last night lead" in page  # still published, back in its place by date

    def test_a_pinned_draft_does_not_show_until_it_is_published(self, client, make_article):
        make_article(headline="Live story")
        draft = make_article(headline="Pinned ahead of time", status=Article.Status.DRAFT)
        Pin.objects.create(article=draft, slot=1)
        page = home(client)
        assert "Pinned ahead of time" not in page and "Live story" in lead_of(page)

    def test_a_new_pin_shows_on_the_next_request(self, client, make_article, saved):
        make_article(headline="Newest plain story", published_at=days_ago(0.1))
        story = make_article(headline="Now pinned", published_at=days_ago(2))
        assert "Newest plain story" in lead_of(home(client))  # cached
        saved(Pin(article=story, slot=1))
        assert "Now pinned" in lead_of(home(client))

    def test_a_slot_holds_one_pin_per_page(self, make_article, make_category):
        Pin.objects.create(article=make_article(), slot=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Pin.objects.create(article=make_article(), slot=1)


class TestNoStoryTwice:
    def test_no_story_appears_twice_on_the_home_page(self, client, make_article, make_category):
        headlines = []
        for c in range(4):
            category = make_category(name=f"Section {c}")
            for n in range(5):
                headline = f"Story {c}-{n} of the day"
                make_article(category=category, headline=headline, published_at=days_ago(c + n))
                headlines.append(headline)
        Pin.objects.create(article=Article.objects.get(headline="Story 3-4 of the day"), slot=1)
        page = home(client)
        cards = re.findall(r'<h[23] class="card__headline[^"]*"><a [^>]+>([^<]+)</a>', page)
        assert sorted(cards) == sorted(set(cards))
        assert set(cards) == set(headlines)  # and every story still has its place

    def test_a_category_page_shows_its_pins_first_and_not_again_in_the_list(
        self, client, make_article, make_category
    ):
        sports = make_category(name="Sports")
        make_article(category=sports, headline="Newest result", published_at=days_ago(0.1))
        report = make_article(category=sports, headline="Final report", published_at=days_ago(6))
        Pin.objects.create(article=report, slot=1, category=sports)
        page = client.get(sports.get_absolute_url()).content.decode()
        assert page.count("Final report</a>") == 1
        assert page.index("Final report") < page.index("Newest result")

    def test_a_category_pin_stays_off_the_home_page_lead(self, client, make_article, make_category):
        sports = make_category(name="Sports")
        make_article(headline="Newest plain story", published_at=days_ago(0.1))
        report = make_article(category=sports, headline="Final report", published_at=days_ago(6))
        Pin.objects.create(article=report, slot=1, category=sports)
        assert "Newest plain story" in lead_of(home(client))


class TestBanner:
    def test_a_live_banner_shows_on_every_page(self, client, make_article):
        article = make_article()
        Banner.objects.create(
            text="Polls have closed", link="/articles/x/", starts_at=days_ago(0.1)
        )
        for url in ("/", article.get_absolute_url(), article.category.get_absolute_url()):
            page = client.get(url).content.decode()
            assert '<section class="news-banner news-banner--breaking"' in page, url
            assert 'aria-label="Breaking news"' in page and "Polls have closed" in page

    def test_a_banner_appears_at_its_start_and_leaves_at_its_end_with_nothing_saved(
        self, client, make_article, travel
    ):
        make_article()
        Banner.objects.create(
            text="Storm warning tonight",
            level=Banner.Level.DEVELOPING,
            starts_at=days_ahead(1),
            ends_at=days_ahead(2),
        )
        start = days_ahead(0)
        assert "Storm warning tonight" not in home(client)  # cached until the start
        travel(start + timedelta(days=1, minutes=1))
        page = home(client)
        assert "Storm warning tonight" in page and "Developing story" in page
        travel(start + timedelta(days=2, minutes=1))
        assert "Storm warning tonight" not in home(client)

    def test_a_banner_ended_in_the_admin_leaves_at_once(
        self, client, make_article, editor, django_capture_on_commit_callbacks
    ):
        make_article()
        banner = Banner.objects.create(text="Road closed", starts_at=days_ago(1))
        assert "Road closed" in home(client)
        client.force_login(editor)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:articles_banner_changelist"),
                {"action": "end_now", "_selected_action": [banner.pk]},
            )
        client.logout()
        assert "Road closed" not in home(client)

    def test_the_home_page_with_pins_and_a_banner_has_a_fixed_query_budget(
        self, client, make_article, make_category, django_assert_num_queries
    ):
        for c in range(4):
            category = make_category()
            for n in range(6):
                article = make_article(category=category, published_at=days_ago(c + n + 1))
        for slot in (1, 2, 3):
            Pin.objects.create(article=Article.objects.all()[slot * 5], slot=slot)
        Pin.objects.create(article=article, slot=4, expires_at=days_ahead(1))
        Banner.objects.create(text="Breaking: a test", starts_at=days_ago(1))
        # Cold: versions (get + add), next timed change, the banner, the front
        # page (pins and newest in one) and its credits, the sections and
        # theirs, most read, navigation.
        with django_assert_num_queries(9):
            assert "Breaking: a test" in home(client)
        with django_assert_num_queries(0):  # warm: every reader after the first
            assert "Breaking: a test" in home(client)

    def test_a_banner_link_must_be_on_the_site_or_http(self):
        for bad in ("javascript:alert(1)", "//evil.example/", "ftp://x.example/"):
            with pytest.raises(ValidationError):
                Banner(text="x", link=bad).full_clean()
        Banner(text="x", link="/articles/a/").full_clean()
        Banner(text="x", link="https://example.com/live").full_clean()

    def test_a_banner_must_end_after_it_starts(self):
        with pytest.raises(ValidationError):
            Banner(text="x", starts_at=days_ago(0), ends_at=days_ago(1)).full_clean()


class TestFrontPageAdmin:
    def test_an_editor_pins_a_story_from_the_front_page_admin(self, client, editor, make_article):
        story = make_article(headline="Match report")
        client.force_login(editor)
        response = client.post(
            reverse("admin:articles_pin_add"),
            {
                "category": "",
                "slot": "1",
                "article": story.pk,
                "expires_at_0": "",
                "expires_at_1": "",
            },
        )
        assert response.status_code == 302
        page = client.get(reverse("admin:articles_pin_changelist")).content.decode()
        assert "Home page" in page and "Match report" in page

    def test_a_section_pin_must_be_a_story_of_that_section(self, make_article, make_category):
        sports, politics = make_category(name="Sports"), make_category(name="Politics")
        story = make_article(category=politics)
        with pytest.raises(ValidationError) as refused:
            Pin(category=sports, slot=1, article=story).full_clean()
        assert "Only a story in Sports can be pinned on its page." in str(refused.value)
        Pin(category=politics, slot=1, article=story).full_clean()
        Pin(category=None, slot=1, article=story).full_clean()  # the home page takes any

    def test_a_category_form_edits_its_pins_inline(self, client, editor, make_article):
        story = make_article()
        client.force_login(editor)
        page = client.get(
            reverse("admin:articles_category_change", args=[story.category.pk])
        ).content.decode()
        assert "Pinned stories" in page and 'name="pins-0-slot"' in page
