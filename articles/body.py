"""What a story's body may hold beyond text, from the editor to the reader.

The editor offers embeds (``static/js/body-media.js``); each extension names
the tags and attributes it produces (``DJANGO_PROSE_EDITOR_EXTENSIONS`` in the
settings), and django-prose-editor derives nh3's allowlist from them. nh3 then removes whatever the editor does not offer
(scripts, styles, event handlers, frames, unknown attributes). ``canonical_media``
runs after it and rewrites every figure into its one stored form, or drops it;
a figure inside a table (a photo dropped in a cell) is moved out to just after
the table, which keeps every row, cell and its caption:

    <figure data-embed="youtube" data-id="dQw4w9WgXcQ" data-title="…"></figure>
    <figure data-image="12" data-layout="inline"></figure>     (a library image)
    <figure data-gallery="12,13,14"></figure>                   (several, in order)
    <figure data-table=""><table>…</table><figcaption>…</figcaption></figure>
    <aside data-pull-quote=""><p>…</p></aside>

``reader_html`` turns the stored forms into what readers see; the library
images a body names are loaded in one query (``Article.body_images``).
"""

import re
from html import unescape
from typing import NamedTuple

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import embeds
from .search import plain_text

_FIGURE_TAG = re.compile(r"<(/?)figure\b([^>]*)>")
_TABLE_TAG = re.compile(r"<(/?)table\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


class Element(NamedTuple):
    start: int
    end: int
    attributes: str  # the opening tag's, as written
    inner: str
    html: str  # the element itself


def _outermost(html, tags):
    """The outermost elements that ``tags`` (their opening and closing tags)
    find in ``html``. Nesting is counted: the ``</figure>`` of a photo in a
    table's cell does not end the table's figure, as a non-greedy pattern
    would, and so lose the table."""
    depth = 0
    for tag in tags.finditer(html):
        if not tag.group(1):
            if not depth:
                opening = tag
            depth += 1
        elif depth:
            depth -= 1
            if not depth:
                start, end = opening.start(), tag.end()
                inner = html[opening.end() : tag.start()]
                yield Element(start, end, opening.group(2), inner, html[start:end])


def _replace_outermost(html, tags, replace):
    """``html`` with each outermost element ``tags`` find replaced by ``replace(element)``."""
    parts, done = [], 0
    for element in _outermost(html, tags):
        parts += [html[done : element.start], replace(element)]
        done = element.end
    parts.append(html[done:])
    return "".join(parts)


def _take_out_figures(html):
    """``html`` without its outermost figures, and those figures, in order."""
    figures = list(_outermost(html, _FIGURE_TAG))
    return _replace_outermost(html, _FIGURE_TAG, lambda figure: ""), figures


def _attributes(source):
    """The attributes of a tag as nh3 writes them (double-quoted, escaped)."""
    return {name: unescape(value) for name, value in _ATTRIBUTE.findall(source)}


def _embed_markup(provider, embed_id, title):
    title_attribute = f' data-title="{escape(title)}"' if title else ""
    return (
        f'<figure data-embed="{escape(provider)}" data-id="{escape(embed_id)}"'
        f"{title_attribute}></figure>"
    )


def _canonical_figure(figure):
    attributes = _attributes(figure.attributes)
    title = " ".join(attributes.get("data-title", "").split())[:200]
    if url := attributes.get("data-url"):
        found = embeds.from_url(url)
        if found is None:  # not a link we can embed: keep it as a plain link
            if re.match(r"https?://", url):
                return f'<p><a href="{escape(url)}">{escape(url)}</a></p>'
            return ""
        return _embed_markup(*found, title)
    if "data-embed" in attributes:
        embed = embeds.Embed.of(attributes["data-embed"], attributes.get("data-id", ""))
        if embed is None:
            return ""
        return _embed_markup(attributes["data-embed"], embed.embed_id, title)
    if "data-image" in attributes:
        if not re.fullmatch(r"[0-9]{1,10}", attributes["data-image"]):
            return ""
        layout = attributes.get("data-layout")
        layout = layout if layout in IMAGE_LAYOUTS else IMAGE_LAYOUTS[0]
        return f'<figure data-image="{attributes["data-image"]}" data-layout="{layout}"></figure>'
    if "data-gallery" in attributes:
        ids = gallery_ids(attributes["data-gallery"])
        return f'<figure data-gallery="{",".join(ids)}"></figure>' if ids else ""
    if "data-table" in attributes:
        inner, inside = _take_out_figures(figure.inner)
        after = "".join(_canonical_figure(media) for media in inside)
        inner = inner.strip()
        if _TABLE_FIGURE.fullmatch(inner):
            return f'<figure data-table="">{inner}</figure>{after}'
        tables = "".join(table.html for table in _outermost(inner, _TABLE_TAG))
        return tables + after  # no caption: the table
    return ""  # a figure the editor did not make


IMAGE_LAYOUTS = ("inline", "full")
GALLERY_LIMIT = 30


def gallery_ids(value):
    """The image ids a gallery lists, in order, once each; none if any is not a number."""
    ids = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not ids or not all(re.fullmatch(r"[0-9]{1,10}", part) for part in ids):
        return []
    return list(dict.fromkeys(ids))[:GALLERY_LIMIT]


_IMAGE_REFERENCE = re.compile(r'<figure data-(image|gallery)="([0-9,]+)"')


def referenced_images(body):
    """The ids of the library images a stored body shows, inline or in a
    gallery, in the order it shows them, once each."""
    return list(dict.fromkeys(pk for pk, _ in image_uses(body)))


def image_uses(body):
    """How a stored body uses library images: ``(id, "photo")`` for each photo
    and ``(id, "gallery")`` for each gallery's, in the body's order, once each
    (``Article.save`` records them, ``BodyImageUse``)."""
    uses = (
        (int(part), "photo" if kind == "image" else "gallery")
        for kind, ids in _IMAGE_REFERENCE.findall(body or "")
        for part in ids.split(",")
    )
    return list(dict.fromkeys(uses))


class Reference(NamedTuple):
    """Something a stored body points at beyond its words: a link, a library
    photo, a gallery or an embed."""

    kind: str  # "link", "photo", "gallery" or "embed"
    target: str  # a link's address, the image ids, an embed's provider and id
    detail: str  # a link's words, a photo's layout, an embed's title

    @property
    def key(self):
        """What makes two references the same: a link is its address (its
        words are the body's words), the rest all they store."""
        return (self.kind, self.target) if self.kind == "link" else self


_LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)


def references(body):
    """The links, library photos, galleries and embeds a stored body holds, in
    the body's order (a figure inside a table's figure included)."""
    found = [
        (
            link.start(),
            Reference(
                "link", _attributes(link.group(1)).get("href", ""), plain_text(link.group(2))
            ),
        )
        for link in _LINK.finditer(body or "")
    ]
    for tag in _FIGURE_TAG.finditer(body or ""):
        attributes = _attributes(tag.group(2))
        if "data-image" in attributes:
            reference = Reference(
                "photo", attributes["data-image"], attributes.get("data-layout", "")
            )
        elif "data-gallery" in attributes:
            reference = Reference("gallery", attributes["data-gallery"], "")
        elif "data-embed" in attributes:
            target = f"{attributes['data-embed']}:{attributes.get('data-id', '')}"
            reference = Reference("embed", target, attributes.get("data-title", ""))
        else:
            continue
        found.append((tag.start(), reference))
    return [reference for _, reference in sorted(found, key=lambda item: item[0])]


_TABLE_FIGURE = re.compile(r"<table>.*</table><figcaption>.*</figcaption>", re.S)
_ASIDE = re.compile(r"<aside\b[^>]*>")


def canonical_media(html):
    """Rewrite the figures nh3 let through into their stored form and drop the
    rest, a table's media moved out to just after it; every aside (the editor
    makes no other) is a pull quote."""
    html = _replace_outermost(html, _FIGURE_TAG, _canonical_figure)
    html = _replace_outermost(html, _TABLE_TAG, _media_after_table)  # tables without a figure
    html = _CELL_SPAN.sub(_cell_span, html)
    return _ASIDE.sub('<aside data-pull-quote="">', html)


# A cell spans 1 to MAX_SPAN rows or columns; any other value is dropped.
_CELL_SPAN = re.compile(r'\s(colspan|rowspan)="([^"]*)"')
MAX_SPAN = 100


def _cell_span(match):
    value = match.group(2).strip()
    if value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_SPAN:
        return f' {match.group(1)}="{int(value)}"'
    return ""


def _media_after_table(table):
    inner, inside = _take_out_figures(table.inner)
    return f"<table{table.attributes}>{inner}</table>" + "".join(media.html for media in inside)


def _reader_figure(figure, images):
    attributes = _attributes(figure.attributes)
    if "data-image" in attributes:
        image = images.get(int(attributes["data-image"]))
        if image is None:  # an id that names no library image (stored before the desk
            # refused one, or from code) shows nothing
            return ""
        layout = attributes.get("data-layout", "inline")
        return render_to_string("articles/_body_image.html", {"image": image, "layout": layout})
    if "data-gallery" in attributes:
        shown = [
            images[int(i)] for i in gallery_ids(attributes["data-gallery"]) if int(i) in images
        ]
        if not shown:
            return ""
        return render_to_string("articles/_gallery.html", {"images": shown})
    if "data-embed" in attributes:
        embed = embeds.Embed.of(
            attributes["data-embed"],
            attributes.get("data-id", ""),
            attributes.get("data-title", ""),
        )
        if embed is not None:
            return render_to_string("articles/_embed.html", {"embed": embed})
    if "data-table" in attributes and (parts := _TABLE_PARTS.fullmatch(figure.inner)):
        table, caption = parts.groups()
        return (
            f'<figure class="body-table"><figcaption>{caption}</figcaption>'
            f"{_scrolling(table, caption)}</figure>"
        )
    return ""


_TABLE_PARTS = re.compile(r"(<table>.*</table>)<figcaption>(.*)</figcaption>", re.S)


def _scrolling(table, label="Table"):
    """A table that scrolls sideways on its own instead of widening the page;
    focusable, so keyboard users can scroll it too."""
    name = escape(unescape(re.sub(r"<[^>]+>", "", label)))
    return (
        f'<div class="body-table__scroll" role="region" tabindex="0" aria-label="{name}">'
        f"{table}</div>"
    )


def reader_html(body, images=None):
    """The stored body as readers see it: library images (``images``, by id)
    with their sizes and credits, galleries, embeds as placeholders that load
    nothing until asked, tables that scroll, pull quotes set apart."""
    images = images or {}
    stored = body

    def scrolling(table):  # a table with a caption scrolls inside its figure (_reader_figure)
        if stored.endswith('<figure data-table="">', 0, table.start):
            return table.html
        return _scrolling(table.html)

    body = _replace_outermost(body, _TABLE_TAG, scrolling)
    body = _replace_outermost(body, _FIGURE_TAG, lambda figure: _reader_figure(figure, images))
    body = body.replace('<aside data-pull-quote="">', '<aside class="pull-quote">')
    return mark_safe(body)
