"""Every public page, checked in Chromium: axe-core finds no violations, and the
layout holds from a 320 px phone to a desktop."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, ArticleNote, Banner, Contributor, PreviewLink, Topic
from comments import notifications
from comments.models import Subscription
from pages.models import Page
from tests.browser.test_thread_rough_edges import post_a_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(make_article, make_category, make_comment, make_image):
    sports = make_category(name="Sports", slug="sports", description="Results and analysis.")
    article = make_article(
        category=sports,
        headline="Atalanta complete stunning comeback",
        standfirst="Two goals down, they went through after extra time.",
        body="<p>Atalanta produced a remarkable comeback.</p><h2>How it turned</h2><p>A red card.</p>",
        sources=[("ESPN", "https://www.espn.com/"), "VAVEL"],
        pinned=True,
    )
    for n in range(3):
        make_article(category=sports, headline=f"Sports story {n}")
    photos = [
        make_image(alt_text=f"Celebrations, picture {n}", credit="Ana Photo") for n in range(3)
    ]
    with_media = make_article(
        category=sports,
        headline="The goal, the video, the pictures",
        hero=photos[0],
        body=f'<p>Watch it again.</p><figure data-image="{photos[1].pk}" data-layout="inline">'
        '</figure><figure data-url="https://youtu.be/dQw4w9WgXcQ" data-title="The goal">'
        f'</figure><figure data-gallery="{",".join(str(p.pk) for p in photos)}"></figure>'
        '<figure data-table=""><table><tbody><tr><th><p>Team</p></th><th><p>Points</p></th>'
        "</tr><tr><td><p>Atalanta</p></td><td><p>61</p></td></tr></tbody></table>"
        "<figcaption>Serie A</figcaption></figure>"
        '<aside data-pull-quote=""><p>We never stopped believing.</p></aside>',
    )
    top = make_comment(article=article, author_name="Giulia", body="What a night!")
    make_comment(parent=top, author_name="Tom", body="Best comeback of the season.")
    followed = Subscription.objects.create(
        email="ann@example.com", kind="all", origin="follow", article=article
    )
    # Every page carries the breaking-news banner; a story was taken down; a
    # draft is shared through a preview link.
    Banner.objects.create(
        text="Polls have closed", link=article.get_absolute_url(), starts_at=timezone.now()
    )
    gone = make_article(headline="Removed story")
    gone.take_down("legal", "This story has been removed following a legal complaint.")
    gone.save()
    draft = make_article(headline="Draft story", status=Article.Status.DRAFT, published_at=None)
    preview = PreviewLink.create_for(draft, None)
    Contributor.objects.filter(slug="ada-reporter").update(
        job_title="Sports editor",
        bio="Ada covers European football.",
        same_as="https://example.com/@ada",
    )
    topic = Topic.objects.create(
        name="Champions League", slug="champions-league", description="Europe."
    )
    article.topics.add(topic)
    Page.objects.get_or_create(
        slug="about", defaults={"title": "About us", "body": "<p>Who we are.</p>"}
    )
    # A story corrected twice, one correction since retracted, and updated below.
    corrected = make_article(category=sports, headline="Derby tickets go on sale")
    ArticleNote.objects.create(article=corrected, text="Tickets cost €30, not €40.")
    ArticleNote.objects.create(
        article=corrected,
        text="The sale opens on Monday.",
        retraction_note="It opens on Tuesday, as first reported.",
    )
    ArticleNote.objects.create(
        article=corrected,
        kind=ArticleNote.Kind.UPDATE,
        placement=ArticleNote.Placement.BELOW,
        text="Sold out within the hour.",
    )
    return {
        "follow": reverse("comments:follow", args=[article.slug]),
        "unsubscribe": notifications.unsubscribe_link("ann@example.com", [followed.pk]).replace(
            "http://testserver", ""
        ),
        "home": "/",
        "category": sports.get_absolute_url(),
        "article": article.get_absolute_url(),
        "article with media": with_media.get_absolute_url(),
        "search": "/search/?q=comeback",
        "empty search": "/search/",
        "404": "/articles/no-such-story/",
        "410 taken down": gone.get_absolute_url(),
        "preview link": preview.get_absolute_url(),
        "author": "/authors/ada-reporter/",
        "topic": topic.get_absolute_url(),
        "about": "/about/",
        "corrections": reverse("articles:corrections"),
        "corrected article": corrected.get_absolute_url(),
    }


PAGES = [
    "home",
    "category",
    "article",
    "article with media",
    "search",
    "empty search",
    "404",
    "410 taken down",
    "preview link",
    "follow",
    "unsubscribe",
    "author",
    "topic",
    "about",
    "corrections",
    "corrected article",
]


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(browser, live_server, site, axe_script, name):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + site[name])
    violations = axe_violations(page, axe_script)
    context.close()
    assert violations == []


def axe_violations(page, axe_script):
    page.add_script_tag(path=axe_script)
    return page.evaluate(
        """async () => (await axe.run()).violations.map(
            v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)"""
    )


def test_axe_finds_no_violations_while_a_reader_edits_their_comment_beside_a_recommended_one(
    browser, live_server, site, axe_script, discussion_settings
):
    discussion_settings(min_seconds_to_post=0)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + site["article"])
    page.get_by_role("button", name="Recommend comment by Giulia, 0 recommendations").click()
    pressed = page.get_by_role("button", name="Recommend comment by Giulia, 1 recommendation")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    post_a_comment(page, "Extra time was worth it.")
    page.get_by_role("link", name="Edit your comment").click()
    expect(page.get_by_label("Your comment")).to_be_focused()

    violations = axe_violations(page, axe_script)
    context.close()
    assert violations == []


def test_axe_finds_no_violations_on_an_empty_thread(browser, live_server, make_article, axe_script):
    empty = make_article(headline="Nobody has commented yet")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + empty.get_absolute_url())
    expect(page.locator("#comments")).to_be_visible()
    assert page.locator("#comment-list li").count() == 0

    violations = axe_violations(page, axe_script)
    context.close()
    assert violations == []


def test_axe_finds_no_violations_once_a_comment_is_held_for_review(
    browser, live_server, site, axe_script, discussion_settings
):
    discussion_settings(min_seconds_to_post=0, moderation_mode="pre")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + site["article"])
    post_a_comment(page, "Held until a moderator reads it.", shown=False)
    expect(page.locator("#comments")).to_contain_text("awaiting")

    violations = axe_violations(page, axe_script)
    context.close()
    assert violations == []


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("name", ["home", "article", "article with media", "category", "search"])
def test_layout_holds_from_phone_to_desktop(browser, live_server, site, tmp_path, width, name):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(live_server.url + site[name])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
    assert page.locator("h1").count() == 1
    assert page.locator("main").is_visible()
    page.screenshot(path=tmp_path / f"{name}-{width}.png", full_page=True)
    page.close()


def test_keyboard_users_can_skip_to_the_content(page, live_server, site):
    page.goto(live_server.url + site["article"])
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
