"""Embeds: the body stores a provider and an id made from a pasted link, never
HTML; readers get a placeholder that loads nothing until asked; the
Content-Security-Policy allows exactly the providers' players."""

import re

import pytest

from articles import embeds

pytestmark = pytest.mark.django_db

LINKS = [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42", "youtube", "dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
    ("https://vimeo.com/76979871", "vimeo", "76979871"),
    ("https://x.com/UEFA/status/1790012345678901234", "x", "1790012345678901234"),
    ("https://twitter.com/UEFA/status/1790012345678901234", "x", "1790012345678901234"),
    ("https://www.instagram.com/p/C7abcDEF123/", "instagram", "C7abcDEF123"),
    (
        "https://www.tiktok.com/@scout2015/video/6718335390845095173",
        "tiktok",
        "scout2015/6718335390845095173",
    ),
    (
        "https://bsky.app/profile/jay.bsky.team/post/3kxyzabcdeq2a",
        "bluesky",
        "jay.bsky.team/3kxyzabcdeq2a",
    ),
    ("https://mastodon.social/@Gargron/112345678901234567", "mastodon", None),
    ("https://soundcloud.com/forss/flickermood", "soundcloud", "forss/flickermood"),
]


class TestLinksBecomeProviderAndId:
    @pytest.mark.parametrize(("url", "provider", "embed_id"), LINKS)
    def test_a_pasted_link_is_stored_as_its_provider_and_id(
        self, make_article, url, provider, embed_id
    ):
        article = make_article(body=f'<figure data-url="{url}" data-title="The goal"></figure>')
        embed_id = embed_id or "mastodon.social/Gargron/112345678901234567"
        assert article.body == (
            f'<figure data-embed="{provider}" data-id="{embed_id}" data-title="The goal"></figure>'
        )

    def test_a_link_from_elsewhere_stays_a_plain_link(self, make_article):
        article = make_article(body='<figure data-url="https://example.org/clip"></figure>')
        assert article.body == (
            '<p><a href="https://example.org/clip">https://example.org/clip</a></p>'
        )

    def test_a_mastodon_instance_not_listed_is_not_framed(self, make_article):
        article = make_article(body='<figure data-url="https://evil.example/@a/123"></figure>')
        assert "data-embed" not in article.body

    def test_the_players_are_the_privacy_friendly_ones(self):
        youtube = embeds.Embed.of("youtube", "dQw4w9WgXcQ")
        assert youtube.frame_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
        assert embeds.Embed.of("vimeo", "76979871").frame_url.endswith("?dnt=1")
        soundcloud = embeds.Embed.of("soundcloud", "forss/flickermood")
        assert soundcloud.frame_url.startswith(
            "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2F"
        )
        assert soundcloud.link_url == "https://soundcloud.com/forss/flickermood"


class TestReadersSeeAPlaceholder:
    @pytest.fixture
    def page(self, client, make_article):
        article = make_article(
            body='<p>Before.</p><figure data-url="https://youtu.be/dQw4w9WgXcQ" '
            'data-title="The winning goal"></figure>'
        )
        return client.get(article.get_absolute_url()).content.decode()

    def test_with_the_provider_the_title_and_a_button_to_load_it(self, page):
        placeholder = re.search(r'<figure class="embed embed--16x9".*?</figure>', page, re.S)
        text = placeholder.group(0)
        assert "YouTube video" in text and "The winning goal" in text
        assert "Load content from YouTube" in text
        assert 'data-embed-frame="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in text

    def test_nothing_is_loaded_from_the_provider_with_the_page(self, page):
        assert "<iframe" not in page
        assert not re.search(
            r'(src|href)="https://[^"]*(youtube|ytimg|google)',
            page.replace('href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"', ""),
        )

    def test_the_button_waits_for_javascript_and_the_link_does_not(self, page):
        assert '<div class="embed__consent" hidden>' in page
        assert (
            '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">The winning goal on YouTube</a>'
            in page
        )
        assert "js/embeds" in page


def test_the_content_security_policy_frames_exactly_the_providers(client, make_article):
    response = client.get(make_article().get_absolute_url())
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert set(policy["frame-src"].split()) == {
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://platform.twitter.com",
        "https://www.instagram.com",
        "https://www.tiktok.com",
        "https://embed.bsky.app",
        *(f"https://{host}" for host in embeds.MASTODON_HOSTS),
        "https://w.soundcloud.com",
    }
    assert policy["frame-ancestors"] == "'none'"
