"""Revisions and no lost work on the editors' desk: every save and state change
is kept, any two versions compare, an old one is restored as a new one, and a
save based on a stale version is refused with what the other person changed."""

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import presence
from articles.models import Article, ArticleRevision, Topic
from articles.revisions import record_revision
from tests.articles.test_admin import article_form
from tests.form_posts import form_data

pytestmark = pytest.mark.django_db

Action = ArticleRevision.Action


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def form_of(article, based_on, **overrides):
    """The change form of ``article`` as opened on revision ``based_on``."""
    fields = {
        "headline": article.headline,
        "slug": article.slug,
        "body": article.body,
        "sources-TOTAL_FORMS": "0",
        "based_on_revision": str(based_on),
    }
    return article_form(article.category, **{**fields, **overrides})


def revisions_of(article):
    return list(ArticleRevision.objects.filter(article=article).order_by("number"))


@pytest.fixture
def hero_article(make_article, make_image):
    return make_article(hero=make_image(alt_text="A blue sky", credit="Ana Photo"))


class TestEverySaveKeepsARevision:
    def test_adding_then_saving_keeps_created_then_saved_with_ordered_sources(
        self, client, editor, make_category
    ):
        client.force_login(editor)
        response = client.post(reverse("admin:articles_article_add"), article_form(make_category()))
        assert response.status_code == 302
        article = Article.objects.get()
        response = client.post(
            change_url(article),
            form_of(article, 2, headline="Budget day, explained again"),
        )
        assert response.status_code == 302

        # Added as published: the form's Publishing fields made a move, kept too.
        first, published, second = revisions_of(article)
        assert (first.number, first.action, first.created_by) == (1, Action.CREATED, editor)
        assert (published.number, published.action) == (2, Action.PUBLISHED)
        assert published.snapshot["sources"] == first.snapshot["sources"]
        assert (second.number, second.action) == (3, Action.SAVED)
        assert first.snapshot["headline"] == "Budget day explained"
        assert second.snapshot["headline"] == "Budget day, explained again"
        assert [s["name"] for s in first.snapshot["sources"]] == [
            "Office for Budget Responsibility",
            "Treasury",
        ]
        assert second.snapshot["body"] == "<p>The chancellor said <strong>little</strong>.</p>"
        assert second.snapshot["status"] == "published"
        assert second.snapshot["category_name"] == article.category.name

    def test_the_revision_keeps_the_hero_image_reference(self, client, editor, hero_article):
        client.force_login(editor)
        data = form_of(hero_article, 0, hero=str(hero_article.hero_id))
        assert client.post(change_url(hero_article), data).status_code == 302
        (revision,) = revisions_of(hero_article)
        assert revision.snapshot["hero"] == hero_article.hero_id
        assert revision.snapshot["hero_name"] == "A blue sky (Ana Photo)"

    def test_publish_now_and_unpublish_actions_keep_revisions_with_who(
        self, client, editor, make_article
    ):
        article = make_article(status=Article.Status.DRAFT, published_at=None)
        client.force_login(editor)
        changelist = reverse("admin:articles_article_changelist")
        for action in ("publish_now", "unpublish"):
            client.post(changelist, {"action": action, "_selected_action": [article.pk]})
        published, unpublished = revisions_of(article)
        assert (published.action, published.created_by) == (Action.PUBLISHED, editor)
        assert published.snapshot["status"] == "published"
        assert (unpublished.action, unpublished.created_by) == (Action.UNPUBLISHED, editor)
        assert unpublished.snapshot["status"] == "draft"

    def test_unpublishing_a_draft_writes_no_revision(self, client, editor, make_article):
        article = make_article(status=Article.Status.DRAFT, published_at=None)
        client.force_login(editor)
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "unpublish", "_selected_action": [article.pk]},
        )
        assert revisions_of(article) == []

    def test_adding_a_correction_keeps_a_corrected_revision_with_its_text(
        self, client, editor, make_article
    ):
        article = make_article()
        client.force_login(editor)
        data = form_of(
            article,
            0,
            **{
                "notes-TOTAL_FORMS": "1",
                "notes-0-kind": "correction",
                "notes-0-placement": "above",
                "notes-0-published_at_0": "2020-01-01",
                "notes-0-published_at_1": "10:00:00",
                "notes-0-text": "The vote was 7-2.",
            },
        )
        assert client.post(change_url(article), data).status_code == 302
        (revision,) = revisions_of(article)
        assert revision.action == Action.CORRECTED
        assert revision.note == "Correction: The vote was 7-2."
        assert revision.snapshot["notes"][0]["text"] == "The vote was 7-2."

    def test_record_revision_refuses_an_unknown_action(self, make_article):
        with pytest.raises(ValueError):
            record_revision(make_article(), None, "tweaked")

    def test_the_data_migration_keeps_a_first_revision_of_existing_articles(self, make_article):
        article = make_article(sources=["Reuters", "AP"])
        migration = importlib.import_module(
            "articles.migrations.0023_first_revision_of_existing_articles"
        )
        migration.keep_first_revisions(apps, None)
        migration.keep_first_revisions(apps, None)  # once only
        (first,) = revisions_of(article)
        assert (first.number, first.action) == (1, Action.CREATED)
        assert [s["name"] for s in first.snapshot["sources"]] == ["Reuters", "AP"]


@pytest.fixture
def three_revisions(make_article, editor):
    """Live at revision 1, then two drafts of new words saved over it."""
    article = make_article(body="<p>The council met on Tuesday.</p>", sources=["Council"])
    record_revision(article, editor, Action.PUBLISHED)
    article.body = "<p>The council met on Wednesday night.</p>"
    article.save()
    record_revision(article, editor, Action.SAVED)
    article.headline = "Council meets late"
    article.status = Article.Status.DRAFT
    article.save()
    record_revision(article, editor, Action.SAVED)
    return article


class TestHistoryAndCompare:
    def test_history_lists_every_revision_newest_first_with_who_and_what(
        self, client, editor, three_revisions
    ):
        client.force_login(editor)
        page = client.get(reverse("admin:articles_article_revisions", args=[three_revisions.pk]))
        assert page.status_code == 200
        text = page.content.decode()
        assert "3 revisions, newest first; readers last saw revision 2, and see none now" in text
        assert '<span class="desk-flag">last live</span>' in text
        assert text.index("Restore revision 2") < text.index("Restore revision 1")
        assert "editor-on-duty" in text and "Published" in text

    def test_history_of_a_story_out_now_names_the_version_readers_see(
        self, client, editor, make_article
    ):
        article = make_article()
        record_revision(article, editor, Action.PUBLISHED)
        record_revision(article, editor, Action.SAVED)
        client.force_login(editor)
        url = reverse("admin:articles_article_revisions", args=[article.pk])
        text = client.get(url).content.decode()
        assert "2 revisions, newest first; readers see revision 2" in text
        assert '<span class="desk-flag">live</span>' in text

    def test_history_of_a_story_never_out_says_readers_have_seen_none(
        self, client, editor, make_article
    ):
        article = make_article(status=Article.Status.DRAFT)
        record_revision(article, editor, Action.CREATED)
        client.force_login(editor)
        url = reverse("admin:articles_article_revisions", args=[article.pk])
        assert "readers have seen none" in client.get(url).content.decode()

    def test_change_form_links_to_the_revisions(self, client, editor, three_revisions):
        client.force_login(editor)
        page = client.get(change_url(three_revisions)).content.decode()
        assert "Revisions (3)" in page
        assert 'name="based_on_revision" value="3"' in page

    def test_history_page_runs_the_same_queries_for_two_or_twenty_revisions(
        self, client, editor, make_article, django_assert_num_queries
    ):
        client.force_login(editor)
        few, many = make_article(), make_article()
        for _ in range(2):
            record_revision(few, editor, Action.SAVED)
        for _ in range(20):
            record_revision(many, editor, Action.SAVED)
        for article in (few, many):
            url = reverse("admin:articles_article_revisions", args=[article.pk])
            with django_assert_num_queries(6):
                assert client.get(url).status_code == 200

    def test_compare_by_default_shows_the_draft_against_what_is_live(
        self, client, editor, three_revisions
    ):
        client.force_login(editor)
        page = client.get(reverse("admin:articles_article_compare", args=[three_revisions.pk]))
        text = page.content.decode()
        assert "Revision 2 (saved, as readers saw it" in text
        assert "against revision 3" in text
        assert "Council meets late" in text

    def test_compare_shows_a_word_diff_of_the_body(self, client, editor, three_revisions):
        client.force_login(editor)
        url = reverse("admin:articles_article_compare", args=[three_revisions.pk])
        text = client.get(url, {"a": 1, "b": 3}).content.decode()
        assert '<del><span class="desk-sr">removed: </span>Tuesday.</del>' in text
        assert '<ins><span class="desk-sr">added: </span>Wednesday night.</ins>' in text
        assert "The council met on" in text

    def test_compare_with_a_missing_revision_is_a_404_and_bad_input_an_error(
        self, client, editor, three_revisions
    ):
        client.force_login(editor)
        url = reverse("admin:articles_article_compare", args=[three_revisions.pk])
        assert client.get(url, {"a": 1, "b": 99}).status_code == 404
        response = client.get(url, {"a": "one", "b": 3})
        assert response.status_code == 200
        assert "Choose two revisions to compare." in response.content.decode()

    def test_a_reader_cannot_see_the_history(self, client, make_user, three_revisions):
        client.force_login(make_user())
        url = reverse("admin:articles_article_revisions", args=[three_revisions.pk])
        assert client.get(url).status_code == 302  # to the desk's sign-in


def compared(client, article, a=1, b=2):
    url = reverse("admin:articles_article_compare", args=[article.pk])
    return client.get(url, {"a": a, "b": b}).content.decode()


def photo(image_id, layout="inline"):
    return f'<figure data-image="{image_id}" data-layout="{layout}"></figure>'


class TestCompareTheBodysMarkup:
    """The words alone do not show every change to a body: a link's address,
    a photo, gallery or embed put in or taken out are listed under them."""

    @pytest.fixture(autouse=True)
    def signed_in(self, client, editor):
        client.force_login(editor)

    @pytest.fixture
    def kept(self, editor, make_article):
        """A story kept as revision 1 with body ``before``, then 2 with ``after``."""

        def keep(before, after):
            article = make_article(body=before)
            record_revision(article, editor, Action.SAVED)
            article.body = after
            article.save()
            record_revision(article, editor, Action.SAVED)
            return article

        return keep

    @pytest.fixture
    def bodies_compared(self, client, kept):
        """The compare page of revision 1 with body ``before`` against 2 with ``after``."""
        return lambda before, after: compared(client, kept(before, after))

    def test_a_link_with_a_new_address_is_listed_as_removed_and_added(self, bodies_compared):
        text = bodies_compared(
            '<p>Read <a href="https://example.org/old">the report</a>.</p>',
            '<p>Read <a href="https://example.org/new">the report</a>.</p>',
        )
        assert 'Body <span class="desk-flag">changed</span>' in text
        assert "<p>The words are the same.</p>" in text
        assert "Removed: <del>link “the report” to https://example.org/old</del>" in text
        assert "Added: <ins>link “the report” to https://example.org/new</ins>" in text

    def test_a_link_with_new_words_is_a_word_change_only(self, bodies_compared):
        text = bodies_compared(
            '<p>Read <a href="https://example.org/r">the report</a>.</p>',
            '<p>Read <a href="https://example.org/r">the full report</a>.</p>',
        )
        assert '<ins><span class="desk-sr">added: </span>full</ins>' in text
        assert 'class="desk-media"' not in text

    def test_a_library_photo_put_in_is_named_with_its_layout(self, bodies_compared, make_image):
        chamber = make_image(alt_text="The council chamber", credit="Ana Photo")
        words = "<p>The vote was close.</p>"
        text = bodies_compared(words, words + photo(chamber.pk, "full"))
        assert "Added: <ins>photo “The council chamber (Ana Photo)”, full width</ins>" in text
        assert "Removed:" not in text

    def test_a_gallery_taken_out_names_its_photos_in_order(self, bodies_compared, make_image):
        first, second = make_image(alt_text="Before"), make_image(alt_text="After")
        gallery = f'<figure data-gallery="{first.pk},{second.pk}"></figure>'
        text = bodies_compared("<p>Then and now.</p>" + gallery, "<p>Then and now.</p>")
        assert (
            "Removed: <del>gallery of 2 photos: “Before (Agency)”, “After (Agency)”</del>" in text
        )

    def test_an_embed_put_in_is_named_by_provider_title_and_address(self, bodies_compared):
        embed = (
            '<figure data-embed="youtube" data-id="dQw4w9WgXcQ" data-title="The debate"></figure>'
        )
        text = bodies_compared("<p>Watch it.</p>", "<p>Watch it.</p>" + embed)
        assert (
            "Added: <ins>YouTube embed “The debate” "
            "(https://www.youtube.com/watch?v=dQw4w9WgXcQ)</ins>" in text
        )

    def test_a_photo_gone_from_the_library_is_named_by_its_number(self, bodies_compared):
        text = bodies_compared("<p>Words.</p>", "<p>Words.</p>" + photo(987654))
        assert "Added: <ins>photo no. 987654 (no longer in the library), in the text</ins>" in text

    def test_formatting_alone_is_a_change_that_says_so(self, bodies_compared):
        plain = "<p>The chancellor said little.</p>"
        text = bodies_compared(plain, plain.replace("little", "<strong>little</strong>"))
        assert 'Body <span class="desk-flag">changed</span>' in text
        assert "only the formatting or the order changed" in text

    def test_the_restore_page_lists_a_photo_the_restore_takes_out(self, client, kept, make_image):
        chamber = make_image(alt_text="The council chamber", credit="")
        words = "<p>The vote was close.</p>"
        article = kept(words, words + photo(chamber.pk))
        url = reverse("admin:articles_article_restore", args=[article.pk, 1])
        text = client.get(url).content.decode()
        assert "It is the same as the article now" not in text
        assert "Removed: <del>photo “The council chamber”, in the text</del>" in text

    @pytest.mark.parametrize("photos", [1, 5])
    def test_compare_names_the_photos_in_one_query_whatever_their_number(
        self, client, kept, make_image, django_assert_num_queries, photos
    ):
        figures = "".join(photo(make_image().pk) for _ in range(photos))
        article = kept("<p>Words.</p>", "<p>Words.</p>" + figures)
        # Session, user, article, the user's two permission lookups, the two
        # revisions, and the photos' names in one.
        with django_assert_num_queries(7):
            text = compared(client, article)
        assert text.count("Added: <ins>photo “Photo number") == photos


class TestRestore:
    def test_restore_asks_first_then_makes_a_new_revision_and_keeps_history(
        self, client, editor, three_revisions
    ):
        client.force_login(editor)
        url = reverse("admin:articles_article_restore", args=[three_revisions.pk, 1])
        confirmation = client.get(url)
        assert "Yes, restore revision 1" in confirmation.content.decode()
        assert ArticleRevision.objects.filter(article=three_revisions).count() == 3

        response = client.post(url)
        assert response.status_code == 302
        three_revisions.refresh_from_db()
        assert three_revisions.body == "<p>The council met on Tuesday.</p>"
        assert three_revisions.status == "published"
        assert [s.name for s in three_revisions.sources.all()] == ["Council"]
        revisions = revisions_of(three_revisions)
        assert [r.number for r in revisions] == [1, 2, 3, 4]
        assert (revisions[-1].action, revisions[-1].note) == (
            Action.RESTORED,
            "Restored revision 1.",
        )
        assert revisions[2].snapshot["headline"] == "Council meets late"  # untouched

    def test_restore_brings_back_the_credits_in_order_and_the_topics(
        self, client, editor, make_article
    ):
        article = make_article(byline="Ana Rossi and Ben Okafor")
        article.topics.add(Topic.objects.create(name="Housing", slug="housing"))
        first = record_revision(article, editor, Action.SAVED)
        assert [c["name"] for c in first.snapshot["credits"]] == ["Ana Rossi", "Ben Okafor"]
        assert [t["name"] for t in first.snapshot["topics"]] == ["Housing"]
        article.credits.filter(contributor__name="Ana Rossi").delete()
        article.topics.clear()
        record_revision(article, editor, Action.SAVED)
        client.force_login(editor)
        url = reverse("admin:articles_article_restore", args=[article.pk, first.number])
        assert client.post(url).status_code == 302
        assert [c.contributor.name for c in article.credits.order_by("order")] == [
            "Ana Rossi",
            "Ben Okafor",
        ]
        assert [t.name for t in article.topics.all()] == ["Housing"]

    def test_restore_refuses_a_slug_another_article_took_since(
        self, client, editor, three_revisions, make_article
    ):
        old_slug = three_revisions.slug
        three_revisions.slug = "council-meets-late"
        three_revisions.save()
        record_revision(three_revisions, editor, Action.SAVED)
        make_article(slug=old_slug)
        client.force_login(editor)
        url = reverse("admin:articles_article_restore", args=[three_revisions.pk, 1])
        response = client.post(url, follow=True)
        assert "Revision 1 was not restored" in response.content.decode()
        assert ArticleRevision.objects.filter(article=three_revisions).count() == 4

    def test_a_get_restores_nothing(self, client, editor, three_revisions):
        client.force_login(editor)
        client.get(reverse("admin:articles_article_restore", args=[three_revisions.pk, 1]))
        three_revisions.refresh_from_db()
        assert three_revisions.headline == "Council meets late"


def opened(client, article):
    """The change form as the signed-in editor's browser opens it: what it posts."""
    return form_data(client.get(change_url(article)).content.decode(), "article_form")


@pytest.fixture
def ana(make_editor):
    return make_editor(username="ana", first_name="Ana", last_name="Lima")


@pytest.fixture
def story(make_article, editor):
    """A published story as the desk kept it: revision 1."""
    article = make_article(headline="Council approves housing plan", sources=["Council"])
    record_revision(article, editor, Action.PUBLISHED)
    return article


def saved_by(user, article, unticked=(), **changes):
    """``user`` opens the article's form, changes ``changes``, unticks the
    boxes named in ``unticked`` and saves it."""
    client = Client()
    client.force_login(user)
    data = {**opened(client, article), **changes}
    for name in unticked:
        del data[name]
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def stale_save(client, article, other, theirs, mine):
    """The signed-in editor opens the article, ``other`` saves ``theirs``
    (``saved_by``'s arguments), then the editor saves ``mine``: refused."""
    opened_form = opened(client, article)
    saved_by(other, article, **theirs)
    response = client.post(change_url(article), {**opened_form, **mine})
    assert response.status_code == 409
    return response


def saved_again(client, article, refused):
    """The conflict page's form saved as it stands."""
    again = form_data(refused.content.decode(), "article_form")
    assert client.post(change_url(article), again).status_code == 302
    article.refresh_from_db()


class TestNoLostWork:
    @pytest.fixture(autouse=True)
    def signed_in(self, client, editor):
        client.force_login(editor)

    def test_the_second_of_two_stale_saves_gets_the_conflict_page_and_the_first_is_kept(
        self, client, ana, story
    ):
        standfirst = story.standfirst
        response = stale_save(
            client, story, ana, {"headline": "Ana's headline"}, {"standfirst": "Mine."}
        )
        text = response.content.decode()
        assert "Not saved: Ana Lima saved this article at" in text
        assert "What they changed" in text and "Ana&#x27;s headline" in text
        assert "Mine.</textarea>" in text  # what they typed is kept
        assert 'name="based_on_revision" value="2"' in text
        story.refresh_from_db()
        assert (story.headline, story.standfirst) == ("Ana's headline", standfirst)
        assert ArticleRevision.objects.filter(article=story).count() == 2

    def test_saving_the_conflict_page_again_keeps_their_headline_and_applies_my_standfirst(
        self, client, ana, story
    ):
        refused = stale_save(
            client,
            story,
            ana,
            {"headline": "Council approves housing plan by one vote"},
            {"standfirst": "A plan for 400 homes."},
        )
        text = refused.content.decode()
        assert "Your changes, applied when you save again: Standfirst." in text
        assert "Their changes, now in the form: Headline." in text
        assert form_data(text, "article_form")["headline"] == (
            "Council approves housing plan by one vote"
        )

        saved_again(client, story, refused)
        assert story.headline == "Council approves housing plan by one vote"
        assert story.standfirst == "A plan for 400 homes."
        assert revisions_of(story)[-1].snapshot["headline"] == story.headline

    def test_a_field_both_changed_is_named_with_their_value_and_keeps_mine(
        self, client, ana, story
    ):
        refused = stale_save(
            client, story, ana, {"headline": "Ana's headline"}, {"headline": "My headline"}
        )
        text = refused.content.decode()
        assert "<strong>Changed by both of you: Headline.</strong>" in text
        assert "<caption>Changed by both of you</caption>" in text
        assert refused.context["adminform"].form.errors["headline"] == [
            "Ana Lima's version: “Ana's headline”. Yours is kept here: saving again "
            "puts it over theirs."
        ]
        assert "Ana Lima&#x27;s version: “Ana&#x27;s headline”." in text

        saved_again(client, story, refused)
        assert story.headline == "My headline"

    def test_their_category_time_checkbox_and_topics_come_into_the_form(
        self, client, ana, story, make_category
    ):
        housing = Topic.objects.create(name="Housing", slug="housing")
        elsewhere = make_category(name="Politics", slug="politics")
        theirs = {
            "category": str(elsewhere.pk),
            "published_at_0": "2026-01-05",
            "published_at_1": "09:30:00",
            "unticked": ["comments_open"],
            "topics": [str(housing.pk)],
        }
        refused = stale_save(client, story, ana, theirs, {"standfirst": "Mine."})

        saved_again(client, story, refused)
        assert story.category == elsewhere
        assert timezone.localtime(story.published_at).strftime("%Y-%m-%d %H:%M") == (
            "2026-01-05 09:30"
        )
        assert story.comments_open is False
        assert list(story.topics.all()) == [housing]
        assert story.standfirst == "Mine."

    def test_changed_sources_are_named_as_not_merged(self, client, ana, story):
        refused = stale_save(
            client, story, ana, {"sources-0-name": "Council minutes"}, {"standfirst": "Mine."}
        )
        text = refused.content.decode()
        assert "<strong>Not merged: Sources.</strong> Saving again writes these rows" in text

    def test_when_the_opened_version_was_not_kept_every_difference_is_a_clash(
        self, client, ana, make_article
    ):
        article = make_article(headline="Old headline")  # made outside the desk: no revision
        assert opened(client, article)["based_on_revision"] == "0"
        refused = stale_save(
            client, article, ana, {"headline": "Ana's headline"}, {"standfirst": "Mine."}
        )
        text = refused.content.decode()
        assert "The version you opened was not kept" in text
        assert "<strong>Changed by both of you: Headline, Standfirst.</strong>" in text
        assert "What they changed" not in text
        assert form_data(text, "article_form")["headline"] == "Old headline"

    def test_a_save_without_the_version_is_refused_too(self, client, make_article):
        article = make_article()
        data = form_of(article, 0, headline="Hand-made")
        del data["based_on_revision"]
        assert client.post(change_url(article), data).status_code == 409
        article.refresh_from_db()
        assert article.headline != "Hand-made"


class TestPresence:
    def ping(self, client, article, dirty="no", **headers):
        return client.post(
            reverse("admin:articles_article_presence", args=[article.pk]),
            {"dirty": dirty},
            **headers,
        )

    def test_the_ping_shows_who_else_has_the_article_open_and_unsaved_changes(
        self, client, editor, make_editor, make_article
    ):
        article = make_article()
        client.force_login(make_editor(username="ana", first_name="Ana"))
        self.ping(client, article, dirty="yes", HTTP_HX_REQUEST="true")
        client.force_login(editor)
        response = self.ping(client, article, HTTP_HX_REQUEST="true")
        text = response.content.decode()
        assert response.status_code == 200
        assert "Also open now: <strong>Ana</strong> (with unsaved changes)" in text
        assert response["Vary"].count("HX-Request") == 1
        assert "editor-on-duty" not in text  # not oneself

    def test_the_change_form_shows_who_else_has_it_open(
        self, client, editor, make_editor, make_article
    ):
        article = make_article()
        client.force_login(make_editor(username="ana", first_name="Ana"))
        client.get(change_url(article))
        client.force_login(editor)
        page = client.get(change_url(article)).content.decode()
        assert "<strong>Ana</strong> (no unsaved changes)" in page

    def test_a_ping_without_htmx_goes_back_to_the_form(self, client, editor, make_article):
        article = make_article()
        client.force_login(editor)
        response = self.ping(client, article)
        assert response.status_code == 302 and response["Location"] == change_url(article)

    def test_a_broken_cache_costs_the_notice_not_the_form(
        self, client, editor, make_article, monkeypatch
    ):
        def broken(*args, **kwargs):
            raise ConnectionError("cache down")

        monkeypatch.setattr(presence.cache, "get", broken)
        article = make_article()
        client.force_login(editor)
        assert client.get(change_url(article)).status_code == 200
        response = self.ping(client, article, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "Also open" not in response.content.decode()
