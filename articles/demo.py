"""Demo content that only time would otherwise bring: recent reads, so "Most
read" shows on a fresh install, and a correction; and the newsroom's people
and topics (``manage.py seed_demo``)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from .bylines import split_names
from .counting import hour_of
from .models import Article, ArticleContributor, ArticleNote, Contributor, Topic, ViewTally

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
    return ArticleNote.objects.create(
        article=story,
        kind=ArticleNote.Kind.CORRECTION,
        text="An earlier version of this story said the plan has 430 homes. It has 340.",
        published_at=min(now, story.published_at + timedelta(hours=3)),
    )
