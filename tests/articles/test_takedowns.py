"""Takedowns and expiry: a story taken down answers 410 Gone with its notice
and leaves every list, feed, sitemap, search and cached page on the next
request; a story with an expiry leaves by itself at that time. Both are in
the history."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles import purging
from articles.counting import hour_of
from articles.models import Article, ViewTally
from tests.conftest import days_ago, days_ahead

pytestmark = pytest.mark.django_db

NOTICE = "This story has been removed following a legal complaint."


@pytest.fixture
def purged(monkeypatch):
    """The surrogate keys purged from the edge caches."""
    keys = []
    monkeypatch.setattr(purging, "purge", lambda *k: keys.extend(k))
    return keys


@pytest.fixture
def story(make_article, make_category):
    sports = make_category(name="Sports", slug="sports")
    article = make_article(
        category=sports,
        headline="Striker accused in transfer row",
        slug="striker-accused",
        standfirst="Claims about the striker.",
    )
    make_article(category=sports, headline="Sibling story", slug="sibling")
    ViewTally.objects.create(article=article, hour=hour_of(days_ago(0.05)), views=900)
    return article


def pages_that_list_it(story):
    sibling = Article.objects.get(slug="sibling")
    return {
        "home": "/",
        "category": story.category.get_absolute_url(),
        "related (sibling page)": sibling.get_absolute_url(),
        "search": "/search/?q=striker",
        "feed": reverse("feed"),
        "atom feed": reverse("feed-atom"),
        "category feed": reverse("category-feed", args=["sports"]),
        "sitemap": "/sitemap-articles.xml",
        "news sitemap": "/sitemap-news.xml",
    }


class TestTakedown:
    def test_a_taken_down_story_answers_410_gone_with_its_notice(self, client, story):
        story.take_down("legal", NOTICE)
        story.save()
        response = client.get(story.get_absolute_url())
        assert response.status_code == 410
        page = response.content.decode()
        assert "This story has been removed" in page and NOTICE in page
        assert "Striker accused" not in page and "Claims about the striker" not in page
        assert response["X-Robots-Tag"] == "noindex"

    def test_it_leaves_every_list_feed_sitemap_and_cached_page_on_the_next_request(
        self, client, story, django_capture_on_commit_callbacks, purged
    ):
        urls = pages_that_list_it(story)
        for name, url in urls.items():  # every page cached with a link to the story
            assert "/articles/striker-accused/" in client.get(url).content.decode(), name
        assert client.get(story.get_absolute_url()).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            story.take_down("legal", NOTICE)
            story.save()
        for name, url in urls.items():
            page = client.get(url).content.decode()
            assert "Striker accused" not in page and "striker-accused" not in page, name
        assert client.get(story.get_absolute_url()).status_code == 410
        assert "site" in purged  # the edge caches drop every page too

    def test_its_comments_are_hidden_with_it(self, client, story, make_comment):
        comment = make_comment(article=story, body="An opinion on the row.")
        story.take_down("legal", NOTICE)
        story.save()
        for url in (
            reverse("comments:permalink", args=[comment.pk]),
            reverse("comments:thread", args=[story.slug]),
            reverse("comments:reply", args=[comment.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert "An opinion on the row." not in response.content.decode()

    def test_an_editor_takes_a_story_down_with_a_reason_and_notice_in_the_history(
        self, client, editor, story
    ):
        client.force_login(editor)
        url = reverse("admin:articles_article_take_down", args=[story.pk])
        form = client.get(url).content.decode()
        assert "410 Gone" in form and 'name="notice"' in form
        response = client.post(url, {"reason": "legal", "notice": NOTICE, "apply_takedown": "1"})
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.is_taken_down and story.takedown_reason == "legal"
        entry = LogEntry.objects.get(object_id=str(story.pk))
        assert entry.get_change_message() == f"Taken down (legal): {NOTICE}"
        revision = story.revisions.get()
        assert (revision.action, revision.created_by) == ("taken_down", editor)
        assert revision.note == f"Legal: {NOTICE}"

    def test_a_takedown_without_a_notice_is_refused(self, client, editor, story):
        client.force_login(editor)
        url = reverse("admin:articles_article_take_down", args=[story.pk])
        response = client.post(url, {"reason": "legal", "notice": "", "apply_takedown": "1"})
        assert response.status_code == 200 and "This field is required" in response.content.decode()
        story.refresh_from_db()
        assert not story.is_taken_down

    def test_the_list_action_takes_several_down(self, client, editor, make_article):
        first, second = make_article(), make_article()
        client.force_login(editor)
        changelist = reverse("admin:articles_article_changelist")
        asked = client.post(
            changelist, {"action": "take_down", "_selected_action": [first.pk, second.pk]}
        )
        assert asked.status_code == 200 and 'name="notice"' in asked.content.decode()
        client.post(
            changelist,
            {
                "action": "take_down",
                "_selected_action": [first.pk, second.pk],
                "reason": "editorial",
                "notice": "Removed: it did not meet our standards.",
                "apply_takedown": "1",
            },
        )
        assert Article.objects.taken_down().count() == 2
        assert LogEntry.objects.count() == 2

    def test_the_change_form_offers_the_take_down_button(self, client, editor, story):
        client.force_login(editor)
        page = client.get(reverse("admin:articles_article_change", args=[story.pk])).content
        assert reverse("admin:articles_article_take_down", args=[story.pk]).encode() in page

    def test_an_unknown_slug_is_still_a_plain_404(self, client, db):
        assert client.get("/articles/never-was/").status_code == 404


class TestExpiry:
    def test_a_story_leaves_by_itself_when_it_expires(self, make_article, monkeypatch):
        article = make_article(expires_at=days_ahead(1))
        assert article.is_published() and Article.objects.published().filter(pk=article.pk)
        later = days_ahead(2)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        assert not article.is_published()
        assert not Article.objects.published().filter(pk=article.pk).exists()

    def test_its_page_and_listings_drop_it_at_that_time_with_nothing_saved(
        self, client, make_article, monkeypatch
    ):
        article = make_article(headline="Offer ends tonight", expires_at=days_ahead(0.5))
        assert "Offer ends tonight" in client.get("/").content.decode()
        assert client.get(article.get_absolute_url()).status_code == 200
        later = days_ahead(1)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        assert "Offer ends tonight" not in client.get("/").content.decode()
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_shared_caches_keep_a_listing_no_longer_than_until_the_next_expiry(
        self, client, make_article
    ):
        make_article(expires_at=days_ahead(0.0002))  # about 17 seconds
        cache_control = client.get("/")["Cache-Control"]
        s_maxage = int(cache_control.split("s-maxage=")[1].split(",")[0])
        assert s_maxage <= 18

    def test_setting_an_expiry_in_the_admin_is_written_in_the_history(
        self, client, editor, make_article
    ):
        from tests.articles.test_admin import article_form

        article = make_article(slug="budget-day-explained")
        client.force_login(editor)
        data = article_form(
            article.category,
            published_at_0="2026-01-01",
            published_at_1="09:00:00",
            expires_at_0="2030-01-01",
            expires_at_1="09:00:00",
        )
        response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
        assert response.status_code == 302
        entry = LogEntry.objects.get(object_id=str(article.pk))
        assert "Set to expire at 2030-01-01 09:00" in entry.get_change_message()


class TestRestore:
    def test_lifting_a_takedown_brings_the_story_back_and_is_in_the_history(
        self, client, editor, story
    ):
        story.take_down("legal", NOTICE)
        story.save()
        client.force_login(editor)
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "restore", "_selected_action": [story.pk]},
        )
        client.logout()
        assert client.get(story.get_absolute_url()).status_code == 200
        assert LogEntry.objects.get(object_id=str(story.pk)).get_change_message() == (
            "Takedown lifted."
        )
        assert [r.action for r in story.revisions.all()] == ["takedown_lifted"]


def test_an_expiry_before_the_publication_time_is_refused(make_article):
    article = make_article(published_at=days_ago(1))
    article.expires_at = days_ago(2)
    with pytest.raises(ValidationError, match="must come after the publication time"):
        article.full_clean()
