"""Cached fragments stay correct: every change a reader could see shows at once,
and nothing else invalidates anything."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles import caching
from articles.models import Article, Source
from tests.conftest import days_ahead

pytestmark = pytest.mark.django_db


def home(client):
    return client.get("/").content.decode()


def site_version():
    return caching.versions([caching.SITE])[0]


def thread_version(article):
    return caching.versions([caching.thread_scope(article.slug)])[0]


class TestFragmentsAreReused:
    def test_a_warm_home_page_runs_no_query(self, client, make_article, django_assert_num_queries):
        for _ in range(5):
            make_article()
        client.get("/")
        with django_assert_num_queries(0):
            assert client.get("/").status_code == 200

    def test_a_warm_category_page_runs_no_query(
        self, client, make_article, django_assert_num_queries
    ):
        article = make_article()
        url = article.category.get_absolute_url()
        client.get(url)
        with django_assert_num_queries(0):
            assert article.headline in client.get(url).content.decode()

    def test_pages_are_cached_separately(self, client, make_article, make_category, settings):
        settings.NEWSROOM_ARTICLES_PER_PAGE = 1
        category = make_category()
        make_article(category=category, headline="First page story")
        make_article(category=category, headline="Second page story", published_at=days_ahead(-3))
        url = category.get_absolute_url()
        assert "First page story" in client.get(url).content.decode()
        assert "Second page story" in client.get(url + "?page=2").content.decode()


@pytest.mark.django_db(transaction=True)
class TestInvalidationAfterCommit:
    """Real commits: the version moves when the change is visible to other readers."""

    def test_the_version_moves_only_once_the_change_has_committed(self, make_article):
        article = make_article()
        before = site_version()
        with transaction.atomic():
            article.headline = "Changed"
            article.save()
            assert site_version() == before  # a reader now would still see the old row
        assert site_version() != before

    def test_a_rolled_back_change_invalidates_nothing(self, make_article):
        article = make_article()
        before = site_version()
        with pytest.raises(RuntimeError), transaction.atomic():
            article.save()
            raise RuntimeError
        assert site_version() == before

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
        home(client), client.get(category_url), client.get(article.get_absolute_url())
        article.headline = "Corrected headline"
        article.save()
        assert "Corrected headline" in home(client)
        assert "Corrected headline" in client.get(category_url).content.decode()
        assert "Corrected headline" in client.get(article.get_absolute_url()).content.decode()

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

    def test_a_new_source_moves_the_site_version_on(self, make_article):
        article = make_article()
        before = site_version()
        Source.objects.create(article=article, name="Reuters")
        assert site_version() != before

    def test_two_changes_give_two_new_versions(self, make_article):
        article = make_article()
        seen = {site_version()}
        for headline in ("One", "Two"):
            article.headline = headline
            article.save()
            seen.add(site_version())
        assert len(seen) == 3


@pytest.mark.django_db(transaction=True)
class TestCommentsTouchOnlyTheirThread:
    def test_a_visible_comment_moves_its_thread_only(self, make_article, make_comment):
        article, other = make_article(), make_article()
        site, thread, other_thread = site_version(), thread_version(article), thread_version(other)
        make_comment(article=article)
        assert site_version() == site
        assert thread_version(article) != thread
        assert thread_version(other) == other_thread

    def test_a_comment_held_for_review_invalidates_nothing(self, make_article, make_comment):
        article = make_article()
        site, thread = site_version(), thread_version(article)
        make_comment(article=article, status="pending")
        assert (site_version(), thread_version(article)) == (site, thread)

    def test_a_warm_home_page_stays_warm_while_readers_comment(
        self, client, make_article, make_comment, django_assert_num_queries
    ):
        article = make_article()
        home(client)
        make_comment(article=article)
        with django_assert_num_queries(0):
            client.get("/")

    def test_a_new_comment_shows_at_once_on_its_article(
        self, reader_client, make_article, make_comment
    ):
        article = make_article()
        reader_client.get(article.get_absolute_url())
        make_comment(article=article, body="Fresh thought")
        page = reader_client.get(article.get_absolute_url()).content.decode()
        assert "Fresh thought" in page and "Comments (1)" in page

    def test_an_edited_comment_shows_its_new_text_at_once(
        self, reader_client, make_article, make_comment
    ):
        article = make_article()
        comment = make_comment(article=article, body="Frist!")
        make_comment(article=article, body="Another view")
        reader_client.get(article.get_absolute_url())
        comment.body = "First!"
        comment.save()
        page = reader_client.get(article.get_absolute_url()).content.decode()
        assert "First!" in page and "Frist!" not in page and "Another view" in page

    def test_a_new_comment_renders_only_itself(
        self, reader_client, make_article, make_comment, monkeypatch
    ):
        article = make_article()
        for n in range(5):
            make_comment(article=article, body=f"Earlier comment {n}")
        reader_client.get(article.get_absolute_url())
        make_comment(article=article, body="The newest")
        rendered = []
        real = caching.set_fragment
        monkeypatch.setattr(
            caching,
            "set_fragment",
            lambda key, value, request=None: rendered.append(key) or real(key, value, request),
        )
        page = reader_client.get(article.get_absolute_url()).content.decode()
        assert "The newest" in page and "Earlier comment 4" in page
        # The other five comments' markup came from their own entries.
        assert len([key for key in rendered if ":comment:" in key]) == 1

    def test_a_report_that_hides_nothing_invalidates_nothing(
        self, make_article, make_comment, discussion_settings
    ):
        from comments.moderation import record_report

        discussion_settings(report_threshold=3)
        comment = make_comment()
        thread = thread_version(comment.article)
        assert record_report(comment, "reader-1")
        assert thread_version(comment.article) == thread

    def test_a_report_that_hides_a_comment_recounts_and_invalidates(
        self, make_article, make_comment, discussion_settings
    ):
        from comments.moderation import record_report

        discussion_settings(report_threshold=1)
        comment = make_comment()
        thread = thread_version(comment.article)
        record_report(comment, "reader-1")
        assert thread_version(comment.article) != thread
        assert Article.objects.get(pk=comment.article_id).comment_count == 0


class TestScheduledArticles:
    def test_a_scheduled_article_appears_when_its_time_comes(
        self, client, make_article, monkeypatch
    ):
        make_article(headline="Already out")
        make_article(headline="Embargoed story", published_at=days_ahead(1))
        assert "Embargoed story" not in home(client)
        later = days_ahead(2)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        assert "Embargoed story" in home(client)

    def test_fragments_stored_after_a_go_live_are_kept(
        self, client, make_article, monkeypatch, django_assert_num_queries
    ):
        make_article(headline="First embargo", published_at=days_ahead(1))
        make_article(headline="Second embargo", published_at=days_ahead(3))
        home(client)  # remembers the first go-live as the next one
        later = days_ahead(2)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        assert "First embargo" in home(client)
        with django_assert_num_queries(0):  # stored valid until the second go-live
            assert "First embargo" in home(client)


class TestKeysComeFromValidatedValues:
    @pytest.mark.parametrize(
        "query",
        [
            "?page=99999",
            "?page=-1",
            "?page=0",
            "?page=abc",
            "?page=1.5",
            "?page=%C2%B2",  # a Unicode superscript two
            "?page=1&page=99999",
            "?page=" + "9" * 400,
            "?colour=blue&size=42",
        ],
    )
    def test_odd_page_numbers_create_no_cache_entries(
        self, client, make_article, cache_writes, query
    ):
        article = make_article()
        url = article.category.get_absolute_url()
        client.get(url)
        client.get(url + "?page=1")
        cache_writes.clear()
        response = client.get(url + query)
        if "page" in query:
            assert response.status_code == 404  # tests/articles/test_pagination.py
        else:
            assert article.headline in response.content.decode()
        assert [key for key in cache_writes if ":nav:" not in key] == []

    @pytest.mark.parametrize("query", ["?cpage=99999", "?cpage=%C2%B2", "?cpage=-3&csort=sideways"])
    def test_odd_thread_pages_create_no_cache_entries(
        self, reader_client, make_article, make_comment, cache_writes, query
    ):
        article = make_article()
        make_comment(article=article, body="Only comment")
        url = article.get_absolute_url()
        reader_client.get(url + "?cpage=1")
        cache_writes.clear()
        response = reader_client.get(url + query)
        assert response.status_code == 200 and "Only comment" in response.content.decode()
        assert [key for key in cache_writes if "comment-page" in key] == []

    def test_a_page_past_the_end_is_not_found(self, client, make_category, make_article):
        category = make_category()
        make_article(category=category, headline="The only story")
        response = client.get(category.get_absolute_url() + "?page=7")
        assert response.status_code == 404


class TestVersions:
    def test_a_new_version_is_written_without_reading_the_old_one(self, monkeypatch):
        """A read-modify-write (the file cache's incr) can turn two changes into one."""
        caching.versions([caching.SITE])
        calls = []
        for name in ("get", "get_many", "incr"):
            monkeypatch.setattr(cache, name, lambda *a, _name=name, **k: calls.append(_name))
        caching.invalidate(caching.SITE)
        assert calls == []

    def test_a_lost_version_is_replaced_by_a_new_one_never_an_old_one(self, client, make_article):
        article = make_article(headline="Before")
        assert "Before" in home(client)
        old = site_version()
        Article.objects.filter(pk=article.pk).update(headline="After")
        cache.delete("version:site")  # evicted, or the cache restarted
        assert "After" in home(client)
        assert site_version() != old

    def test_a_change_made_by_another_process_shows_at_once(self, client, make_article):
        article = make_article(headline="Before")
        assert "Before" in home(client)
        # Another worker saves the change: the database and the shared version
        # move, this process's memory does not.
        Article.objects.filter(pk=article.pk).update(headline="After")
        cache.set("version:site", "from-another-process", timeout=None)
        assert "After" in home(client)

    def test_a_warm_article_page_makes_one_shared_cache_lookup(
        self, reader_client, make_article, monkeypatch
    ):
        article = make_article()
        reader_client.get(article.get_absolute_url())
        lookups, inside_get_many = [], []
        real_get, real_get_many = cache.get, cache.get_many

        def get(key, *args, **kwargs):
            if not inside_get_many:  # a backend may answer get_many with gets
                lookups.append(key)
            return real_get(key, *args, **kwargs)

        def get_many(keys, *args, **kwargs):
            lookups.append(keys)
            inside_get_many.append(True)
            try:
                return real_get_many(keys, *args, **kwargs)
            finally:
                inside_get_many.pop()

        monkeypatch.setattr(cache, "get", get)
        monkeypatch.setattr(cache, "get_many", get_many)
        assert reader_client.get(article.get_absolute_url()).status_code == 200
        assert lookups == [
            ["version:site", f"version:thread:{article.slug}", f"version:page:{article.slug}"]
        ]

    def test_view_counts_do_not_churn_the_cache(self, reader_client, make_article):
        article = make_article()
        before = (site_version(), thread_version(article))
        reader_client.get(article.get_absolute_url())
        assert (site_version(), thread_version(article)) == before

    def test_cards_refresh_their_counts_after_the_fragment_lifetime(
        self, client, make_article, monkeypatch
    ):
        article = make_article(headline="Counted story", view_count=5)
        home(client)
        Article.objects.filter(pk=article.pk).update(headline="Recounted story")  # no new version
        assert "Recounted story" not in home(client)
        later = timezone.now() + timedelta(seconds=caching.FRAGMENT_TTL + 1)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        assert "Recounted story" in home(client)

    def test_each_request_gets_its_own_copy_of_the_cached_article(self, make_article):
        article = make_article()
        first, second = caching.cached_article(article.slug), caching.cached_article(article.slug)
        first.view_count = 99
        assert second is not first and second.view_count != 99

    def test_an_article_without_its_count_never_shows_the_count_it_was_cached_with(
        self, make_article, django_assert_num_queries
    ):
        article = make_article()
        caching.cached_article(article.slug)
        Article.objects.filter(pk=article.pk).update(comment_count=3)  # no new version
        with django_assert_num_queries(0):
            uncounted = caching.cached_article(article.slug, counted=False)
        with django_assert_num_queries(1):
            assert uncounted.comment_count == 3
