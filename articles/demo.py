"""Demo content that only time would otherwise bring: recent reads, so "Most
read" shows on a fresh install, a correction, each article's first revision,
a pinned story and a live breaking-news banner (``manage.py seed_demo``)."""

from datetime import timedelta

from django.utils import timezone

from .counting import hour_of
from .models import Article, ArticleNote, ArticleRevision, Banner, Pin, ViewTally
from .revisions import record_revision


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
