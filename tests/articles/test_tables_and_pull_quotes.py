"""Tables with a header row and a caption, and pull quotes: kept by the
sanitizer as the editor makes them, hostile variants removed, and shown to
readers so that a wide table scrolls instead of widening the page."""

import re

import pytest
from django.urls import reverse

from articles.models import Article
from tests.articles.test_admin import article_form

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


HOSTILE = [
    # event handlers and styles on the figure, the table, a cell, the quote
    '<figure data-table="" onclick="steal()" style="display:none"><table style="width:9999px">'
    '<tbody><tr><th onmouseover="steal()"><p>A</p></th></tr></tbody></table>'
    "<figcaption style='color:red'>Caption</figcaption></figure>",
    '<aside data-pull-quote="" onclick="steal()" style="position:fixed"><p>Quote</p></aside>',
    # javascript: and data: URLs inside a cell and a quote
    '<table><tbody><tr><td><a href="javascript:steal()">x</a>'
    '<img src="data:image/png;base64,AAAA" onerror="steal()"></td></tr></tbody></table>',
    '<aside data-pull-quote=""><p><a href="data:text/html,steal">Quote</a></p></aside>',
    # an iframe pasted into a cell and into a quote
    '<table><tbody><tr><td><iframe src="https://evil.example"></iframe>1</td></tr></tbody></table>',
    '<aside><iframe src="https://evil.example"></iframe><p>Quote</p></aside>',
]


def assert_harmless(body):
    assert not re.search(r"<(iframe|script|img)|on[a-z]+=|style=|javascript:|data:", body)
    assert "evil" not in body


class TestHostileVariantsAreRemovedOnSave:
    @pytest.mark.parametrize("body", HOSTILE)
    def test_through_the_model(self, make_article, body):
        assert_harmless(make_article(body=body).body)

    @pytest.mark.parametrize("body", HOSTILE)
    def test_through_the_admin(self, client, editor, make_category, body):
        client.force_login(editor)
        response = client.post(
            reverse("admin:articles_article_add"), article_form(make_category(), body=body)
        )
        assert response.status_code == 302
        assert_harmless(Article.objects.get().body)

    def test_what_is_left_of_a_hostile_table_is_the_table(self, make_article):
        body = make_article(body=HOSTILE[0]).body
        assert body == (
            '<figure data-table=""><table><tbody><tr><th><p>A</p></th></tr></tbody></table>'
            "<figcaption>Caption</figcaption></figure>"
        )


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
