"""Every public page, checked in Chromium: axe-core finds no violations, and the
layout holds from a 320 px phone to a desktop."""

import os
from pathlib import Path

import pytest

from articles.models import Contributor, Topic
from pages.models import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_script():
    if not AXE.exists():
        message = f"axe-core not installed at {AXE}: run npm ci"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return str(AXE)


@pytest.fixture
def site(make_article, make_category, make_comment):
    sports = make_category(name="Sports", slug="sports", description="Results and analysis.")
    article = make_article(
        category=sports,
        headline="Atalanta complete stunning comeback",
        standfirst="Two goals down, they went through after extra time.",
        body="<p>Atalanta produced a remarkable comeback.</p><h2>How it turned</h2><p>A red card.</p>",
        sources=[("ESPN", "https://www.espn.com/"), "VAVEL"],
        featured=True,
    )
    for n in range(3):
        make_article(category=sports, headline=f"Sports story {n}")
    top = make_comment(article=article, author_name="Giulia", body="What a night!")
    make_comment(parent=top, author_name="Tom", body="Best comeback of the season.")
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
    return {
        "home": "/",
        "category": sports.get_absolute_url(),
        "article": article.get_absolute_url(),
        "search": "/search/?q=comeback",
        "empty search": "/search/",
        "404": "/articles/no-such-story/",
        "author": "/authors/ada-reporter/",
        "topic": topic.get_absolute_url(),
        "about": "/about/",
    }


PAGES = ["home", "category", "article", "search", "empty search", "404", "author", "topic", "about"]


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(browser, live_server, site, axe_script, name):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + site[name])
    page.add_script_tag(path=axe_script)
    violations = page.evaluate(
        """async () => (await axe.run()).violations.map(
            v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)"""
    )
    context.close()
    assert violations == []


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("name", ["home", "article", "category", "search"])
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
