"""Embedded videos and posts, privacy first.

The body stores an embed as its provider and the provider's id for it
(``<figure data-embed="youtube" data-id="…">``), never HTML from the editor or
the provider: the editor gives a link, ``from_url`` recognises it, and the
sanitizer writes the figure. Readers get a placeholder that loads nothing from
the provider until they ask (``templates/articles/_embed.html``,
``static/js/embeds.js``); the Content-Security-Policy allows the frames of
these providers and no others (``FRAME_HOSTS``).
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

# What the editor's Embed node may carry: the link it was given (the sanitizer
# turns it into provider and id), or the provider and id, and a title.
EMBED_ATTRIBUTES = ["data-embed", "data-id", "data-url", "data-title"]

# Instances whose posts may be embedded: each is a frame host the page's
# Content-Security-Policy has to name, so the list is short and deliberate.
MASTODON_HOSTS = ("mastodon.social", "mastodon.online", "journa.host", "mstdn.social")


@dataclass(frozen=True)
class Provider:
    name: str  # as readers see it: "Load content from YouTube"
    frame_hosts: tuple
    id_pattern: str  # what a stored id may be, whole
    frame: str  # the iframe's address, from the id's parts
    link: str  # the original's address, from the id's parts
    shape: str  # the placeholder's shape: a CSS modifier (16x9, 9x16, 4x5, post, audio)
    kind: str = "video"

    def parts(self, embed_id):
        found = re.fullmatch(self.id_pattern, embed_id or "")
        return found.groupdict() if found else None


PROVIDERS = {
    "youtube": Provider(
        name="YouTube",
        frame_hosts=("www.youtube-nocookie.com",),
        id_pattern=r"(?P<id>[A-Za-z0-9_-]{11})",
        frame="https://www.youtube-nocookie.com/embed/{id}",
        link="https://www.youtube.com/watch?v={id}",
        shape="16x9",
    ),
    "vimeo": Provider(
        name="Vimeo",
        frame_hosts=("player.vimeo.com",),
        id_pattern=r"(?P<id>[0-9]{1,12})",
        frame="https://player.vimeo.com/video/{id}?dnt=1",
        link="https://vimeo.com/{id}",
        shape="16x9",
    ),
    "x": Provider(
        name="X",
        frame_hosts=("platform.twitter.com",),
        id_pattern=r"(?P<id>[0-9]{1,20})",
        frame="https://platform.twitter.com/embed/Tweet.html?id={id}&dnt=true",
        link="https://x.com/i/status/{id}",
        shape="post",
        kind="post",
    ),
    "instagram": Provider(
        name="Instagram",
        frame_hosts=("www.instagram.com",),
        id_pattern=r"(?P<id>[A-Za-z0-9_-]{5,40})",
        frame="https://www.instagram.com/p/{id}/embed/",
        link="https://www.instagram.com/p/{id}/",
        shape="4x5",
        kind="post",
    ),
    "tiktok": Provider(
        name="TikTok",
        frame_hosts=("www.tiktok.com",),
        id_pattern=r"(?P<user>[A-Za-z0-9_.]{1,30})/(?P<id>[0-9]{1,20})",
        frame="https://www.tiktok.com/embed/v2/{id}",
        link="https://www.tiktok.com/@{user}/video/{id}",
        shape="9x16",
    ),
    "bluesky": Provider(
        name="Bluesky",
        frame_hosts=("embed.bsky.app",),
        id_pattern=r"(?P<user>[A-Za-z0-9.:-]{3,253})/(?P<id>[a-z0-9]{10,16})",
        frame="https://embed.bsky.app/embed/{user}/app.bsky.feed.post/{id}",
        link="https://bsky.app/profile/{user}/post/{id}",
        shape="post",
        kind="post",
    ),
    "mastodon": Provider(
        name="Mastodon",
        frame_hosts=MASTODON_HOSTS,
        id_pattern=r"(?P<host>"
        + "|".join(re.escape(host) for host in MASTODON_HOSTS)
        + r")/(?P<user>[A-Za-z0-9_]{1,30})/(?P<id>[0-9]{1,20})",
        frame="https://{host}/@{user}/{id}/embed",
        link="https://{host}/@{user}/{id}",
        shape="post",
        kind="post",
    ),
    "soundcloud": Provider(
        name="SoundCloud",
        frame_hosts=("w.soundcloud.com",),
        id_pattern=r"(?P<user>[a-z0-9_-]{1,60})/(?P<id>[a-z0-9_-]{1,120})",
        frame="https://w.soundcloud.com/player/?url={track}&visual=true",
        link="https://soundcloud.com/{user}/{id}",
        shape="audio",
        kind="track",
    ),
}

FRAME_HOSTS = tuple(
    f"https://{host}" for provider in PROVIDERS.values() for host in provider.frame_hosts
)


def _youtube(host, path, query):
    if host == "youtu.be":
        return path.strip("/").split("/")[0]
    if path == "/watch":
        return (query.get("v") or [""])[0]
    found = re.match(r"/(?:embed|shorts|live|v)/([^/]+)", path)
    return found.group(1) if found else None


# host -> (provider, how the id is read from the path and query)
_URL_READERS = {
    **dict.fromkeys(
        ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "youtube-nocookie.com"),
        ("youtube", _youtube),
    ),
    **dict.fromkeys(
        ("vimeo.com", "www.vimeo.com", "player.vimeo.com"),
        ("vimeo", lambda host, path, query: (re.findall(r"/([0-9]+)", path) or [None])[-1]),
    ),
    **dict.fromkeys(
        ("x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"),
        ("x", lambda host, path, query: _match(r"/[^/]+/status(?:es)?/([0-9]+)", path)),
    ),
    **dict.fromkeys(
        ("instagram.com", "www.instagram.com"),
        ("instagram", lambda host, path, query: _match(r"/(?:p|reel|tv)/([^/]+)", path)),
    ),
    **dict.fromkeys(
        ("tiktok.com", "www.tiktok.com"),
        ("tiktok", lambda host, path, query: _match(r"/@([^/]+)/video/([0-9]+)", path)),
    ),
    "bsky.app": (
        "bluesky",
        lambda host, path, query: _match(r"/profile/([^/]+)/post/([^/]+)", path),
    ),
    **{
        host: ("mastodon", lambda host, path, query: _mastodon(host, path))
        for host in MASTODON_HOSTS
    },
    **dict.fromkeys(
        ("soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"),
        ("soundcloud", lambda host, path, query: _match(r"/([^/]+)/([^/?#]+)/?", path)),
    ),
}


def _match(pattern, path):
    found = re.fullmatch(pattern + r"/?", path)
    return "/".join(found.groups()) if found else None


def _mastodon(host, path):
    found = _match(r"/@([^/]+)/([0-9]+)", path)
    return f"{host}/{found}" if found else None


def from_url(url):
    """``(provider, id)`` for a link to a supported video, post or track, or None."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or host not in _URL_READERS:
        return None
    provider, read = _URL_READERS[host]
    embed_id = read(host, parts.path, parse_qs(parts.query))
    if embed_id and PROVIDERS[provider].parts(embed_id) is not None:
        return provider, embed_id
    return None


@dataclass(frozen=True)
class Embed:
    """What the reader's placeholder needs to show one embed."""

    provider: Provider
    embed_id: str
    title: str = ""

    @classmethod
    def of(cls, provider, embed_id, title=""):
        """The embed, or None when the provider or the id is not one we know."""
        known = PROVIDERS.get(provider)
        if known is None or known.parts(embed_id) is None:
            return None
        return cls(known, embed_id, title)

    @property
    def _parts(self):
        parts = self.provider.parts(self.embed_id)
        original = self.provider.link.format(**parts, track="")
        return {**parts, "track": quote(original, safe="")}

    @property
    def frame_url(self):
        return self.provider.frame.format(**self._parts)

    @property
    def link_url(self):
        return self.provider.link.format(**self._parts)
