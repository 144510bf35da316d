"""Corrections, clarifications and updates in public, and an honest "Updated"."""

import json
import re
from datetime import UTC, timedelta

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleNote, EditorialSettings, PublicNoteDeletion
from tests.articles.test_admin import article_form
from tests.form_posts import form_data

pytestmark = pytest.mark.django_db


def page_of(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def json_ld(html):
    (block,) = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(block)


def note_on(article, **fields):
    return ArticleNote.objects.create(
        article=article,
        text=fields.pop("text", "An earlier version gave the wrong date."),
        **fields,
    )


@pytest.fixture
def settings_newsroom_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"


def change_form(article, **overrides):
    """The article's admin form as it stands, with ``overrides``."""
    return article_form(
        article.category,
        headline=article.headline,
        slug=article.slug,
        published_at_0=timezone.localtime(article.published_at).strftime("%Y-%m-%d"),
        published_at_1=timezone.localtime(article.published_at).strftime("%H:%M:%S"),
        **overrides,
    )


def edit(client, editor, article, **overrides):
    client.force_login(editor)
    data = change_form(article, **overrides)
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.context["adminform"].errors
    article.refresh_from_db()
    return article


class TestHonestDateAndTime:
    def test_article_line_shows_the_publication_date_and_time_in_the_newsrooms_zone(
        self, client, make_article, settings_newsroom_zone
    ):
        from datetime import datetime

        article = make_article(published_at=datetime(2026, 2, 25, 13, 5, tzinfo=UTC))
        html = page_of(client, article)
        assert "Published on <time" in html
        assert ">February 25, 2026 at 14:05 CET</time>" in html

    def test_a_typo_fix_changes_no_public_date(self, client, editor, make_article):
        article = make_article(
            published_at=timezone.now().replace(microsecond=0) - timedelta(days=1)
        )
        before = json_ld(page_of(client, article))
        edit(client, editor, article, standfirst="Fixed a typo.")
        client.logout()
        html = page_of(client, article)
        assert article.substantive_update_at is None
        assert "Updated" not in html
        assert json_ld(html)["dateModified"] == before["dateModified"]
        assert before["dateModified"] == article.published_at.isoformat()
        sitemap = client.get("/sitemap-articles.xml").content.decode()
        assert f"<lastmod>{article.published_at.date().isoformat()}" in sitemap

    def test_ticking_substantive_update_shows_updated_and_moves_date_modified_and_lastmod(
        self, client, editor, make_article
    ):
        article = make_article(published_at=timezone.now() - timedelta(days=3))
        edit(client, editor, article, standfirst="New figures.", substantive_update="on")
        client.logout()
        assert article.substantive_update_at is not None
        html = page_of(client, article)
        assert "Updated <time" in html
        assert json_ld(html)["dateModified"] == article.substantive_update_at.isoformat()
        sitemap = client.get("/sitemap-articles.xml").content.decode()
        assert f"<lastmod>{article.substantive_update_at.date().isoformat()}" in sitemap

    def test_a_story_updated_while_scheduled_is_never_modified_before_it_was_published(
        self, client, make_article
    ):
        went_out = timezone.now().replace(microsecond=0) - timedelta(hours=1)
        article = make_article(
            published_at=went_out, substantive_update_at=went_out - timedelta(days=2)
        )
        data = json_ld(page_of(client, article))
        assert data["datePublished"] == data["dateModified"] == went_out.isoformat()
        assert "Updated" not in page_of(client, article)

    def test_a_correction_moves_the_updated_time_but_a_clarification_does_not(self, make_article):
        corrected, clarified = make_article(), make_article()
        note = note_on(corrected, kind=ArticleNote.Kind.CORRECTION)
        note_on(clarified, kind=ArticleNote.Kind.CLARIFICATION)
        corrected.refresh_from_db()
        clarified.refresh_from_db()
        assert corrected.substantive_update_at == note.published_at
        assert corrected.shows_updated
        assert clarified.substantive_update_at is None

    def test_a_note_moves_the_sitemaps_etag(self, client, make_article):
        article = make_article()
        etag = client.get("/sitemap-articles.xml")["ETag"]
        note_on(article)
        assert client.get("/sitemap-articles.xml")["ETag"] != etag


class TestNotesInPublic:
    def test_a_correction_appears_on_the_page_with_kind_date_and_time(self, client, make_article):
        article = make_article()
        note_on(article, text="The vote was 7-2, not 9-0.")
        note_on(article, kind="update", placement="below", text="The mayor has since resigned.")
        html = page_of(client, article)
        body = html.index('class="article__body"')
        assert html.index("The vote was 7-2, not 9-0.") < body
        assert html.index("The mayor has since resigned.") > body
        assert "<strong>Correction</strong>, <time" in html
        assert "<strong>Update</strong>, <time" in html

    def test_json_ld_carries_corrections_as_correction_comments(self, client, make_article):
        article = make_article()
        note = note_on(article, text="The vote was 7-2.")
        note_on(article, kind="clarification", text="Not a correction.")
        data = json_ld(page_of(client, article))
        assert data["correction"] == [
            {
                "@type": "CorrectionComment",
                "text": "The vote was 7-2.",
                "datePublished": note.published_at.isoformat(),
            }
        ]

    def test_adding_or_retracting_a_note_changes_the_cached_page_at_once(
        self, client, make_article, django_capture_on_commit_callbacks
    ):
        article = make_article()
        assert "The vote was 7-2." not in page_of(client, article)  # now cached
        with django_capture_on_commit_callbacks(execute=True):
            note = note_on(article, text="The vote was 7-2.")
        assert "The vote was 7-2." in page_of(client, article)
        note.retraction_note = "The original figure was right."
        with django_capture_on_commit_callbacks(execute=True):
            note.save()
        html = page_of(client, article)
        assert "was retracted on" in html and "The original figure was right." in html

    def test_a_future_dated_note_is_refused(self, make_article):
        from django.core.exceptions import ValidationError

        note = ArticleNote(
            article=make_article(), text="x", published_at=timezone.now() + timedelta(days=1)
        )
        with pytest.raises(ValidationError):
            note.full_clean()


class TestNotesAreNeverSilentlyDeleted:
    def test_a_public_note_cannot_be_deleted_by_any_route(self, make_article):
        article = make_article()
        note = note_on(article)
        with pytest.raises(PublicNoteDeletion), transaction.atomic():
            note.delete()
        with pytest.raises(PublicNoteDeletion), transaction.atomic():
            ArticleNote.objects.all().delete()
        with pytest.raises(ProtectedError), transaction.atomic():
            Article.objects.filter(pk=article.pk).delete()
        assert ArticleNote.objects.count() == 1

    def test_a_note_on_a_draft_can_still_be_deleted(self, make_article):
        note = note_on(make_article(status=Article.Status.DRAFT))
        note.delete()
        assert not ArticleNote.objects.exists()

    def test_the_admin_offers_no_delete_box_for_a_public_note_only_retraction(
        self, client, editor, make_article
    ):
        article = make_article()
        note = note_on(article)
        client.force_login(editor)
        url = reverse("admin:articles_article_change", args=[article.pk])
        page = client.get(url).content.decode()
        assert 'name="notes-0-retraction_note"' in page
        assert re.search(r'<input type="checkbox" name="notes-0-DELETE"[^>]* disabled', page)
        data = change_form(
            article,
            **{
                "notes-TOTAL_FORMS": "1",
                "notes-INITIAL_FORMS": "1",
                "notes-0-id": str(note.pk),
                "notes-0-article": str(article.pk),
                "notes-0-kind": "correction",
                "notes-0-placement": "above",
                "notes-0-published_at_0": timezone.localtime(note.published_at).strftime(
                    "%Y-%m-%d"
                ),
                "notes-0-published_at_1": timezone.localtime(note.published_at).strftime(
                    "%H:%M:%S"
                ),
                "notes-0-text": note.text,
                "notes-0-retraction_note": "",
                "notes-0-DELETE": "on",
            },
        )
        response = client.post(url, data)
        assert response.status_code == 302
        assert ArticleNote.objects.filter(pk=note.pk).exists()
        data["notes-0-retraction_note"] = "The date was right after all."
        data["based_on_revision"] = "1"  # the form as reopened after that save
        client.post(url, data)
        note.refresh_from_db()
        assert note.is_retracted and note.retraction_note == "The date was right after all."

    def test_an_editor_adds_a_correction_as_an_inline_on_the_article_form(
        self, client, editor, make_article
    ):
        article = make_article()
        edit(
            client,
            editor,
            article,
            **{
                "notes-TOTAL_FORMS": "1",
                "notes-0-kind": "correction",
                "notes-0-placement": "above",
                "notes-0-published_at_0": timezone.localtime().strftime("%Y-%m-%d"),
                "notes-0-published_at_1": timezone.localtime().strftime("%H:%M:%S"),
                "notes-0-text": "The vote was 7-2.",
            },
        )
        client.logout()
        assert "The vote was 7-2." in page_of(client, article)
        assert article.substantive_update_at is not None


def refused_deletion(note):
    """Whether deleting ``note`` is refused, by its own delete and by a queryset's."""
    for delete in (note.delete, ArticleNote.objects.filter(pk=note.pk).delete):
        try:
            with transaction.atomic():
                delete()
        except PublicNoteDeletion:
            continue
        return False
    return True


def clock_reaches(article, **times):
    """Move the story's times as the clock would: no save runs."""
    Article.objects.filter(pk=article.pk).update(**times)
    article.refresh_from_db()


class TestNotesOnceSeenStayAfterTheStoryLeaves:
    """A note readers have seen is never deleted, whatever becomes of its story."""

    @pytest.mark.parametrize("leaves", ["unpublished", "taken_down", "rescheduled"])
    def test_a_public_note_cannot_be_deleted_once_its_story_leaves_readers_view(
        self, make_article, leaves
    ):
        article = make_article()
        note = note_on(article)
        if leaves == "unpublished":
            article.status = Article.Status.DRAFT
        elif leaves == "taken_down":
            article.take_down("legal", "Removed after a complaint.")
        else:
            article.published_at = timezone.now() + timedelta(days=2)
        article.save()
        note.refresh_from_db()
        assert not note.is_public()
        assert refused_deletion(note)
        assert ArticleNote.objects.filter(pk=note.pk).exists()

    def test_a_note_on_a_story_that_went_live_by_the_clock_stays_after_unpublishing(
        self, make_article
    ):
        article = make_article(published_at=timezone.now() + timedelta(hours=1))
        note = note_on(article)
        assert note.seen_public_at is None  # saved while the story was scheduled
        clock_reaches(article, published_at=timezone.now() - timedelta(minutes=5))
        article.status = Article.Status.DRAFT
        article.save()
        note.refresh_from_db()
        assert note.seen_public_at is not None
        assert refused_deletion(note)

    def test_a_note_on_a_story_that_went_live_and_expired_by_the_clock_stays(self, make_article):
        article = make_article(published_at=timezone.now() + timedelta(hours=1))
        note = note_on(article)
        clock_reaches(
            article,
            published_at=timezone.now() - timedelta(hours=2),
            expires_at=timezone.now() - timedelta(hours=1),
        )
        note.refresh_from_db()
        assert note.seen_public_at is None and not note.is_public()
        assert refused_deletion(note)

    def test_a_note_added_after_the_story_was_unpublished_can_be_deleted(self, make_article):
        article = make_article()
        article.status = Article.Status.DRAFT
        article.save()
        note = note_on(article)
        note.delete()
        assert not ArticleNote.objects.exists()

    def test_stamping_a_storys_notes_takes_one_query_however_many(
        self, make_article, django_assert_num_queries
    ):
        article = make_article(published_at=timezone.now() + timedelta(hours=1))
        for _ in range(3):
            note_on(article)
        clock_reaches(article, published_at=timezone.now() - timedelta(minutes=5))
        with django_assert_num_queries(1):
            stamped = ArticleNote.objects.filter(article=article).stamp_seen_public()
        assert stamped == 3

    def test_on_the_desk_an_unpublished_storys_note_offers_no_delete_only_retraction(
        self, client, editor, make_article
    ):
        article = make_article()
        note = note_on(article)
        client.force_login(editor)
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "unpublish", "_selected_action": [article.pk]},
        )
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT
        url = reverse("admin:articles_article_change", args=[article.pk])
        page = client.get(url).content.decode()
        assert re.search(r'<input type="checkbox" name="notes-0-DELETE"[^>]* disabled', page)

        data = {**form_data(page, "article_form"), "notes-0-DELETE": "on"}  # a hand-made tick
        assert client.post(url, data).status_code == 302
        assert ArticleNote.objects.filter(pk=note.pk).exists()

        page = client.get(url).content.decode()
        data = {
            **form_data(page, "article_form"),
            "notes-0-retraction_note": "The date was right after all.",
        }
        assert client.post(url, data).status_code == 302
        note.refresh_from_db()
        assert note.is_retracted and note.retraction_note == "The date was right after all."


class TestCorrectionsPage:
    def test_lists_corrections_newest_first_each_linking_to_its_article(self, client, make_article):
        older, newer = make_article(headline="Older story"), make_article(headline="Newer story")
        first = note_on(older, text="First fix.", published_at=timezone.now() - timedelta(hours=2))
        second = note_on(newer, text="Second fix.")
        note_on(newer, kind="update", text="An update is not a correction.")
        html = client.get("/corrections/").content.decode()
        assert html.index("Second fix.") < html.index("First fix.")
        assert f'href="{second.article.get_absolute_url()}#note-{second.pk}"' in html
        assert f'href="{first.article.get_absolute_url()}#note-{first.pk}"' in html
        assert "An update is not a correction." not in html

    def test_hides_corrections_of_articles_readers_cannot_see(self, client, make_article):
        note_on(make_article(), text="Visible fix.")
        draft = make_article()
        note_on(draft, text="Fix on a story taken down.")
        Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)
        html = client.get("/corrections/").content.decode()
        assert "Visible fix." in html and "Fix on a story taken down." not in html

    def test_is_paginated_and_a_page_that_does_not_exist_is_a_404(
        self, client, make_article, settings
    ):
        settings.NEWSROOM_ARTICLES_PER_PAGE = 2
        article = make_article()
        for n in range(3):
            note_on(article, text=f"Fix {n}.")
        assert "Fix 0." in client.get("/corrections/?page=2").content.decode()
        assert client.get("/corrections/?page=3").status_code == 404
        assert client.get("/corrections/?page=abc").status_code == 404

    def test_a_new_correction_is_listed_at_once(
        self, client, make_article, django_capture_on_commit_callbacks
    ):
        article = make_article()
        assert "Late fix." not in client.get("/corrections/").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            note_on(article, text="Late fix.")
        assert "Late fix." in client.get("/corrections/").content.decode()

    def test_a_warm_corrections_page_runs_no_query(
        self, client, make_article, django_assert_num_queries
    ):
        note_on(make_article())
        client.get("/corrections/")
        with django_assert_num_queries(0):
            assert client.get("/corrections/").status_code == 200


class TestCorrectionsFeed:
    @pytest.mark.parametrize("url", ["/corrections/feed/", "/corrections/feed/atom/"])
    def test_lists_each_correction_with_a_tag_uri_from_its_id(self, client, make_article, url):
        import feedparser

        article = make_article(headline="Council vote")
        note = note_on(article, text="The vote was 7-2.")
        (entry,) = feedparser.parse(client.get(url).content).entries
        assert entry.title == "Correction: Council vote"
        assert "The vote was 7-2." in entry.summary
        assert entry.id.endswith(f":note-{note.pk}") and entry.id.startswith("tag:")
        assert entry.link.endswith(f"{article.get_absolute_url()}#note-{note.pk}")

    def test_a_retraction_moves_the_feeds_etag(self, client, make_article):
        note = note_on(make_article())
        etag = client.get("/corrections/feed/")["ETag"]
        note.retraction_note = "Wrong after all."
        note.save()
        assert client.get("/corrections/feed/")["ETag"] != etag
        assert "Wrong after all." in client.get("/corrections/feed/").content.decode()


class TestCorrectionsPolicy:
    def test_the_policy_link_shows_on_the_corrections_page_and_under_each_note(
        self, client, make_article, django_capture_on_commit_callbacks
    ):
        article = make_article()
        note_on(article)
        # The site's own policy page, until the settings name another address.
        assert '<a href="/corrections-policy/">Our corrections policy</a>' in page_of(
            client, article
        )
        with django_capture_on_commit_callbacks(execute=True):
            EditorialSettings(corrections_policy_url="https://example.org/policy").save()
        html = page_of(client, article)
        assert '<a href="https://example.org/policy">Our corrections policy</a>' in html
        listing = client.get("/corrections/").content.decode()
        assert listing.count('href="https://example.org/policy"') == 2  # header and note

    def test_the_editorial_settings_are_one_row_edited_in_the_admin(self, client, editor):
        client.force_login(editor)
        add = client.get(reverse("admin:articles_editorialsettings_changelist"))
        assert add.status_code == 302 and add.url.endswith("/add/")
        client.post(add.url, {"corrections_policy_url": "https://example.org/policy"})
        assert EditorialSettings.load().corrections_policy_url == "https://example.org/policy"
        again = client.get(reverse("admin:articles_editorialsettings_changelist"))
        assert again.url.endswith(f"/{EditorialSettings.SINGLETON}/change/")
