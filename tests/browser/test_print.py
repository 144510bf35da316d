"""An article printed from Chromium: the story and its sources, without the
site's navigation, forms or comments."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_article_prints_without_navigation_forms_or_comments(
    page, live_server, make_article, make_comment
):
    article = make_article(
        headline="Budget passes",
        body='<p>The vote was close (<a href="https://example.com/vote">record</a>).</p>',
        sources=[("Council minutes", "https://example.com/minutes")],
    )
    make_comment(article=article, body="A comment on the budget.")
    page.goto(live_server.url + article.get_absolute_url())
    assert page.locator(".site-nav").is_visible() and page.locator("#comments").is_visible()
    page.emulate_media(media="print")
    for hidden in (
        ".site-nav",
        ".search-form",
        "#comments",
        ".article-aside",
        "form",
        ".back-link",
    ):
        assert not page.locator(hidden).first.is_visible(), f"{hidden} is printed"
    for shown in (".site-name", ".article__headline", ".article__body", ".sources"):
        assert page.locator(shown).first.is_visible(), f"{shown} is not printed"
    after_link = page.evaluate(
        "getComputedStyle(document.querySelector('.article__body a'), '::after').content"
    )
    assert "https://example.com/vote" in after_link
