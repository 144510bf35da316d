"""The social card: a 1200x630 PNG of an article's headline on the site's
design, the image social networks and search engines are given for a story
without a hero image. Also the brand images drawn the same way (the publisher
logo, the feeds' images, the site's own card): ``scripts/brand_images.py``.

A card's address carries a digest of everything drawn on it, so a changed
headline is a new address (and a new file), and a card can be cached forever.
It is drawn on first request and kept in the media storage.
"""

import hashlib
import logging
from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

logger = logging.getLogger(__name__)

SIZE = (1200, 630)
# Bumped when the drawing changes, so every card is drawn again.
DESIGN = 1

# The site's colours (static/css/site.css).
INK = (26, 26, 26)
PAPER = (255, 255, 255)
SOFT = (246, 244, 239)
ACCENT = (179, 38, 30)
ACCENT_INK = (140, 29, 23)

# Bold serif for the headline as on the page (Georgia there); a bold sans for labels.
# The first font installed is used; Pillow's own font when none is.
SERIF_BOLD = ("DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf", "NotoSerif-Bold.ttf")
SANS_BOLD = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "NotoSans-Bold.ttf")

MARGIN = 80
HEADLINE_TOP = 230
HEADLINE_BOTTOM = 560
HEADLINE_SIZES = range(76, 39, -4)


def font(candidates, size):
    for name in candidates:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def wrap(draw, text, face, width):
    """``text`` in lines no wider than ``width`` (a word longer than that stands alone)."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=face) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def fit_headline(draw, headline, width, height):
    """The largest of ``HEADLINE_SIZES`` at which the headline fits the box, with
    its lines; at the smallest size, the lines that fit, the last one ending "…"."""
    for size in HEADLINE_SIZES:
        face = font(SERIF_BOLD, size)
        leading = round(size * 1.18)
        lines = wrap(draw, headline, face, width)
        if len(lines) * leading <= height:
            return face, leading, lines
    room = max(1, height // leading)
    if len(lines) > room:
        lines = lines[:room]
        last = lines[-1]
        while last and draw.textlength(last + "…", font=face) > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return face, leading, lines


def draw_card(headline, label="", site_name=None):
    """The card as PNG bytes: site name over a rule, the label (the category),
    the headline in bold serif, the accent bar along the bottom."""
    site_name = site_name or settings.SITE_NAME
    image = Image.new("RGB", SIZE, SOFT)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    draw.text((MARGIN, 56), site_name, font=font(SERIF_BOLD, 48), fill=INK)
    draw.rectangle((MARGIN, 130, SIZE[0] - MARGIN, 135), fill=INK)
    if label:
        draw.text((MARGIN, 168), label.upper(), font=font(SANS_BOLD, 28), fill=ACCENT_INK)
    face, leading, lines = fit_headline(draw, headline, width, HEADLINE_BOTTOM - HEADLINE_TOP)
    for number, line in enumerate(lines):
        draw.text((MARGIN, HEADLINE_TOP + number * leading), line, font=face, fill=INK)
    draw.rectangle((0, SIZE[1] - 18, SIZE[0], SIZE[1]), fill=ACCENT)
    return png(image)


def draw_logo(width, height=None):
    """The publisher's mark: a white serif initial on the accent colour (square),
    or the name in bold serif over an accent rule (wide)."""
    height = height or width
    if width == height:
        image = Image.new("RGB", (width, height), ACCENT)
        draw = ImageDraw.Draw(image)
        face = font(SERIF_BOLD, round(height * 0.72))
        draw.text(
            (width / 2, height / 2), settings.SITE_NAME[:1], font=face, fill=PAPER, anchor="mm"
        )
        return png(image)
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    size = height // 2
    face = font(SERIF_BOLD, size)
    while size > 8 and draw.textlength(settings.SITE_NAME, font=face) > width * 0.9:
        size -= 2
        face = font(SERIF_BOLD, size)
    draw.text((width / 2, height * 0.45), settings.SITE_NAME, font=face, fill=INK, anchor="mm")
    rule = max(2, height // 24)
    draw.rectangle((width * 0.05, height * 0.78, width * 0.95, height * 0.78 + rule), fill=ACCENT)
    return png(image)


def png(image):
    buffer = BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def digest(article):
    """What is drawn on the article's card, hashed: it changes when the card would."""
    drawn = "\n".join([str(DESIGN), settings.SITE_NAME, article.category.name, article.headline])
    return hashlib.sha256(drawn.encode()).hexdigest()[:16]


def url(article):
    return reverse("articles:social-card", kwargs={"pk": article.pk, "digest": digest(article)})


def storage_name(article):
    return f"cards/{article.pk}/{digest(article)}.png"


def card(article):
    """The article's card as PNG bytes: from the media storage, or drawn now and
    stored, replacing the article's older cards. A storage that fails costs a
    drawing, never the card."""
    name = storage_name(article)
    try:
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                return stored.read()
    except OSError:
        logger.warning("could not read the social card %s", name, exc_info=True)
    content = draw_card(article.headline, article.category.name)
    try:
        folder = str(PurePosixPath(name).parent)
        if default_storage.exists(folder):
            for old in default_storage.listdir(folder)[1]:
                default_storage.delete(f"{folder}/{old}")
        default_storage.save(name, ContentFile(content))
    except OSError:
        logger.warning("could not store the social card %s", name, exc_info=True)
    return content
