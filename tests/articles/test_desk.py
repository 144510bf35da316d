"""Review before publication: roles, states and their history, through the
admin as reporters and editors use it."""

import re
from datetime import datetime
from html import unescape

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, ArticleRevision
from articles.revisions import record_revision
from tests.articles.test_admin import article_form
from tests.conftest import days_ago, days_ahead

pytestmark = pytest.mark.django_db

LIST = reverse("admin:articles_article_changelist")
STATE_WORDS = "Scheduled for 26 Feb 14:00|In review|Changes requested|Unpublished|Published"
STATE_WORDS = STATE_WORDS.split("|")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def transition_url(article):
    return reverse("admin:articles_article_transition", args=[article.pk])


def history(article):
    return list(
        LogEntry.objects.filter(object_id=str(article.pk))
        .order_by("pk")
        .values_list("user__username", "change_message")
    )


def listed(client, **filters):
    """The headlines the desk's article list shows with ``filters``, in order."""
    page = client.get(LIST, filters).content.decode()
    cells = re.findall(r'<th class="field-short_headline"><a [^>]*><span\s+title="([^"]*)"', page)
    return [unescape(title) for title in cells]


@pytest.fixture
def reporter(make_reporter):
    return make_reporter(username="reporter-on-beat")


@pytest.fixture
def draft(make_article, reporter):
    return make_article(status="draft", published_at=None, author=reporter, byline="")


class TestRoles:
    def permissions(self, name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    def test_reporters_write_but_cannot_publish(self):
        codenames = self.permissions("Reporters")
        assert {"add_article", "change_article", "add_source", "change_source"} <= codenames
        assert "publish_article" not in codenames
        assert not {"delete_article", "moderate_comment", "change_user"} & codenames

    def test_editors_publish_and_moderate_but_do_not_manage_people(self):
        codenames = self.permissions("Editors")
        assert {"publish_article", "moderate_comment"} <= codenames
        assert not {"change_user", "change_group"} & codenames

    def test_administrators_also_manage_people(self):
        codenames = self.permissions("Administrators")
        assert {"publish_article", "add_user", "change_user", "change_group"} <= codenames


class TestReporterCannotPublish:
    def test_hand_made_post_setting_published_on_the_change_form_is_refused(
        self, client, reporter, draft
    ):
        client.force_login(reporter)
        data = article_form(draft.category, slug=draft.slug, status="published")
        response = client.post(change_url(draft), data)
        assert response.status_code == 403
        draft.refresh_from_db()
        assert draft.status == "draft" and not draft.is_published()

    def test_hand_made_post_setting_a_publication_time_is_refused(self, client, reporter, draft):
        client.force_login(reporter)
        data = article_form(draft.category, slug=draft.slug)
        del data["status"]
        data["published_at_0"] = "2026-02-26"
        response = client.post(change_url(draft), data)
        assert response.status_code == 403
        draft.refresh_from_db()
        assert draft.published_at is None

    def test_the_form_offers_the_reporter_no_publishing_fields(self, client, reporter, draft):
        client.force_login(reporter)
        page = client.get(change_url(draft)).content.decode()
        assert 'name="status"' not in page and 'name="published_at_0"' not in page
        assert 'value="submit"' in page and 'value="publish"' not in page

    def test_reporter_saves_a_draft_without_publishing_fields(self, client, reporter, draft):
        client.force_login(reporter)
        data = article_form(draft.category, slug=draft.slug, headline="Fresh headline")
        for field in ("status", "published_at_0", "published_at_1"):
            del data[field]
        assert client.post(change_url(draft), data).status_code == 302
        draft.refresh_from_db()
        assert draft.headline == "Fresh headline" and draft.status == "draft"

    @pytest.mark.parametrize("action", ["publish_now", "approve", "unpublish"])
    def test_publishing_list_actions_are_refused(self, client, reporter, draft, action):
        client.force_login(reporter)
        response = client.post(LIST, {"action": action, "_selected_action": [draft.pk]})
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == "draft"
        assert history(draft) == []

    def test_taking_down_or_lifting_a_takedown_is_refused(self, client, reporter, make_article):
        live = make_article(author=reporter)
        gone = make_article(author=reporter)
        gone.take_down("legal", "Removed.")
        gone.save()
        client.force_login(reporter)
        url = reverse("admin:articles_article_take_down", args=[live.pk])
        assert client.get(url).status_code == 403
        for action, article in (("take_down", live), ("restore", gone)):
            client.post(LIST, {"action": action, "_selected_action": [article.pk]})
        live.refresh_from_db()
        gone.refresh_from_db()
        assert not live.is_taken_down and gone.is_taken_down

    def test_restoring_a_published_revision_keeps_the_draft_a_draft(
        self, client, reporter, make_article
    ):
        article = make_article(author=reporter, body="<p>First words.</p>")
        first = record_revision(article, None, "published")
        article.status = Article.Status.DRAFT
        article.workflow_state = Article.Stage.UNPUBLISHED
        article.body = "<p>Second words.</p>"
        article.save()
        record_revision(article, None, "unpublished")
        client.force_login(reporter)
        url = reverse("admin:articles_article_restore", args=[article.pk, first.number])
        confirmation = client.get(url).content.decode()
        assert "publication state stays as it is" in confirmation
        assert "Restoring publishes the story" not in confirmation
        assert client.post(url).status_code == 302
        article.refresh_from_db()
        assert article.body == "<p>First words.</p>" and article.status == "draft"
        assert article.desk_state() == "unpublished"
        assert history(article) == [("reporter-on-beat", "Restored revision 1.")]

    def test_publish_button_post_is_refused(self, client, reporter, draft):
        client.force_login(reporter)
        response = client.post(transition_url(draft), {"action": "publish"})
        assert response.status_code == 403
        draft.refresh_from_db()
        assert draft.status == "draft"

    def test_a_live_story_is_read_only_to_a_reporter(self, client, reporter, make_article):
        live = make_article(author=reporter)
        client.force_login(reporter)
        page = client.get(change_url(live)).content.decode()
        assert 'name="headline"' not in page and "Close" in page
        data = article_form(live.category, slug=live.slug, headline="Changed")
        for field in ("status", "published_at_0", "published_at_1"):
            del data[field]
        assert client.post(change_url(live), data).status_code == 403


class TestReview:
    def test_reporter_submits_for_review(self, client, reporter, draft):
        client.force_login(reporter)
        response = client.post(transition_url(draft), {"action": "submit"})
        assert response.status_code == 302 and response["Location"] == change_url(draft)
        draft.refresh_from_db()
        assert draft.desk_state_words() == "In review"
        assert history(draft) == [("reporter-on-beat", "Submitted for review.")]
        assert not draft.is_published()

    def test_editor_requests_changes_with_a_note_the_reporter_sees(
        self, client, editor, reporter, draft
    ):
        draft.workflow_state = Article.Stage.IN_REVIEW
        draft.save()
        client.force_login(editor)
        client.post(
            transition_url(draft),
            {"action": "request_changes", "note": "Name the second source, please."},
        )
        draft.refresh_from_db()
        assert draft.desk_state_words() == "Changes requested"
        assert history(draft) == [
            ("editor-on-duty", "Changes requested: Name the second source, please.")
        ]
        client.force_login(reporter)
        form = client.get(change_url(draft)).content.decode()
        assert "The editor asks for changes" in form and "Name the second source, please." in form
        dashboard = client.get(reverse("admin:index")).content.decode()
        assert "Changes requested on your stories" in dashboard
        assert "Name the second source, please." in dashboard

    def test_asking_for_changes_without_a_note_is_refused_with_a_reason(
        self, client, editor, draft
    ):
        draft.workflow_state = Article.Stage.IN_REVIEW
        draft.save()
        client.force_login(editor)
        response = client.post(
            transition_url(draft), {"action": "request_changes", "note": "  "}, follow=True
        )
        assert "Say what should change" in response.content.decode()
        draft.refresh_from_db()
        assert draft.desk_state() == "in_review" and history(draft) == []

    def test_editor_approves_and_the_story_goes_live(self, client, editor, draft):
        draft.workflow_state = Article.Stage.IN_REVIEW
        draft.save()
        client.force_login(editor)
        client.post(transition_url(draft), {"action": "approve"})
        draft.refresh_from_db()
        assert draft.is_published() and draft.desk_state_words() == "Published"
        assert history(draft) == [("editor-on-duty", "Approved.")]
        client.logout()
        assert client.get(draft.get_absolute_url()).status_code == 200

    def test_approving_a_story_with_a_future_time_schedules_it(self, client, editor, draft):
        draft.workflow_state = Article.Stage.IN_REVIEW
        draft.published_at = days_ahead(2)
        draft.save()
        client.force_login(editor)
        client.post(transition_url(draft), {"action": "approve"})
        draft.refresh_from_db()
        assert draft.desk_state() == "scheduled" and not draft.is_published()
        assert history(draft)[0][1].startswith("Approved (scheduled for ")

    def test_publishing_from_the_form_fields_is_written_to_the_history(
        self, client, editor, make_category
    ):
        client.force_login(editor)
        client.post(reverse("admin:articles_article_add"), article_form(make_category()))
        article = Article.objects.get()
        assert article.desk_state() == "published"
        assert ("editor-on-duty", "Published.") in history(article)

    def test_a_save_that_publishes_keeps_one_revision_the_move(self, client, editor, make_category):
        client.force_login(editor)
        category = make_category()
        data = article_form(category, status="draft")
        client.post(reverse("admin:articles_article_add"), data)
        article = Article.objects.get()
        number = article.revisions.count()
        data = article_form(
            category, slug=article.slug, status="published", based_on_revision=str(number)
        )
        assert client.post(change_url(article), data).status_code == 302
        kept = list(article.revisions.order_by("number").values_list("action", flat=True))
        assert kept[number:] == ["published"]


class TestPublishNow:
    """The form's "Publish now" button and the list's action are one rule:
    readers see the story from now, whatever time it was set for."""

    @pytest.mark.parametrize("route", ["form button", "list action"])
    @pytest.mark.parametrize("status", ["published", "draft"])
    def test_publish_now_puts_a_story_set_for_later_out_now(
        self, client, editor, make_article, route, status
    ):
        story = make_article(status=status, published_at=days_ahead(2), byline="")
        client.force_login(editor)
        before = timezone.now()
        if route == "form button":
            client.post(transition_url(story), {"action": "publish"})
        else:
            client.post(LIST, {"action": "publish_now", "_selected_action": [story.pk]})
        story.refresh_from_db()
        assert story.is_published() and story.desk_state_words() == "Published"
        assert before <= story.published_at <= timezone.now()
        assert history(story) == [("editor-on-duty", "Published.")]

    def test_the_form_fields_still_schedule_a_story_for_their_time(
        self, client, editor, make_article
    ):
        story = make_article(status="draft", published_at=None, byline="")
        when = days_ahead(2).replace(microsecond=0)
        local = timezone.localtime(when)
        client.force_login(editor)
        data = article_form(
            story.category,
            headline=story.headline,
            slug=story.slug,
            published_at_0=local.strftime("%Y-%m-%d"),
            published_at_1=local.strftime("%H:%M:%S"),
        )
        assert client.post(change_url(story), data).status_code == 302
        story.refresh_from_db()
        assert story.published_at == when and story.desk_state() == "scheduled"
        assert any(message.startswith("Published (scheduled for ") for _, message in history(story))


def restore_url(article, number):
    return reverse("admin:articles_article_restore", args=[article.pk, number])


class TestRestoringIsAMoveLikeAnyOther:
    """A restore that brings back another publication state publishes or
    unpublishes the story as the buttons do: the stage follows the status and
    the history says who did it."""

    @pytest.fixture(autouse=True)
    def signed_in(self, client, editor):
        client.force_login(editor)

    @pytest.fixture
    def pulled(self, make_article, editor):
        """Live at revision 1, then unpublished (revision 2)."""
        story = make_article(headline="Pulled story")
        record_revision(story, editor, ArticleRevision.Action.PUBLISHED)
        workflow.transition(story, editor, workflow.UNPUBLISH)
        return story

    @pytest.fixture
    def live(self, make_article, editor):
        """A draft at revision 1, live since revision 2."""
        story = make_article(headline="Live story", status="draft", published_at=None)
        record_revision(story, editor, ArticleRevision.Action.CREATED)
        workflow.transition(story, editor, workflow.PUBLISH)
        return story

    def test_restoring_a_published_revision_publishes_the_story_and_says_who(self, client, pulled):
        assert (
            "Restoring publishes the story" in client.get(restore_url(pulled, 1)).content.decode()
        )
        assert client.post(restore_url(pulled, 1)).status_code == 302
        pulled.refresh_from_db()
        assert pulled.is_published() and pulled.workflow_state == Article.Stage.PUBLISHED
        assert history(pulled)[-1] == ("editor-on-duty", "Published by restoring revision 1.")
        actions = list(pulled.revisions.order_by("number").values_list("action", flat=True))
        assert actions == ["published", "unpublished", "restored"]

    def test_restoring_a_draft_revision_unpublishes_the_story_and_says_who(self, client, live):
        page = client.get(restore_url(live, 1)).content.decode()
        assert "Restoring unpublishes the story" in page
        assert client.post(restore_url(live, 1)).status_code == 302
        live.refresh_from_db()
        assert live.status == "draft" and live.workflow_state == Article.Stage.UNPUBLISHED
        assert history(live)[-1] == ("editor-on-duty", "Unpublished by restoring revision 1.")

    def test_restoring_a_revision_set_for_later_schedules_the_story(
        self, client, editor, make_article
    ):
        story = make_article(published_at=days_ahead(2))
        record_revision(story, editor, ArticleRevision.Action.APPROVED)
        workflow.transition(story, editor, workflow.UNPUBLISH)
        client.post(restore_url(story, 1))
        story.refresh_from_db()
        assert story.desk_state() == "scheduled"
        assert history(story)[-1][1].startswith("Published (scheduled for ")
        assert history(story)[-1][1].endswith(") by restoring revision 1.")

    def test_restoring_a_published_revision_onto_a_taken_down_story_says_it_stays_down(
        self, client, editor, pulled
    ):
        pulled.take_down("legal", "Removed.")
        pulled.save()
        client.post(restore_url(pulled, 1))
        pulled.refresh_from_db()
        assert pulled.status == "published" and pulled.desk_state() == "taken_down"
        assert history(pulled)[-1] == (
            "editor-on-duty",
            "Published (taken down) by restoring revision 1.",
        )

    def test_a_restore_that_keeps_the_state_is_in_the_history_too(self, client, make_article):
        story = make_article(headline="First headline")
        record_revision(story, None, ArticleRevision.Action.SAVED)
        story.headline = "Second headline"
        story.save()
        record_revision(story, None, ArticleRevision.Action.SAVED)
        client.post(restore_url(story, 1))
        story.refresh_from_db()
        assert story.headline == "First headline"
        assert history(story) == [("editor-on-duty", "Restored revision 1.")]

    @pytest.mark.parametrize("story, state", [("pulled", "published"), ("live", "unpublished")])
    def test_a_restored_story_is_listed_under_its_new_state_only(
        self, client, request, story, state
    ):
        story = request.getfixturevalue(story)
        client.post(restore_url(story, 1))
        shown_under = [
            name for name in Article.DESK_STATES if story.headline in listed(client, state=name)
        ]
        assert shown_under == [state]


class TestStatesReadersNoLongerSee:
    def test_a_taken_down_story_says_so_and_offers_no_move(self, editor, make_article):
        from articles import workflow

        story = make_article(published_at=days_ahead(1))
        story.take_down("legal", "Removed.")
        story.save()
        assert story.desk_state_words() == "Taken down"
        assert workflow.available(story, editor) == []
        assert story not in Article.objects.scheduled()
        assert list(Article.objects.in_desk_state("taken_down")) == [story]

    def test_an_expired_story_is_expired_not_scheduled(self, editor, make_article):
        from articles import workflow

        story = make_article(published_at=days_ago(3), expires_at=days_ago(1))
        assert story.desk_state_words() == "Expired"
        assert workflow.available(story, editor) == ["unpublish"]
        assert list(Article.objects.in_desk_state("expired")) == [story]


class TestTheListOfStories:
    def test_states_read_in_words(self, client, editor, make_article):
        when = timezone.make_aware(datetime(2099, 2, 26, 14, 0))
        make_article(headline="Future story", published_at=when)
        make_article(headline="Waiting story", status="draft", workflow_state="in_review")
        make_article(headline="Sent back story", status="draft", workflow_state="changes_requested")
        make_article(headline="Pulled story", status="draft", workflow_state="unpublished")
        make_article(headline="Live story", published_at=days_ago(1))
        client.force_login(editor)
        page = client.get(LIST).content.decode()
        shown = [words for words in STATE_WORDS if f">{words}</span>" in page]
        assert shown == STATE_WORDS

    def test_long_headline_is_shortened_with_the_whole_of_it_on_hover(
        self, client, editor, make_article
    ):
        headline = "A very long headline " * 6
        make_article(headline=headline.strip())
        client.force_login(editor)
        page = client.get(LIST).content.decode()
        assert f'title="{headline.strip()}"' in page and "A very long headline A very…" not in page
        assert "…" in page

    @pytest.fixture
    def one_story_in_each_state(self, make_article):
        """A story in each of the desk's eight states, named after it."""
        make_article(headline="Draft story", status="draft", published_at=None)
        for stage in ("in_review", "changes_requested", "unpublished"):
            make_article(
                headline=f"{Article.DESK_STATES[stage]} story", status="draft", workflow_state=stage
            )
        make_article(headline="Scheduled story", published_at=days_ahead(1))
        make_article(headline="Published story", published_at=days_ago(1))
        make_article(headline="Expired story", published_at=days_ago(3), expires_at=days_ago(1))
        gone = make_article(headline="Taken down story")
        gone.take_down("legal", "Removed.")
        gone.save()

    @pytest.mark.parametrize("state", list(Article.DESK_STATES))
    def test_the_state_filter_lists_exactly_the_story_in_that_state(
        self, client, editor, one_story_in_each_state, state
    ):
        client.force_login(editor)
        assert listed(client, state=state) == [f"{Article.DESK_STATES[state]} story"]

    def test_awaiting_my_review_leaves_out_my_own_stories(
        self, client, editor, reporter, make_article
    ):
        make_article(
            headline="From the reporter",
            status="draft",
            workflow_state="in_review",
            author=reporter,
        )
        make_article(headline="My own", status="draft", workflow_state="in_review", author=editor)
        client.force_login(editor)
        page = client.get(LIST, {"desk": "review"}).content.decode()
        assert 'title="From the reporter"' in page and 'title="My own"' not in page
        assert "Awaiting my review" in page

    def test_search_covers_the_body(self, client, editor, make_article):
        make_article(headline="Council news", body="<p>The aqueduct reopens in May.</p>")
        make_article(headline="Other news")
        client.force_login(editor)
        page = client.get(LIST, {"q": "aqueduct"}).content.decode()
        assert 'title="Council news"' in page and 'title="Other news"' not in page

    def test_search_finds_a_story_by_its_standfirst(self, client, editor, make_article):
        make_article(headline="Council news", standfirst="The aqueduct reopens in May.")
        make_article(headline="Other news")
        client.force_login(editor)
        assert listed(client, q="aqueduct") == ["Council news"]

    def test_search_finds_each_story_crediting_a_contributor_once(
        self, client, editor, make_article
    ):
        make_article(headline="Council news", byline="Zofia Kowalczyk and Ben Okafor")
        make_article(headline="Other news", byline="Ben Okafor")
        client.force_login(editor)
        assert listed(client, q="Kowalczyk") == ["Council news"]
        assert sorted(listed(client, q="Okafor")) == ["Council news", "Other news"]

    @pytest.mark.parametrize("count", [3, 12])
    def test_list_queries_do_not_grow_with_the_articles(
        self, client, editor, make_article, make_user, django_assert_num_queries, count
    ):
        for n in range(count):
            make_article(author=make_user(first_name=f"Writer{n}"), byline="")
        client.force_login(editor)
        # 12: the page's articles, their credits in one query, and the filters'
        # choices (topics among them), whatever the number of articles.
        with django_assert_num_queries(12):
            response = client.get(LIST)
        assert response.content.decode().count('class="field-state"') == count

    def test_list_actions_write_who_and_what_to_each_history(self, client, editor, make_article):
        draft = make_article(status="draft", published_at=None)
        live = make_article()
        client.force_login(editor)
        client.post(LIST, {"action": "publish_now", "_selected_action": [draft.pk]})
        client.post(LIST, {"action": "unpublish", "_selected_action": [live.pk]})
        assert history(draft) == [("editor-on-duty", "Published.")]
        assert history(live) == [("editor-on-duty", "Unpublished.")]
        live.refresh_from_db()
        assert live.desk_state_words() == "Unpublished"

    def test_submit_action_moves_drafts_into_review_and_skips_the_rest(
        self, client, reporter, draft, make_article
    ):
        other = make_article(status="draft", workflow_state="in_review")
        client.force_login(reporter)
        response = client.post(
            LIST,
            {"action": "submit_for_review", "_selected_action": [draft.pk, other.pk]},
            follow=True,
        )
        assert "1 article(s) skipped" in response.content.decode()
        draft.refresh_from_db()
        assert draft.desk_state() == "in_review"
        assert history(draft) == [("reporter-on-beat", "Submitted for review.")]
        assert history(other) == []


class TestTheForm:
    SLUG_CHECK = reverse("admin:articles_article_slug_check")

    @pytest.mark.parametrize(
        "slug, says",
        [
            ("taken-story", "Taken by “The first story”"),
            ("Not A Slug!", "Use only lowercase letters"),
            ("", "Give the story an address."),
            ("a-free-address", "Free: /articles/a-free-address/"),
        ],
    )
    def test_slug_is_checked_while_typing(self, client, editor, make_article, slug, says):
        make_article(headline="The first story", slug="taken-story")
        client.force_login(editor)
        response = client.get(self.SLUG_CHECK, {"slug": slug}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200 and says in html
        assert html.startswith('<span id="slug-check"') and "<html" not in html
        assert "HX-Request" in response["Vary"]

    def test_a_storys_own_slug_is_not_taken_and_the_check_works_without_htmx(
        self, client, editor, make_article
    ):
        article = make_article(slug="own-address")
        client.force_login(editor)
        response = client.get(self.SLUG_CHECK, {"slug": "own-address", "article": article.pk})
        html = response.content.decode()
        assert "Free: /articles/own-address/" in html and "<html" in html

    def test_the_slug_field_asks_for_the_check_and_its_help_reads_right(
        self, client, editor, make_article
    ):
        article = make_article()
        client.force_login(editor)
        page = client.get(change_url(article)).content.decode()
        assert f'data-hx-get="{self.SLUG_CHECK}?article={article.pk}"' in page
        assert "/articles/&lt;slug&gt;/" in page and 'id="slug-check"' in page

    def test_length_and_reading_time_under_the_body(self, client, editor, make_article):
        article = make_article(body="<p>" + "word " * 460 + "</p>")
        client.force_login(editor)
        page = client.get(change_url(article)).content.decode()
        assert ">460 words · about 2 min to read</output>" in page

    def test_search_and_social_preview_shows_headline_description_and_image(
        self, client, editor, make_article
    ):
        article = make_article(headline="Rail strike called off", standfirst="Talks worked.")
        client.force_login(editor)
        page = client.get(change_url(article)).content.decode()
        assert 'class="desk-serp-title" data-preview="headline">Rail strike called off<' in page
        assert 'data-preview="standfirst">Talks worked.<' in page
        assert f'<img src="{article.share_image()["url"]}"' in page
