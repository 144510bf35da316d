"""The demo's live coverage: the reference match, run by two contributors
(``manage.py seed_demo``)."""

from datetime import timedelta

from articles.models import Article, Contributor

from .models import LiveEntry

# The reference match as it happened (times are minutes after kick-off): who
# wrote each entry, its key event, if any, and its text.
MATCH_ENTRIES = [
    (
        -30,
        "giulia-conti",
        "",
        "Team news: Scamacca leads the line for Atalanta; Dortmund "
        "unchanged from the first leg. <b>Atalanta need two goals to force extra time.</b>",
    ),
    (0, "marco-bellini", "", "Kick-off in Bergamo. A full house of 21,234."),
    (
        5,
        "marco-bellini",
        "Goal",
        "Scamacca! Atalanta 1-0 Dortmund (2-2 on aggregate) inside five minutes.",
    ),
    (12, "giulia-conti", "", "Bensebaini is booked for a late challenge."),
    (44, "marco-bellini", "Goal", "Zappacosta fires in before the break: Atalanta 2-0."),
    (45, "giulia-conti", "", "Half-time. Nine shots to two; Dortmund cannot get out."),
    (57, "marco-bellini", "Goal", "Pasalic! Atalanta 3-0 and ahead in the tie."),
    (75, "giulia-conti", "Goal", "Adeyemi answers for Dortmund: 3-1, 3-3 on aggregate."),
    (90, "giulia-conti", "", "Full time in normal time. Extra time to come."),
    (
        96,
        "marco-bellini",
        "Red card",
        "Schlotterbeck brings down Krstovic in the area and, after a VAR review, is sent off.",
    ),
    (
        97,
        "marco-bellini",
        "Penalty",
        "Samardzic scores from the spot: Atalanta 4-1, 4-3 on aggregate.",
    ),
    (
        120,
        "giulia-conti",
        "",
        "It's over. Atalanta complete the comeback. Our match report follows.",
    ),
]


def seed_live_coverage(story):
    """The reference match's live coverage by two contributors, with its key
    events and the team news pinned, ended after the final whistle. Its entries
    are made again on each run (idempotent)."""
    kick_off = story.published_at + timedelta(minutes=30)
    people = {
        c.slug: c for c in Contributor.objects.filter(slug__in=["giulia-conti", "marco-bellini"])
    }
    story.live_entries.all().delete()
    for minute, author, label, text in MATCH_ENTRIES:
        # Saved one by one: every way in is sanitized (LiveEntry.save).
        LiveEntry.objects.create(
            article=story,
            body=f"<p>{text}</p>",
            author=people.get(author),
            published_at=kick_off + timedelta(minutes=minute + (15 if minute > 45 else 0)),
            pinned=minute < 0,
            key_event=bool(label),
            key_event_label=label,
        )
    story.live_status = Article.LiveStatus.ENDED
    story.coverage_started_at = story.published_at
    story.coverage_ended_at = kick_off + timedelta(minutes=150)
    story.save(update_fields=["live_status", "coverage_started_at", "coverage_ended_at"])
