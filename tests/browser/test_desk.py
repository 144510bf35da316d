"""The editors' desk in Chromium: the readership chart draws, the article list
fits 1280 px, the dashboard and the article form pass axe, and the public
page shows "Edit this article" to a signed-in editor only."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.counting import hour_of
from articles.models import ViewTally

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_RUN = """async () => (await axe.run()).violations.map(
    v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)"""


@pytest.fixture
def read_story(make_article, make_user):
    article = make_article(
        headline="Council approves the riverside housing plan after a nine-hour session",
        author=make_user(first_name="Priya", last_name="Raman"),
        byline="",
    )
    now = timezone.now()
    for hours_ago, views in [(1, 12), (5, 30), (30, 8), (100, 21)]:
        ViewTally.objects.create(
            article=article, hour=hour_of(now - timedelta(hours=hours_ago)), views=views
        )
    return article


def change_page(article):
    return f"/admin/articles/article/{article.pk}/change/"


def test_the_chart_draws_a_bar_per_hour_read(signed_in, live_server, read_story):
    context = signed_in()
    page = context.new_page()
    page.goto(live_server.url + change_page(read_story))
    chart = page.get_by_role("img", name="Views per hour over the last 7 days")
    expect(chart).to_be_visible()
    bars = page.locator("svg.views-chart rect.views-chart-bar")
    expect(bars).to_have_count(4)
    heights = [box["height"] for box in (bar.bounding_box() for bar in bars.all())]
    assert max(heights) > 3 * min(heights) > 0  # 30 views against 8
    expect(page.locator(".desk-chart-total")).to_contain_text("71 views in 7 days")
    context.close()


def test_the_list_fits_1280_pixels_without_words_stacked(
    signed_in, live_server, read_story, make_article
):
    for n in range(12):
        make_article(
            headline=f"A long headline about the regional budget and what it means, part {n}",
            byline="Alexandra Montgomery-Smith",
            published_at=timezone.now() + timedelta(days=n + 1),
        )
    context = signed_in(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/admin/articles/article/")
    expect(page.locator("#result_list")).to_be_visible()
    overflow = page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            return {
                page: document.documentElement.scrollWidth - window.innerWidth,
                table: table.getBoundingClientRect().right - window.innerWidth,
            };
        }"""
    )
    widths = page.evaluate(
        """() => [...document.querySelectorAll('#result_list thead th')]
            .map(th => th.className + ':' + Math.round(th.getBoundingClientRect().width))"""
    )
    assert overflow["page"] <= 0 and overflow["table"] <= 0, widths
    # The short columns each stay on one line: "Scheduled for 26 Feb 14:00", the time, counts.
    lines = page.evaluate(
        """() => [...document.querySelectorAll(
            '#result_list td.field-state span, #result_list td.field-time time')]
            .map(el => el.getClientRects().length)"""
    )
    assert lines and set(lines) == {1}
    context.close()


@pytest.mark.parametrize("where", ["dashboard", "article form"])
def test_axe_finds_no_violations_on_the_desk(
    signed_in, live_server, read_story, make_article, where, axe_script
):
    make_article(status="draft", workflow_state="in_review", headline="Waiting for you")
    make_article(published_at=timezone.now() + timedelta(days=1), headline="Out tomorrow")
    context = signed_in(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + ("/admin/" if where == "dashboard" else change_page(read_story)))
    page.add_script_tag(path=axe_script)
    # On the form, the desk's own parts: the rest is Django's admin and the body
    # editor, whose findings are theirs.
    scope = "document" if where == "dashboard" else "{include: ['.desk-workflow', '.desk-chart']}"
    violations = page.evaluate(AXE_RUN.replace("axe.run()", f"axe.run({scope})"))
    assert violations == [], "\n".join(violations)
    context.close()


def test_edit_link_shows_for_a_signed_in_editor_only(browser, signed_in, live_server, read_story):
    reader = browser.new_page()
    reader.goto(live_server.url + read_story.get_absolute_url())
    expect(reader.get_by_role("heading", level=1)).to_be_visible()
    expect(reader.get_by_role("link", name="Edit this article")).to_have_count(0)
    reader.close()

    context = signed_in()
    page = context.new_page()
    page.goto(live_server.url + "/admin/")  # the desk marks this browser
    page.goto(live_server.url + read_story.get_absolute_url())
    page.get_by_role("link", name="Edit this article").click()
    expect(page).to_have_url(live_server.url + change_page(read_story))
    context.close()


def test_the_form_checks_the_slug_counts_words_and_previews_as_typed(
    signed_in, live_server, read_story, make_article
):
    make_article(headline="An older story", slug="taken-address")
    context = signed_in()
    page = context.new_page()
    page.goto(live_server.url + change_page(read_story))
    page.get_by_label("Slug").fill("taken-address")
    expect(page.locator("#slug-check")).to_contain_text("Taken by “An older story”")
    page.get_by_label("Slug").fill("a-new-address")
    expect(page.locator("#slug-check")).to_contain_text("Free: /articles/a-new-address/")

    page.get_by_label("Headline").fill("Riverside plan approved")
    expect(page.locator(".desk-serp-title")).to_have_text("Riverside plan approved")

    editor = page.locator('.field-body [contenteditable="true"]')
    editor.click()
    editor.press("End")
    editor.type(" one two three four five")
    words = read_story.word_count() + 5
    expect(page.locator("#body-length")).to_have_text(f"{words} words · about 1 min to read")
    context.close()
