"""The social card: a 1200x630 PNG of the headline, for stories without a hero."""

import io

import pytest
from PIL import Image

from articles import social_cards

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def drawings(monkeypatch):
    """How many cards were drawn."""
    drawn = []
    draw = social_cards.draw_card

    def counting(*args, **kwargs):
        drawn.append(args)
        return draw(*args, **kwargs)

    monkeypatch.setattr(social_cards, "draw_card", counting)
    return drawn


def card_url(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    url = social_cards.url(article)
    assert f'<meta property="og:image" content="http://testserver{url}">' in html
    return url


def test_the_card_is_a_1200x630_png(client, make_article):
    article = make_article(headline="Storm closes the coast road")
    response = client.get(card_url(client, article))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "PNG" and image.size == (1200, 630)


def test_the_card_is_drawn_once_stored_and_cacheable_for_a_year(
    client, make_article, drawings, media_root
):
    article = make_article(headline="Storm closes the coast road")
    url = card_url(client, article)
    first, again = client.get(url), client.get(url)
    assert first.content == again.content
    assert len(drawings) == 1
    assert (media_root / social_cards.storage_name(article)).read_bytes() == first.content
    assert "max-age=31536000" in again["Cache-Control"] and "immutable" in again["Cache-Control"]


def test_a_new_headline_is_a_new_card_and_the_old_address_leads_to_it(
    client, make_article, drawings, media_root, django_capture_on_commit_callbacks
):
    article = make_article(headline="Storm closes the coast road")
    old_url = card_url(client, article)
    client.get(old_url)
    old_file = media_root / social_cards.storage_name(article)

    article.headline = "Storm closes the coast road for a second day"
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    new_url = card_url(client, article)
    assert new_url != old_url
    assert client.get(new_url).status_code == 200
    assert [args[0] for args in drawings] == [
        "Storm closes the coast road",
        "Storm closes the coast road for a second day",
    ]
    assert not old_file.exists()  # the article keeps one card
    response = client.get(old_url)
    assert response.status_code == 302 and response["Location"] == new_url


def test_drafts_have_no_card(client, make_article):
    draft = make_article(status="draft")
    assert client.get(social_cards.url(draft)).status_code == 404


def test_a_storage_that_fails_still_gets_the_reader_a_card(client, make_article, monkeypatch):
    article = make_article(headline="Storm closes the coast road")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(social_cards.default_storage, "save", broken)
    response = client.get(social_cards.url(article))
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "headline",
    [
        "A",
        "Word " * 40,
        "Supercalifragilisticexpialidocious" * 6,
        "Émeutes à Nîmes : « 漢字 » et 🙂",
    ],
)
def test_any_headline_is_drawn_inside_the_card(headline):
    with Image.open(io.BytesIO(social_cards.draw_card(headline, "Sports"))) as image:
        assert image.size == (1200, 630)


def test_a_long_headline_is_shortened_with_an_ellipsis_to_fit():
    from PIL import ImageDraw

    draw = ImageDraw.Draw(Image.new("RGB", social_cards.SIZE))
    face, leading, lines = social_cards.fit_headline(draw, "Word " * 80, 1040, 330)
    assert lines[-1].endswith("…")
    assert len(lines) * leading <= 330
    assert all(draw.textlength(line, font=face) <= 1040 for line in lines)


def test_a_card_costs_one_query(client, make_article, django_assert_num_queries):
    article = make_article(headline="Storm closes the coast road")
    url = social_cards.url(article)
    with django_assert_num_queries(1):  # the article and its category
        assert client.get(url).status_code == 200
