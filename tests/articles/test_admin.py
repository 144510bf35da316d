"""The editors' desk, driven through the admin as an editor would."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article, Source
from tests.conftest import days_ago, days_ahead

pytestmark = pytest.mark.django_db


def article_form(category, **overrides):
    data = {
        "headline": "Budget day explained",
        "slug": "budget-day-explained",
        "category": category.pk,
        "standfirst": "What changes for households.",
        "body": "<p>The chancellor said <strong>little</strong>.</p>",
        "author": "",
        "kind": "news",
        "credits-TOTAL_FORMS": "0",
        "credits-INITIAL_FORMS": "0",
        "credits-MIN_NUM_FORMS": "0",
        "credits-MAX_NUM_FORMS": "1000",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "comments_open": "on",
        "sources-TOTAL_FORMS": "2",
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "1000",
        "sources-0-position": "1",
        "sources-0-name": "Treasury",
        "sources-0-url": "https://www.gov.uk/",
        "sources-1-position": "0",
        "sources-1-name": "Office for Budget Responsibility",
        "sources-1-url": "",
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "notes-MIN_NUM_FORMS": "0",
        "notes-MAX_NUM_FORMS": "1000",
        "preview_links-TOTAL_FORMS": "0",
        "preview_links-INITIAL_FORMS": "0",
        "preview_links-MIN_NUM_FORMS": "0",
        "preview_links-MAX_NUM_FORMS": "1000",
        "based_on_revision": "0",  # the revision the form was opened on: none yet
    }
    data.update(overrides)
    return data


class TestEditorsGroup:
    def test_editors_manage_content_but_not_people(self):
        codenames = set(
            Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
        )
        for model in (
            "article",
            "category",
            "source",
            "articlenote",
            "contributor",
            "articlecontributor",
            "topic",
        ):
            assert {f"add_{model}", f"change_{model}", f"delete_{model}"} <= codenames
        assert {"change_comment", "moderate_comment", "delete_comment"} <= codenames
        assert {"view_discussionsettings", "change_discussionsettings"} <= codenames
        assert not {"add_user", "change_user", "change_group"} & codenames

    def test_editor_cannot_open_user_admin(self, client, editor):
        client.force_login(editor)
        assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


class TestPublishingThroughTheAdmin:
    def test_editor_logs_in_and_publishes_an_article(self, client, editor, make_category):
        category = make_category(name="Business")
        response = client.post(
            reverse("admin:login"),
            {"username": editor.username, "password": editor.raw_password, "next": "/admin/"},
        )
        assert response.status_code == 302
        response = client.post(reverse("admin:articles_article_add"), article_form(category))
        assert response.status_code == 302, response.context["adminform"].errors

        article = Article.objects.get(slug="budget-day-explained")
        assert article.is_published()
        assert [s.name for s in article.sources.all()] == [
            "Office for Budget Responsibility",
            "Treasury",
        ]
        client.logout()
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Budget day explained" in page
        assert "Sources:" in page and "Office for Budget Responsibility" in page

    def test_body_is_sanitized_whatever_the_editor_sends(self, client, editor, make_category):
        client.force_login(editor)
        body = (
            '<p onmouseover="steal()">Hi<script>alert(1)</script><a href="javascript:x()">x</a></p>'
        )
        client.post(reverse("admin:articles_article_add"), article_form(make_category(), body=body))
        stored = Article.objects.get().body
        assert "script" not in stored and "onmouseover" not in stored and "javascript" not in stored
        assert "Hi" in stored

    def test_future_date_schedules_the_article(self, client, editor, make_category):
        client.force_login(editor)
        when = days_ahead(2)
        client.post(
            reverse("admin:articles_article_add"),
            article_form(
                make_category(),
                published_at_0=when.strftime("%Y-%m-%d"),
                published_at_1=when.strftime("%H:%M:%S"),
            ),
        )
        article = Article.objects.get()
        assert article.status == "published" and not article.is_published()
        assert client.get("/").status_code == 200
        client.logout()
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_view_count_is_read_only(self, client, editor, make_article):
        article = make_article()
        Article.objects.filter(pk=article.pk).update(view_count=10)
        client.force_login(editor)
        url = reverse("admin:articles_article_change", args=[article.pk])
        page = client.get(url).content.decode()
        assert 'name="view_count"' not in page
        data = article_form(article.category, slug=article.slug, view_count="99999")
        client.post(url, data)
        article.refresh_from_db()
        assert article.view_count == 10

    def test_the_article_form_sets_its_own_comment_moderation(self, client, editor, make_category):
        client.force_login(editor)
        page = client.get(reverse("admin:articles_article_add")).content.decode()
        assert 'name="comment_moderation"' in page and "Pre-moderation" in page
        client.post(
            reverse("admin:articles_article_add"),
            article_form(make_category(), comment_moderation="pre"),
        )
        assert Article.objects.get().comment_moderation == "pre"

    def test_reader_account_is_refused(self, client, make_user):
        reader = make_user()
        response = client.post(
            reverse("admin:login"),
            {"username": reader.username, "password": reader.raw_password, "next": "/admin/"},
        )
        assert response.status_code == 200  # the login form again, with an error
        assert "staff account" in response.content.decode()
        client.force_login(reader)
        response = client.get(reverse("admin:articles_article_add"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert not Article.objects.exists()


class TestArticleList:
    def test_lists_columns_and_finds_by_search(self, client, editor, make_article):
        make_article(headline="Rail strike called off")
        make_article(headline="Museum reopens")
        client.force_login(editor)
        response = client.get(reverse("admin:articles_article_changelist"), {"q": "rail"})
        page = response.content.decode()
        assert "Rail strike called off" in page and "Museum reopens" not in page
        for column in ("Headline", "State", "Category", "Author", "Time", "Views", "Comments"):
            assert column in page

    @pytest.mark.parametrize("query", ["status__exact=draft", "published_at__year=2026"])
    def test_filters_work(self, client, editor, make_article, query):
        client.force_login(editor)
        response = client.get(reverse("admin:articles_article_changelist") + "?" + query)
        assert response.status_code == 200

    def test_publish_action_publishes_drafts_now(self, client, editor, make_article):
        draft = make_article(status="draft", published_at=None)
        scheduled = make_article(published_at=days_ahead(3))
        live = make_article(published_at=days_ago(5))
        original = live.published_at
        client.force_login(editor)
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish_now", "_selected_action": [draft.pk, scheduled.pk, live.pk]},
        )
        for article in (draft, scheduled, live):
            article.refresh_from_db()
            assert article.is_published()
        assert live.published_at == original

    def test_unpublish_action_returns_articles_to_draft(self, client, editor, make_article):
        article = make_article()
        client.force_login(editor)
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "unpublish", "_selected_action": [article.pk]},
        )
        article.refresh_from_db()
        assert article.status == "draft"
        client.logout()
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_view_on_site_links_to_the_article(self, client, editor, make_article):
        article = make_article(status="draft")
        client.force_login(editor)
        page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content
        assert b"View on site" in page
        preview = client.get(article.get_absolute_url())
        assert preview.status_code == 200 and b"Preview: not published" in preview.content

    def test_sources_are_edited_inline(self, client, editor, make_article):
        article = make_article(sources=["ESPN"])
        client.force_login(editor)
        page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content
        assert b'name="sources-0-name"' in page and b'value="ESPN"' in page
        assert Source.objects.count() == 1
