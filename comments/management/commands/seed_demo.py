"""Demo content: a handful of categories and articles, among them the reference
story, and a short comment thread under it. It lives in the comments app, which
depends on articles, since it makes both.

Idempotent: rows are found by slug, so running it again updates the demo text and
duplicates nothing; view counts that readers have added since are kept.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.demo import (
    credit,
    seed_banner,
    seed_correction,
    seed_first_revisions,
    seed_match_media,
    seed_people_and_topics,
    seed_pin,
    seed_recent_reads,
)
from articles.models import Article, Category, Source, Topic
from comments.models import Comment
from live.demo import seed_live_coverage

CATEGORIES = [
    ("News", "news", "What happened today, at home and abroad.", 0),
    ("Sports", "sports", "Results, analysis and the stories behind the scores.", 1),
    ("Business", "business", "Companies, markets and the economy.", 2),
    ("Technology", "technology", "How technology is changing work and life.", 3),
    ("Culture", "culture", "Books, film, music and the arts.", 4),
]

ATALANTA_BODY = """
<p>Atalanta turned a two-goal deficit into one of the great European nights in Bergamo on Tuesday, beating Borussia Dortmund 4-1 after extra time to go through 4-3 on aggregate in the Champions League.</p>
<p>Gianluca Scamacca scored inside five minutes and the pressure never eased. Davide Zappacosta made it 2-0 just before half-time, and the 21,234 supporters inside the New Balance Arena began to believe the first-leg defeat could be undone.</p>
<h2>Dortmund hit back, then lose a man</h2>
<p>Mario Pasalic's strike in the 57th minute put Atalanta ahead in the tie, but Karim Adeyemi answered for Dortmund with a composed finish in the 75th to level the aggregate at 3-3 and force extra time.</p>
<p>The tie turned in the 96th minute. Nico Schlotterbeck brought down Nikola Krstovic in the area; after a VAR review the referee awarded the penalty and sent Schlotterbeck off. Lazar Samardzic scored from the spot a minute later.</p>
<blockquote><p>Nine shots on target to four, and only 43.7 per cent of the ball: Atalanta did not need possession to decide the tie.</p></blockquote>
<p>Ten-man Dortmund pushed for an equaliser that never came. Ramy Bensebaini, Emre Can, Isak Hien and Fabio Silva were all booked in a physical match.</p>
<p>Few gave Gian Piero Gasperini's side a chance after the first leg. They now wait for the draw for the next round.</p>
"""

ARTICLES = [
    {
        "slug": "atalanta-complete-stunning-ucl-comeback-beating-dortmund-4-1",
        "headline": "Atalanta Complete Stunning UCL Comeback, Beating Dortmund 4-1 to Advance "
        "After Extra-Time Drama",
        "category": "sports",
        "byline": "Marco Bellini and Giulia Conti",
        "photos": "Luca Ferri",
        "topics": ["champions-league"],
        "standfirst": "Two goals down from the first leg, Atalanta overturned the deficit in Bergamo "
        "and went through 4-3 on aggregate after a red card and a late penalty.",
        "body": ATALANTA_BODY,
        "published_at": (2026, 2, 25, 8, 30),
        "views": 788,
        "pinned": True,
        "sources": [
            ("ESPN", "https://www.espn.com/soccer/"),
            ("UEFA.com", "https://www.uefa.com/uefachampionsleague/"),
            ("VAVEL", "https://www.vavel.com/en/"),
        ],
    },
    {
        # The same match as it happened: live coverage, ended (articles.demo).
        "slug": "atalanta-v-dortmund-live",
        "headline": "Atalanta v Dortmund, Champions League: Live",
        "category": "sports",
        "byline": "Giulia Conti and Marco Bellini",
        "topics": ["champions-league"],
        "standfirst": "Every goal, the red card and the penalty from Bergamo, as they happened.",
        "body": "<p>Atalanta need to overturn a 2-0 first-leg defeat against Borussia Dortmund "
        "at the New Balance Arena. Kick-off is at 21:00.</p>",
        "published_at": (2026, 2, 24, 20, 30),
        "views": 1342,
        "pinned": True,
        "live": True,
        "sources": [("UEFA.com", "https://www.uefa.com/uefachampionsleague/")],
    },
    {
        "slug": "city-council-approves-riverside-housing-plan",
        "headline": "City Council Approves Riverside Housing Plan After Marathon Session",
        "category": "news",
        "byline": "Priya Raman",
        "topics": ["housing"],
        "standfirst": "The plan adds 1,200 homes on former industrial land; a third of them will be "
        "let below market rents.",
        "body": "<p>After nine hours of debate the council voted 31 to 18 for the riverside plan, "
        "the largest housing scheme in the city for two decades.</p><p>Opponents argued that the "
        "flood defences should be finished first. The council's planning lead said the defences "
        "are funded and will be in place before the first residents move in.</p>",
        "published_at": (2026, 2, 24, 18, 0),
        "views": 412,
        "sources": [("City Council minutes", ""), ("Environment Agency", "")],
    },
    {
        "slug": "build-the-flood-defences-first",
        "headline": "Build the Flood Defences First, Then the Homes",
        "category": "news",
        "kind": Article.Kind.OPINION,
        "byline": "Ruth Achebe",
        "topics": ["housing"],
        "standfirst": "The riverside plan is right about homes and wrong about the order of work.",
        "body": "<p>The city needs the 1,200 homes. It does not need residents moving in while "
        "the river wall is still scaffolding.</p><p>The council should tie each phase of "
        "building to a finished stretch of the defences, and say so in the planning "
        "conditions.</p>",
        "published_at": (2026, 2, 24, 21, 0),
        "views": 233,
        "sources": [],
    },
    {
        "slug": "regional-rail-timetable-overhaul",
        "headline": "Regional Rail Timetable Overhaul Promises Half-Hourly Trains",
        "category": "news",
        "byline": "Tom Okafor",
        "topics": ["transport"],
        "standfirst": "Operators say the new timetable adds 140 services a day from May.",
        "body": "<p>Commuters on the three busiest lines will get a train every thirty minutes "
        "from May, the operators announced.</p><p>Passenger groups welcomed the change but "
        "asked for longer trains at peak hours.</p>",
        "published_at": (2026, 2, 20, 7, 15),
        "views": 1530,
        "sources": [("Rail operators' joint statement", "")],
    },
    {
        "slug": "local-bakery-chain-expands-north",
        "headline": "Local Bakery Chain Expands North With Six New Shops",
        "category": "business",
        "byline": "Hannah Cole",
        "standfirst": "The family firm will hire 90 people this year.",
        "body": "<p>The bakery, founded in 1978, is opening six shops in northern towns.</p>"
        "<ul><li>Four open in the spring.</li><li>Two follow in the autumn.</li></ul>",
        "published_at": (2026, 2, 18, 9, 0),
        "views": 96,
        "sources": [("Company accounts", "")],
    },
    {
        "slug": "schools-trial-phone-free-days",
        "headline": "Schools Trial Phone-Free Days, and Pupils Mostly Approve",
        "category": "technology",
        "byline": "Lena Fischer",
        "standfirst": "A term-long trial in twelve schools finds calmer breaks and fewer disputes.",
        "body": "<p>Twelve secondary schools asked pupils to hand in phones at the gate one day a "
        "week.</p><p>Teachers reported calmer breaks; pupils said they missed music most.</p>",
        "published_at": (2026, 2, 12, 12, 0),
        "views": 2047,
        "sources": [("University study", "")],
    },
    {
        "slug": "orchestra-returns-to-restored-hall",
        "headline": "Orchestra Returns to Its Restored Hall After Four Years Away",
        "category": "culture",
        "byline": "Sam Adeyemi",
        "standfirst": "The first concert sold out in eleven minutes.",
        "body": "<p>The city's orchestra played its first concert in the restored hall on "
        "Saturday. The acoustics, everyone agreed, were worth the wait.</p>",
        "published_at": (2026, 1, 30, 19, 30),
        "views": 1,
        "sources": [],
    },
    {
        "slug": "derby-preview-league-leaders-meet",
        "headline": "Derby Preview: League Leaders Meet With the Title in Sight",
        "category": "sports",
        "byline": "Marco Bellini",
        "standfirst": "Sunday's derby could decide the title. Scheduled to appear in the future.",
        "body": "<p>Both sides are unbeaten in ten.</p>",
        "published_at": None,  # scheduled: a week from now
        "views": 0,
        "sources": [],
    },
    {
        "slug": "budget-analysis-draft",
        "headline": "What the Budget Means for Your Household",
        "category": "business",
        "byline": "Hannah Cole",
        "standfirst": "Submitted for review: an editor approves it or asks for changes.",
        "body": "<p>Energy bills, childcare and the income tax thresholds: what changes in "
        "April, and for whom.</p>",
        "published_at": "in_review",
        "views": 0,
        "sources": [],
    },
]


class Command(BaseCommand):
    help = "Create or refresh the demo categories and articles (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        tz = timezone.get_current_timezone()
        categories = {}
        for name, slug, description, position in CATEGORIES:
            categories[slug], _ = Category.objects.update_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "position": position},
            )

        seed_people_and_topics()
        created_count = 0
        for data in ARTICLES:
            status, stage = Article.Status.PUBLISHED, Article.Stage.PUBLISHED
            when = data["published_at"]
            if when == "in_review":  # on the desk, waiting for an editor
                status, stage, published_at = Article.Status.DRAFT, Article.Stage.IN_REVIEW, None
            elif when is None:
                published_at = timezone.now() + timedelta(days=7)
            else:
                # The reference story's date is a date in the site's time zone.
                published_at = datetime(*when, tzinfo=ZoneInfo(str(tz)))
            fields = {
                "headline": data["headline"],
                "category": categories[data["category"]],
                "kind": data.get("kind", Article.Kind.NEWS),
                "standfirst": data["standfirst"],
                "body": data["body"].strip(),
                "status": status,
                "workflow_state": stage,
                "published_at": published_at,
            }
            article, created = Article.objects.update_or_create(
                slug=data["slug"],
                defaults=fields,
                create_defaults={**fields, "view_count": data["views"]},
            )
            created_count += created
            credit(article, data["byline"], data.get("photos", ""))
            article.topics.set(Topic.objects.filter(slug__in=data.get("topics", [])))
            article.sources.all().delete()
            Source.objects.bulk_create(
                Source(article=article, name=name, url=url, position=index)
                for index, (name, url) in enumerate(data["sources"])
            )
            if data.get("live"):
                seed_live_coverage(article)
        reference = Article.objects.get(slug=ARTICLES[0]["slug"])
        reference.hero = seed_match_media(reference)[2]  # the stadium
        reference.save(update_fields=["hero"])
        self._seed_comments(reference)
        seed_recent_reads()  # so "Most read" shows on a fresh install
        seed_first_revisions()  # each story's history starts with its first version
        seed_correction(Article.objects.get(slug="city-council-approves-riverside-housing-plan"))
        pinned = [data["slug"] for data in ARTICLES if data.get("pinned")]
        for slot, slug in enumerate(pinned, start=1):
            seed_pin(Article.objects.get(slug=slug), slot)
        seed_banner()
        self.stdout.write(
            f"Demo content ready: {len(categories)} categories, {len(ARTICLES)} articles "
            f"({created_count} new)."
        )

    def _seed_comments(self, article):
        """A short thread under the reference story, the first time only."""

        if article.comments.exists():
            return
        start = article.published_at + timedelta(hours=1)

        def add(minutes, name, body, parent=None):
            return Comment.objects.create(
                article=article,
                parent=parent,
                root=(parent.root or parent) if parent else None,
                depth=parent.depth + 1 if parent else 0,
                author_name=name,
                body=body,
                status=Comment.Status.APPROVED,
                created_at=start + timedelta(minutes=minutes),
                reader=f"demo-{name.lower()}",
            )

        first = add(
            0,
            "Giulia",
            "What a night in Bergamo!\nI was there: the noise when the penalty went in.",
        )
        reply = add(
            12, "Tom", "Best comeback of the season. The red card decided it, though.", first
        )
        add(30, "Giulia", "Fair, but they were the better side for 120 minutes.", reply)
        add(45, "Ben", "Dortmund were so comfortable after the first leg. Hard to watch.")
