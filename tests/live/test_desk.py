"""The live desk: an editor posts entries, pins one, marks key events and ends
the coverage from one admin page; readers see each change on their next load."""

import pytest
from django.urls import reverse

from articles.models import Article, ArticleRevision, Contributor
from articles.revisions import latest_number, record_revision
from live.models import LiveEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def match(make_article):
    return make_article(headline="Atalanta v Dortmund", live_status=Article.LiveStatus.LIVE)


def desk_url(article):
    return reverse("admin:live_desk", args=[article.pk])


def test_an_editor_posts_an_entry_and_readers_see_it(client, editor, match):
    author = Contributor.objects.create(name="Marta Rossi", slug="marta-rossi")
    client.force_login(editor)
    response = client.post(
        desk_url(match),
        {
            "action": "post",
            "entry-body": "<p>Lookman scores!</p>",
            "entry-key_event_label": "Goal",
            "entry-author": author.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == desk_url(match)
    saved = LiveEntry.objects.get(article=match)
    assert saved.key_event and saved.key_event_label == "Goal" and saved.author == author
    client.logout()
    page = client.get(match.get_absolute_url()).content.decode()
    assert "Lookman scores!" in page and "Marta Rossi" in page


def test_an_empty_entry_is_refused_with_a_message(client, editor, match):
    client.force_login(editor)
    response = client.post(desk_url(match), {"action": "post", "entry-body": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not LiveEntry.objects.exists()


def test_the_desk_lists_entries_newest_first_with_their_buttons(client, editor, match):
    LiveEntry.objects.create(article=match, body="<p>Kick-off</p>")
    LiveEntry.objects.create(article=match, body="<p>Half-time</p>")
    client.force_login(editor)
    page = client.get(desk_url(match)).content.decode()
    assert page.index("Half-time") < page.index("Kick-off")
    assert "End coverage" in page and page.count(">Pin</button>") == 2


def test_pinning_and_marking_a_key_event_in_one_click(client, editor, match):
    entry = LiveEntry.objects.create(article=match, body="<p>Team news</p>")
    client.force_login(editor)
    client.post(desk_url(match), {"action": "pin", "entry": entry.pk})
    client.post(desk_url(match), {"action": "key", "entry": entry.pk})
    entry.refresh_from_db()
    assert entry.pinned and entry.key_event


def test_ending_the_coverage_from_the_desk(client, editor, match):
    client.force_login(editor)
    client.post(desk_url(match), {"action": "end"})
    match.refresh_from_db()
    assert match.live_status == Article.LiveStatus.ENDED and match.coverage_ended_at
    client.logout()
    assert "Live coverage has ended" in client.get(match.get_absolute_url()).content.decode()


def test_unmarking_a_labelled_key_event_takes_its_label_off(client, editor, match):
    entry = LiveEntry.objects.create(article=match, body="<p>Goal!</p>", key_event_label="Goal")
    client.force_login(editor)
    client.post(desk_url(match), {"action": "unkey", "entry": entry.pk})
    entry.refresh_from_db()
    assert not entry.key_event and entry.key_event_label == ""


def test_ending_and_reopening_the_coverage_are_kept_in_the_history(client, editor, match):
    client.force_login(editor)
    client.post(desk_url(match), {"action": "end"})
    client.post(desk_url(match), {"action": "live"})
    kept = ArticleRevision.objects.filter(article=match).order_by("number")
    assert [(r.action, r.created_by) for r in kept] == [
        (ArticleRevision.Action.COVERAGE_ENDED, editor),
        (ArticleRevision.Action.COVERAGE_LIVE, editor),
    ]


def test_an_article_form_opened_before_the_end_cannot_set_the_coverage_live_again(
    client, editor, match
):
    from tests.articles.test_revisions import form_of

    client.force_login(editor)
    opened_on = latest_number(match.pk)
    client.post(desk_url(match), {"action": "end"})
    stale = form_of(match, opened_on, live_status=Article.LiveStatus.LIVE)
    response = client.post(reverse("admin:articles_article_change", args=[match.pk]), stale)
    assert response.status_code == 409 and "Someone else saved this article" in (
        response.content.decode()
    )
    match.refresh_from_db()
    assert match.live_status == Article.LiveStatus.ENDED


def test_saving_a_stale_form_again_keeps_the_coverage_ended(client, editor, match):
    from tests.articles.test_revisions import opened, saved_again

    record_revision(match, editor, ArticleRevision.Action.PUBLISHED)  # as the desk keeps it
    client.force_login(editor)
    form = opened(client, match)
    client.post(desk_url(match), {"action": "end"})
    change = reverse("admin:articles_article_change", args=[match.pk])
    refused = client.post(change, {**form, "standfirst": "Full time: 2-1."})
    assert refused.status_code == 409
    assert "Their changes, now in the form: Live coverage." in refused.content.decode()
    saved_again(client, match, refused)
    assert match.live_status == Article.LiveStatus.ENDED
    assert match.standfirst == "Full time: 2-1."


def test_an_entry_of_another_article_is_not_found(client, editor, match, make_article):
    other = LiveEntry.objects.create(article=make_article(), body="<p>Elsewhere</p>")
    client.force_login(editor)
    response = client.post(desk_url(match), {"action": "pin", "entry": other.pk})
    assert response.status_code == 404


def test_readers_cannot_open_the_desk(client, make_user, match):
    client.force_login(make_user())
    response = client.get(desk_url(match))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_article_form_links_its_live_desk(client, editor, match):
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[match.pk])).content.decode()
    assert f'href="{desk_url(match)}"' in page and "Open the live desk" in page


def test_ending_a_published_coverage_needs_the_right_to_change_the_story(
    client, make_reporter, match
):
    from django.contrib.auth.models import Permission

    reporter = make_reporter()
    reporter.user_permissions.add(Permission.objects.get(codename="add_liveentry"))
    client.force_login(reporter)
    assert client.post(desk_url(match), {"action": "end"}).status_code == 403
    match.refresh_from_db()
    assert match.live_status == Article.LiveStatus.LIVE


def test_a_labelled_entry_is_a_key_event_however_it_is_saved(match):
    entry = LiveEntry.objects.create(
        article=match, body="<p>Penalty!</p>", key_event_label="Penalty"
    )
    assert entry.key_event
