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

    def test_a_cell_keeps_a_span_of_a_sensible_number(self, make_article):
        spanning = TABLE.replace("<td><p>61</p></td>", '<td colspan="2" rowspan="1"><p>61</p></td>')
        assert make_article(body=spanning).body == spanning

    @pytest.mark.parametrize("value", ["javascript:x", "0", "-1", "1e3", "1000", "²", ""])
    def test_a_span_that_is_not_a_sensible_number_is_dropped(self, make_article, value):
        hostile = TABLE.replace("<td><p>61</p></td>", f'<td colspan="{value}"><p>61</p></td>')
        assert make_article(body=hostile).body == TABLE

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


def table_with_in_a_cell(media):
    """A table whose second row's first cell holds ``media`` after its text,
    as the editor writes a photo, gallery or embed dropped into a cell."""
    return (
        '<figure data-table=""><table><tbody>'
        "<tr><th><p>Team</p></th><th><p>Points</p></th></tr>"
        f"<tr><td><p>Atalanta</p>{media}</td><td><p>61</p></td></tr>"
        "<tr><td><p>Dortmund</p></td><td><p>58</p></td></tr>"
        "</tbody></table><figcaption>Serie A, after 30 games</figcaption></figure>"
    )


# What the editor writes for each medium, and the form it is stored in.
MEDIA = {
    "photo": (
        '<figure data-image="12" data-layout="full"></figure>',
        '<figure data-image="12" data-layout="full"></figure>',
    ),
    "gallery": (
        '<figure data-gallery="3,4"></figure>',
        '<figure data-gallery="3,4"></figure>',
    ),
    "embed": (
        '<figure data-url="https://www.youtube.com/watch?v=dQw4w9WgXcQ" data-title="Goal">'
        "</figure>",
        '<figure data-embed="youtube" data-id="dQw4w9WgXcQ" data-title="Goal"></figure>',
    ),
}
# The table as stored: every row, cell and the caption, the medium taken out.
TABLE_KEPT = (
    '<figure data-table=""><table><tbody>'
    "<tr><th><p>Team</p></th><th><p>Points</p></th></tr>"
    "<tr><td><p>Atalanta</p></td><td><p>61</p></td></tr>"
    "<tr><td><p>Dortmund</p></td><td><p>58</p></td></tr>"
    "</tbody></table><figcaption>Serie A, after 30 games</figcaption></figure>"
)


class TestMediaInATableCell:
    @pytest.mark.parametrize("medium", MEDIA)
    def test_the_table_keeps_its_rows_cells_and_caption_and_the_medium_follows_it(
        self, make_article, medium
    ):
        written, stored = MEDIA[medium]
        article = make_article(body=f"{table_with_in_a_cell(written)}<p>After.</p>")
        assert article.body == f"{TABLE_KEPT}{stored}<p>After.</p>"

    @pytest.mark.parametrize("medium", MEDIA)
    def test_the_same_through_the_admin_form(
        self, client, editor, make_category, make_image, medium
    ):
        for pk in (3, 4, 12):  # the photos MEDIA names: the form refuses unknown ones
            make_image(pk=pk)
        written, stored = MEDIA[medium]
        client.force_login(editor)
        response = client.post(
            reverse("admin:articles_article_add"),
            article_form(make_category(), body=f"{table_with_in_a_cell(written)}<p>After.</p>"),
        )
        assert response.status_code == 302
        assert Article.objects.get().body == f"{TABLE_KEPT}{stored}<p>After.</p>"

    def test_a_table_with_a_caption_in_a_cell_is_kept_after_the_outer_one(self, make_article):
        inner = (
            '<figure data-table=""><table><tbody><tr><th><p>Scorer</p></th></tr></tbody>'
            "</table><figcaption>Goals</figcaption></figure>"
        )
        photo = MEDIA["photo"][0]
        article = make_article(body=table_with_in_a_cell(inner.replace("</th>", f"{photo}</th>")))
        assert article.body == (
            TABLE_KEPT
            + '<figure data-table=""><table><tbody><tr><th><p>Scorer</p></th></tr></tbody>'
            "</table><figcaption>Goals</figcaption></figure>" + photo
        )

    def test_a_table_without_a_caption_keeps_its_cells_and_the_medium_follows_it(
        self, make_article
    ):
        gallery = MEDIA["gallery"][0]
        body = f"<table><tbody><tr><td><p>Atalanta</p>{gallery}</td></tr></tbody></table>"
        assert make_article(body=body).body == (
            f"<table><tbody><tr><td><p>Atalanta</p></td></tr></tbody></table>{gallery}"
        )

    def test_readers_see_the_whole_table_then_the_photo(self, client, make_article, make_image):
        photo = make_image(alt_text="The winning goal")
        image = f'<figure data-image="{photo.pk}" data-layout="inline"></figure>'
        article = make_article(body=table_with_in_a_cell(image))
        page = client.get(article.get_absolute_url()).content.decode()
        table = re.search(r'<figure class="body-table">.*?</figure>', page, re.S).group(0)
        assert re.findall(r"<t[dh]><p>(\w+)</p></t[dh]>", table) == [
            "Team",
            "Points",
            "Atalanta",
            "61",
            "Dortmund",
            "58",
        ]
        assert page.index("Serie A, after 30 games") < page.index('alt="The winning goal"')
