"""Preview links: a signed, expiring, revocable address that shows a draft to
someone without an account, never cached, counted or indexed, with no comment
form, and that leads to the story once it is published."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, PreviewLink, ReaderView
from tests.articles.test_admin import article_form
from tests.conftest import days_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_article):
    return make_article(
        headline="Embargoed budget story",
        slug="embargoed-budget",
        status=Article.Status.DRAFT,
        published_at=None,
    )


@pytest.fixture
def link(draft, editor):
    return PreviewLink.create_for(draft, editor)


class TestPreviewLink:
    def test_it_shows_the_draft_with_a_preview_banner(self, reader_client, link):
        response = reader_client.get(link.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert "Embargoed budget story" in page and "Preview — not published." in page

    def test_it_is_noindex_and_never_cached(self, reader_client, link):
        response = reader_client.get(link.get_absolute_url())
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert '<meta name="robots" content="noindex">' in response.content.decode()
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control
        assert "Surrogate-Key" not in response

    def test_it_is_never_counted(self, reader_client, link, draft):
        for _ in range(3):
            reader_client.get(link.get_absolute_url())
        draft.refresh_from_db()
        assert draft.view_count == 0 and not ReaderView.objects.exists()

    def test_it_has_no_comment_form_and_no_thread(self, reader_client, link):
        page = reader_client.get(link.get_absolute_url()).content.decode()
        assert "Join the conversation" not in page and 'id="comments"' not in page
        assert "comment-form" not in page

    def test_it_stops_working_when_revoked(self, client, link):
        PreviewLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
        response = client.get(link.get_absolute_url())
        assert response.status_code == 410
        page = response.content.decode()
        assert "This preview link no longer works" in page and "withdrawn" in page
        assert "Embargoed budget story" not in page

    def test_it_stops_working_when_it_expires(self, client, link, monkeypatch):
        later = days_ahead(8)  # the default lifetime is 7 days
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        response = client.get(link.get_absolute_url())
        assert response.status_code == 410 and "It expired on" in response.content.decode()

    def test_it_leads_to_the_story_once_published(self, client, link, draft):
        draft.publish()
        draft.save()
        response = client.get(link.get_absolute_url())
        assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()

    @pytest.mark.parametrize("token", ["made-up", "abc:def", "x" * 300])
    def test_a_forged_or_mangled_token_is_a_404(self, client, link, token):
        assert client.get(reverse("articles:preview", args=[token])).status_code == 404

    def test_a_token_for_a_deleted_link_is_a_404(self, client, link):
        url = link.get_absolute_url()
        link.delete()
        assert client.get(url).status_code == 404

    def test_the_default_lifetime_is_seven_days(self, link):
        assert abs(link.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)


class TestPreviewLinkAdmin:
    def test_an_editor_creates_a_link_from_the_article_form(self, client, editor, draft):
        client.force_login(editor)
        change = reverse("admin:articles_article_change", args=[draft.pk])
        create = reverse("admin:articles_article_preview_link", args=[draft.pk])
        assert create in client.get(change).content.decode()
        response = client.post(create, follow=True)
        link = PreviewLink.objects.get()
        assert link.created_by == editor and link.article == draft
        page = response.content.decode()
        assert link.get_absolute_url() in page and "Preview link, valid until" in page
        assert LogEntry.objects.get().get_change_message() == "Preview link created."

    def test_a_get_creates_no_link(self, client, editor, draft):
        client.force_login(editor)
        response = client.get(reverse("admin:articles_article_preview_link", args=[draft.pk]))
        assert response.status_code == 403 and not PreviewLink.objects.exists()

    def test_an_editor_revokes_links(self, client, editor, link):
        client.force_login(editor)
        client.post(
            reverse("admin:articles_previewlink_changelist"),
            {"action": "revoke", "_selected_action": [link.pk]},
        )
        link.refresh_from_db()
        assert link.revoked_at is not None
        assert client.get(link.get_absolute_url()).status_code == 410

    def test_the_article_form_lists_its_links(self, client, editor, link, draft):
        client.force_login(editor)
        page = client.get(reverse("admin:articles_article_change", args=[draft.pk])).content
        assert re.search(rf'href="{re.escape(link.get_absolute_url())}"', page.decode())


def test_an_editor_revokes_a_link_on_the_article_form(client, editor, link, draft):
    client.force_login(editor)
    now = timezone.localtime()
    data = article_form(
        draft.category,
        headline=draft.headline,
        slug=draft.slug,
        status="draft",
        **{
            "preview_links-TOTAL_FORMS": "1",
            "preview_links-INITIAL_FORMS": "1",
            "preview_links-0-id": str(link.pk),
            "preview_links-0-article": str(draft.pk),
            "preview_links-0-revoked_at_0": now.strftime("%Y-%m-%d"),
            "preview_links-0-revoked_at_1": now.strftime("%H:%M:%S"),
        },
    )
    response = client.post(reverse("admin:articles_article_change", args=[draft.pk]), data)
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    client.logout()
    assert client.get(link.get_absolute_url()).status_code == 410
