"""A feed opened in Chromium is shown as a page by its XSL stylesheet, with the
site's own styles.

Chromium has deprecated XSLT and adds a warning banner of its own (with inline
styles the site's Content-Security-Policy refuses; nothing of the site's is
refused): the feed stays a valid feed for readers whatever browsers decide.
"""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("url", ["/feeds/latest/", "/feeds/latest/atom/"])
def test_a_feed_opened_in_a_browser_reads_as_a_page(page, live_server, make_article, url):
    article = make_article(headline="Council approves housing plan")
    page.goto(live_server.url + url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Newsroom: latest")
    expect(page.get_by_text("This is a web feed")).to_be_visible()
    link = page.get_by_role("link", name="Council approves housing plan")
    expect(link).to_have_attribute("href", f"http://testserver{article.get_absolute_url()}")
    # The site's stylesheet applies: the body has the site's font, the headline its serif.
    assert "system-ui" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Georgia" in page.evaluate(
        "getComputedStyle(document.querySelector('.card__headline')).fontFamily"
    )
