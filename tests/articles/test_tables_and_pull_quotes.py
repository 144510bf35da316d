"""Tables with a header row and a caption, and pull quotes: kept by the
sanitizer as the editor makes them, hostile variants removed, and shown to
readers so that a wide table scrolls instead of widening the page."""

import pytest

pytestmark = pytest.mark.django_db

TABLE = (
    '<figure data-table=""><table><tbody>'
    "<tr><th><p>Team</p></th><th><p>Points</p></th></tr>"
    "<tr><td><p>Atalanta</p></td><td><p>61</p></td></tr>"
    "</tbody></table><figcaption>Serie A, after 30 games</figcaption></figure>"
)
PULL_QUOTE = '<aside data-pull-quote=""><p>We never stopped believing.</p></aside>'


class TestTheEditorsMarkupIsKept:
    def test_a_table_with_its_header_row_and_caption(self, make_article):
        assert make_article(body=TABLE).body == TABLE

    def test_a_pull_quote(self, make_article):
        assert make_article(body=PULL_QUOTE).body == PULL_QUOTE

    def test_a_table_without_a_caption_keeps_the_table(self, make_article):
        body = '<figure data-table=""><table><tbody><tr><td>1</td></tr></tbody></table></figure>'
        assert make_article(body=body).body == "<table><tbody><tr><td>1</td></tr></tbody></table>"


class TestReadersSee:
    def test_the_caption_and_the_table_in_a_region_that_scrolls(self, client, make_article):
        article = make_article(body=TABLE + PULL_QUOTE)
        page = client.get(article.get_absolute_url()).content.decode()
        assert (
            '<figure class="body-table"><figcaption>Serie A, after 30 games</figcaption>'
            '<div class="body-table__scroll" role="region" tabindex="0" '
            'aria-label="Serie A, after 30 games"><table>'
        ) in page
        assert "<th><p>Team</p></th>" in page
        assert '<aside class="pull-quote"><p>We never stopped believing.</p></aside>' in page
