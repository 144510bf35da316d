"""Cached fragments stay correct: every change a reader could see shows at once."""

import pytest
from django.urls import reverse

from articles.models import Article, Source
from tests.conftest import days_ahead

pytestmark = pytest.mark.django_db


def home(client):
    return client.get("/").content.decode()


class TestFragmentsAreReused:
    def test_a_warm_home_page_runs_no_listing_query(
        self, client, make_article, django_assert_max_num_queries
    ):
        for _ in range(5):
            make_article()
        client.get("/")
        with django_assert_max_num_queries(0):
            assert client.get("/").status_code == 200

    def test_a_warm_category_page_only_looks_up_the_category(
        self, client, make_article, django_assert_max_num_queries
    ):
        article = make_article()
        url = article.category.get_absolute_url()
        client.get(url)
        with django_assert_max_num_queries(1):
            assert article.headline in client.get(url).content.decode()

    def test_pages_are_cached_separately(self, client, make_article, make_category, settings):
        settings.NEWSROOM_ARTICLES_PER_PAGE = 1
        category = make_category()
        make_article(category=category, headline="First page story")
        make_article(category=category, headline="Second page story", published_at=days_ahead(-3))
        url = category.get_absolute_url()
        assert "First page story" in client.get(url).content.decode()
        assert "Second page story" in client.get(url + "?page=2").content.decode()


class TestInvalidation:
    def test_publishing_shows_at_once(self, client, make_article):
        draft = make_article(headline="Breaking news", status=Article.Status.DRAFT)
        assert "Breaking news" not in home(client)
        draft.publish()
        draft.save()
        assert "Breaking news" in home(client)

    def test_unpublishing_in_the_admin_hides_at_once(self, client, editor, make_article):
        article = make_article(headline="Retracted story")
        assert "Retracted story" in home(client)
        client.force_login(editor)
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "unpublish", "_selected_action": [article.pk]},
        )
        client.logout()
        assert "Retracted story" not in home(client)

    def test_editing_a_headline_shows_at_once(self, client, make_article):
        article = make_article(headline="Old headline")
        category_url = article.category.get_absolute_url()
        home(client), client.get(category_url)
        article.headline = "Corrected headline"
        article.save()
        assert "Corrected headline" in home(client)
        assert "Corrected headline" in client.get(category_url).content.decode()

    def test_deleting_removes_at_once(self, client, make_article):
        article = make_article(headline="Deleted story")
        assert "Deleted story" in home(client)
        article.delete()
        assert "Deleted story" not in home(client)

    def test_a_new_category_appears_in_the_navigation(self, client, make_article, make_category):
        make_article()
        home(client)
        make_category(name="Weather")
        assert ">Weather</a>" in home(client)

    def test_a_scheduled_article_appears_when_its_time_comes(
        self, client, make_article, monkeypatch
    ):
        make_article(headline="Already out")
        make_article(headline="Embargoed story", published_at=days_ahead(1))
        assert "Embargoed story" not in home(client)
        later = days_ahead(2)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        assert "Embargoed story" in home(client)

    def test_source_changes_move_the_version_on(self, make_article):
        from articles.caching import content_version

        article = make_article()
        before = content_version()
        Source.objects.create(article=article, name="Reuters")
        assert content_version() > before

    def test_view_counts_do_not_churn_the_cache(self, reader_client, make_article):
        from articles.caching import content_version

        article = make_article()
        before = content_version()
        reader_client.get(article.get_absolute_url())
        assert content_version() == before


class TestEachProcessRemembersEntries:
    """Entries a process used stay in its memory; they obey the shared rules."""

    def test_a_warm_article_page_makes_one_shared_cache_lookup(
        self, reader_client, make_article, monkeypatch
    ):
        from django.core.cache import cache

        article = make_article()
        reader_client.get(article.get_absolute_url())
        lookups = []
        real_get = cache.get
        monkeypatch.setattr(
            cache, "get", lambda key, *a, **k: lookups.append(key) or real_get(key, *a, **k)
        )
        assert reader_client.get(article.get_absolute_url()).status_code == 200
        assert lookups == ["content-version"]

    def test_a_change_made_by_another_process_shows_at_once(self, client, make_article):
        from django.core.cache import cache

        article = make_article(headline="Before")
        assert "Before" in home(client)
        # Another worker saves the change: the database and the shared version
        # move, this process's memory does not.
        Article.objects.filter(pk=article.pk).update(headline="After")
        cache.incr("content-version")
        assert "After" in home(client)

    def test_an_emptied_shared_cache_never_brings_back_remembered_entries(
        self, client, make_article
    ):
        from django.core.cache import cache

        article = make_article(headline="Before")
        assert "Before" in home(client)
        Article.objects.filter(pk=article.pk).update(headline="After")
        cache.clear()  # a Redis restart: the version starts again, at a new number
        assert "After" in home(client)

    def test_cards_refresh_their_counts_after_the_fragment_lifetime(
        self, client, make_article, settings, monkeypatch
    ):
        from datetime import timedelta

        from django.utils import timezone

        settings.NEWSROOM_FRAGMENT_TTL = 60
        article = make_article(headline="Counted story", view_count=5)
        home(client)
        Article.objects.filter(pk=article.pk).update(headline="Recounted story")  # no new version
        assert "Recounted story" not in home(client)
        later = timezone.now() + timedelta(seconds=61)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        assert "Recounted story" in home(client)

    def test_each_request_gets_its_own_copy_of_the_cached_article(self, make_article):
        from articles.caching import cached_article

        article = make_article()
        first, second = cached_article(article.slug), cached_article(article.slug)
        first.view_count = 99
        assert second is not first and second.view_count != 99
