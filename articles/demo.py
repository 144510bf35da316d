"""Demo content that only time would otherwise bring: recent reads, so "Most
read" shows on a fresh install, a correction, each article's first revision,
a pinned story and a live breaking-news banner; and the newsroom's people and
topics (``manage.py seed_demo``)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from .bylines import split_names
from .counting import hour_of
from .models import (
    Article,
    ArticleContributor,
    ArticleNote,
    ArticleRevision,
    Banner,
    Contributor,
    Pin,
    Topic,
    ViewTally,
)
from .revisions import record_revision

CONTRIBUTORS = [
    {
        "slug": "marco-bellini",
        "name": "Marco Bellini",
        "job_title": "Football correspondent",
        "bio": "Marco has covered Serie A and the Champions League from Bergamo for twelve years.",
        "same_as": "https://example.com/@marcobellini",
    },
    {
        "slug": "giulia-conti",
        "name": "Giulia Conti",
        "job_title": "Sports reporter",
        "bio": "Giulia reports on Italian football and the people around it.",
        "same_as": "",
    },
    {
        "slug": "priya-raman",
        "name": "Priya Raman",
        "job_title": "City hall reporter",
        "bio": "Priya covers the council, housing and planning.",
        "same_as": "",
    },
    {
        "slug": "hannah-cole",
        "name": "Hannah Cole",
        "job_title": "Business editor",
        "bio": "Hannah writes about local firms and the money that moves them.",
        "same_as": "",
    },
    {
        "slug": "ruth-achebe",
        "name": "Ruth Achebe",
        "job_title": "Guest columnist",
        "bio": "Ruth is a former city planner; she writes a monthly column for us.",
        "same_as": "https://example.org/ruth-achebe",
    },
]

TOPICS = [
    ("Champions League", "champions-league", "Europe's club competition, round by round."),
    ("Housing", "housing", "Homes, rents and the plans that shape the city."),
    ("Transport", "transport", "Trains, buses and the daily commute."),
]


def seed_people_and_topics():
    """The demo's contributors and topics, found by slug (idempotent)."""
    for person in CONTRIBUTORS:
        Contributor.objects.update_or_create(slug=person["slug"], defaults=person)
    for name, slug, description in TOPICS:
        Topic.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


def credit(article, byline, photos=""):
    """Credit the article to the names in ``byline`` (authors, in order) and
    ``photos``, replacing its credits; a name not met before becomes a guest
    contributor."""
    article.credits.all().delete()
    for role, names in [
        (ArticleContributor.Role.AUTHOR, split_names(byline)),
        (ArticleContributor.Role.PHOTOS, split_names(photos)),
    ]:
        for order, name in enumerate(names):
            contributor = Contributor.objects.filter(name=name).first()
            if contributor is None:
                contributor = Contributor.objects.create(name=name, slug=slugify(name))
            ArticleContributor.objects.create(
                article=article, contributor=contributor, role=role, order=order
            )


def seed_recent_reads(now=None):
    """Hourly tallies over the last week for the published articles, ranked one
    way over the last day and another over the week, so both lists show.

    Idempotent: nothing is added while any tally of the last week exists (an
    earlier run made them, or readers did). Returns how many were added.
    """
    now = now or timezone.now()
    if ViewTally.objects.filter(hour__gte=now - timedelta(days=7)).exists():
        return 0
    articles = list(Article.objects.published().order_by("-published_at", "-pk")[:6])
    tallies = []
    for rank, article in enumerate(articles):
        # Today's order is the newest first; over the week, the oldest lead.
        tallies.append(
            ViewTally(
                article=article,
                hour=hour_of(now - timedelta(hours=2)),
                views=(len(articles) - rank) * 7,
            )
        )
        tallies.append(
            ViewTally(article=article, hour=hour_of(now - timedelta(days=3)), views=(rank + 1) * 40)
        )
    ViewTally.objects.bulk_create(tallies)
    return len(tallies)


def seed_correction(story, now=None):
    """A correction on ``story`` (a published article), three hours after it
    went out, so the page, /corrections/ and its feed show one.

    Idempotent: nothing is added once the story has a note. Returns the note,
    or None.
    """
    if story is None or story.notes.exists():
        return None
    now = now or timezone.now()
    note = ArticleNote.objects.create(
        article=story,
        kind=ArticleNote.Kind.CORRECTION,
        text="An earlier version of this story said the plan has 430 homes. It has 340.",
        published_at=min(now, story.published_at + timedelta(hours=3)),
    )
    record_revision(story, None, ArticleRevision.Action.CORRECTED, note=f"Correction: {note.text}")
    return note


def seed_pin(story, slot=1):
    """``story`` pinned to the home page's ``slot`` with no expiry, unless the
    slot holds a pin already. Returns the pin."""
    pin, _ = Pin.objects.get_or_create(category=None, slot=slot, defaults={"article": story})
    return pin


def seed_banner(now=None):
    """A breaking-news banner live for the next day, unless one is live.
    Returns it, or None."""
    now = now or timezone.now()
    if Banner.objects.live().exists():
        return None
    return Banner.objects.create(
        text="Breaking: Atalanta through to the quarter-finals after extra time in Bergamo",
        link="/articles/atalanta-complete-stunning-ucl-comeback-beating-dortmund-4-1/",
        level=Banner.Level.BREAKING,
        starts_at=now,
        ends_at=now + timedelta(days=1),
    )


def seed_first_revisions():
    """The first revision of every article that has none, as the desk keeps
    one for each article it creates. Returns how many were kept."""
    articles = Article.objects.filter(revisions__isnull=True).select_related("category", "author")
    for article in articles:
        record_revision(article, None, ArticleRevision.Action.CREATED)
    return len(articles)


# The reference match report's media: drawn here (no photo ships with the
# code), found again by their alt text, so running the seed twice adds nothing.
MATCH_PHOTOS = [
    ("Scamacca celebrates the opening goal in front of the Curva Nord", (26, 92, 160)),
    ("Atalanta players mob Samardzic after the penalty", (20, 40, 90)),
    ("The New Balance Arena under lights before kick-off", (30, 110, 60)),
    ("Gasperini applauds the supporters at the final whistle", (120, 30, 40)),
]
MATCH_VIDEO = "https://www.youtube.com/watch?v=aTaLaNtA4-1"


def _drawn_photo(colour, n):
    """A 1600x900 JPEG that stands in for an agency photo: a pitch, a stand, a crowd."""
    from io import BytesIO

    from django.core.files.base import ContentFile
    from PIL import Image as Picture
    from PIL import ImageDraw

    picture = Picture.new("RGB", (1600, 900), colour)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 560, 1600, 900), fill=(40, 130, 60))  # the pitch
    draw.line((0, 700, 1600, 700), fill=(235, 235, 235), width=6)
    draw.ellipse((640 + 40 * n, 380, 860 + 40 * n, 600), outline=(235, 235, 235), width=8)
    for seat in range(0, 1600, 40):  # the crowd
        draw.ellipse(
            (seat, 120 + (seat * 7 % 50), seat + 24, 144 + (seat * 7 % 50)), fill=colour[::-1]
        )
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=f"demo-match-{n}.jpg")


def seed_match_media(story):
    """Give the reference match report an inline photo with its credit, a
    gallery and the goal video's placeholder, from the image library. Returns
    the library images."""
    from .models import Image

    photos = []
    for n, (alt_text, colour) in enumerate(MATCH_PHOTOS):
        photo = Image.objects.filter(alt_text=alt_text).first()
        if photo is None:
            photo = Image.objects.create(
                file=_drawn_photo(colour, n),
                alt_text=alt_text,
                caption=alt_text + ".",
                credit="Newsroom Photo Desk",
                source="Demo picture drawn by the seed command",
            )
        photos.append(photo)
    figures = {
        "began to believe the first-leg defeat could be undone.</p>": (
            f'<figure data-image="{photos[0].pk}" data-layout="inline"></figure>'
        ),
        "Lazar Samardzic scored from the spot a minute later.</p>": (
            f'<figure data-url="{MATCH_VIDEO}" data-title="Highlights: Atalanta 4-1 Dortmund">'
            "</figure>"
        ),
        "were all booked in a physical match.</p>": (
            f'<figure data-gallery="{",".join(str(p.pk) for p in photos[1:])}"></figure>'
        ),
    }
    for after, figure in figures.items():
        if figure not in story.body:
            story.body = story.body.replace(after, after + figure, 1)
    story.save()
    return photos
