"""Seed a throwaway database at newsroom scale, fast: bulk inserts in batches.

    python -m bench.seed [--articles N --comments N --hot-comments N --categories N]

The scale and the text are data (``SCALE``, ``WORDS``, ``COMMENT_FIELDS``); the
code only turns them into rows. Prints a JSON manifest (the hot article's slug, a
category and its deep page, the row counts) that ``bench/run.py`` reads.

Comments are seeded only when ``comments.models.Comment`` exists. The model's
fields are matched against ``COMMENT_FIELDS`` by name, so a new or renamed field
needs one line there.
"""

import argparse
import json
import os
import random
import sys
from datetime import timedelta
from urllib.parse import quote

SCALE = {
    "categories": 20,
    "articles": 20_000,
    "comments": 200_000,
    "hot_comments": 2_000,
}
BATCH_SIZE = 2_000
HOT_SLUG = "hot-story-city-wins-the-final"
DRAFT_SHARE = 0.03
SCHEDULED_SHARE = 0.02
REPLY_SHARE = 0.15
PER_PAGE_FALLBACK = 20

WORDS = [
    "council",
    "minister",
    "market",
    "season",
    "final",
    "league",
    "report",
    "city",
    "river",
    "housing",
    "plan",
    "vote",
    "budget",
    "police",
    "court",
    "school",
    "hospital",
    "station",
    "train",
    "energy",
    "climate",
    "storm",
    "harbour",
    "festival",
    "museum",
    "album",
    "film",
    "theatre",
    "company",
    "shares",
    "profit",
    "strike",
    "union",
    "rates",
    "bank",
    "startup",
    "software",
    "network",
    "election",
    "mayor",
    "committee",
    "inquiry",
    "evidence",
    "witness",
    "goal",
    "coach",
    "striker",
    "keeper",
    "penalty",
    "referee",
    "crowd",
    "stadium",
    "record",
    "victory",
    "defeat",
    "draw",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "on",
    "for",
    "with",
    "after",
    "before",
    "during",
    "while",
    "as",
    "at",
    "by",
    "from",
]
NAMES = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Emma",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jon",
    "Kemi",
    "Lars",
    "Mia",
    "Noor",
    "Omar",
    "Pia",
]
SOURCE_NAMES = ["Reuters", "AP", "AFP", "ESPN", "UEFA.com", "City Council", "ONS", "BBC"]


def sentence(rng, low=8, high=22):
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


def comment_model():
    """The Comment model when the comments app has one, else None."""
    try:
        from comments.models import Comment
    except ImportError:
        return None
    return Comment


def _approved_status(field):
    """The choice value that makes a comment visible to readers."""
    values = [value for value, _ in field.choices or []]
    for wanted in ("approved", "published", "visible", "public", "live"):
        for value in values:
            if wanted in str(value).lower():
                return value
    if values:
        return values[0]
    return field.get_default() if field.has_default() else "approved"


# Model field name -> how to fill it, from (rng, article, when, parent). Fields the
# model does not have are ignored; a required field missing here is an error.
COMMENT_FIELDS = {
    "article": lambda rng, article, when, parent: article,
    "parent": lambda rng, article, when, parent: parent,
    "body": lambda rng, article, when, parent: sentence(rng, 6, 40),
    "text": lambda rng, article, when, parent: sentence(rng, 6, 40),
    "author_name": lambda rng, article, when, parent: rng.choice(NAMES),
    "name": lambda rng, article, when, parent: rng.choice(NAMES),
    "email": lambda rng, article, when, parent: f"{rng.choice(NAMES).lower()}@example.com",
    "author_email": lambda rng, article, when, parent: f"{rng.choice(NAMES).lower()}@example.com",
    "created_at": lambda rng, article, when, parent: when,
    "shown_changed_at": lambda rng, article, when, parent: when,
    "submitted_at": lambda rng, article, when, parent: when,
    "posted_at": lambda rng, article, when, parent: when,
    "reader": lambda rng, article, when, parent: f"{rng.getrandbits(256):064x}",
    "network": lambda rng, article, when, parent: f"{rng.getrandbits(256):064x}",
    "root": lambda rng, article, when, parent: (parent.root or parent) if parent else None,
    "depth": lambda rng, article, when, parent: parent.depth + 1 if parent else 0,
}


def _comment_builder(Comment):
    fields = {f.name: f for f in Comment._meta.concrete_fields if not f.primary_key}
    fillers = {name: fill for name, fill in COMMENT_FIELDS.items() if name in fields}
    status = fields.get("status")
    missing = [
        name
        for name, field in fields.items()
        if name not in fillers
        and name != "status"
        and not field.null
        and not field.has_default()
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]
    if missing:
        raise SystemExit(f"bench/seed.py: add COMMENT_FIELDS entries for {', '.join(missing)}")

    def build(rng, article, when, parent=None):
        values = {name: fill(rng, article, when, parent) for name, fill in fillers.items()}
        if status is not None:
            values["status"] = _approved_status(status)
        return Comment(**values)

    return build


def seed(scale=None, rng_seed=5, out=None):
    """Fill an empty, migrated database; return the manifest."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article, ArticleContributor, Category, Contributor, Pin, Source
    from articles.search import plain_text

    scale = {**SCALE, **(scale or {})}
    rng = random.Random(rng_seed)
    now = timezone.now()
    log = out or (lambda message: None)
    sanitize = Article._meta.get_field("body").sanitize
    pool = [sanitize(f"<p>{paragraph(rng)}</p>") for _ in range(300)]
    hot_body = "".join(pool[:8]).replace("<p>", "<h2>Minute by minute</h2><p>", 1)

    with transaction.atomic():
        categories = Category.objects.bulk_create(
            Category(
                name=f"Section {n + 1:02d}",
                slug=f"section-{n + 1:02d}",
                description=sentence(rng),
                position=n,
            )
            for n in range(scale["categories"])
        )
        log(f"{len(categories)} categories")

        def make_article(n):
            roll = rng.random()
            if roll < DRAFT_SHARE:
                status, when = Article.Status.DRAFT, None
            elif roll < DRAFT_SHARE + SCHEDULED_SHARE:
                status = Article.Status.PUBLISHED
                when = now + timedelta(hours=rng.randint(1, 240))
            else:
                status = Article.Status.PUBLISHED
                when = now - timedelta(minutes=rng.randint(120, 730 * 24 * 60))
            return Article(
                headline=sentence(rng, 5, 12)[:-1],
                slug=f"story-{n:06d}",
                category=categories[n % len(categories)],
                standfirst=sentence(rng, 15, 30),
                body="".join(rng.choices(pool, k=rng.randint(3, 8))),
                status=status,
                published_at=when,
                view_count=rng.randint(0, 5_000),
            )

        hot = Article(
            headline="City Win the Final in Extra Time After a Late Penalty",
            slug=HOT_SLUG,
            category=categories[0],
            standfirst=sentence(rng, 20, 30),
            body=hot_body,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=30),
            view_count=0,
        )
        articles = [hot]
        for start in range(1, scale["articles"], BATCH_SIZE):
            batch = [
                make_article(n) for n in range(start, min(start + BATCH_SIZE, scale["articles"]))
            ]
            articles.extend(batch)
        for article in articles:  # bulk_create skips save(), which derives it
            article.body_text = plain_text(article.body)
        articles = Article.objects.bulk_create(articles, batch_size=BATCH_SIZE)
        log(f"{len(articles)} articles")
        Pin.objects.create(article=articles[0], slot=1)  # the hot story leads the home page

        sources = []
        for article in articles:
            count = 3 if article is articles[0] else rng.randint(1, 4)
            for position in range(count):
                name = rng.choice(SOURCE_NAMES)
                url = f"https://example.com/{name.lower().replace(' ', '-')}/{article.pk}"
                sources.append(
                    Source(
                        article=article,
                        name=name,
                        url=url if rng.random() < 0.7 else "",
                        position=position,
                    )
                )
        Source.objects.bulk_create(sources, batch_size=BATCH_SIZE)
        log(f"{len(sources)} sources")

        reporters = Contributor.objects.bulk_create(
            Contributor(name=f"{first} {last}son", slug=f"{first}-{last}son".lower())
            for first in NAMES[:6]
            for last in NAMES[:6]
        )
        ArticleContributor.objects.bulk_create(
            (
                ArticleContributor(article=article, contributor=reporter, order=order)
                for article in articles
                for order, reporter in enumerate(rng.sample(reporters, rng.choice([1, 1, 2])))
            ),
            batch_size=BATCH_SIZE,
        )
        log(f"{len(reporters)} contributors")

        comments_seeded = seed_comments(rng, articles, scale, now, log)

    analyze()
    category = categories[0]
    published_in_category = Article.objects.published().filter(category=category).count()
    per_page = getattr(settings, "NEWSROOM_ARTICLES_PER_PAGE", PER_PAGE_FALLBACK)
    pages = max(1, -(-published_in_category // per_page))
    return {
        "hot_slug": HOT_SLUG,
        "hot_id": articles[0].pk,
        "live_after": live_cursor(articles[0]),
        "category_slug": category.slug,
        "category_pages": pages,
        "deep_page": max(1, pages - 2),
        "categories": len(categories),
        "articles": len(articles),
        "sources": len(sources),
        "comments": comments_seeded,
    }


def live_cursor(article):
    """The cursor a reader of the article's page polls after for new comments
    (URL-encoded), or "" in a build without live updates."""
    try:
        from comments import live
    except ImportError:
        return ""
    return quote(live.latest(article).sign(live.SALT), safe="")


def analyze():
    """Give PostgreSQL's planner the statistics autovacuum would have gathered by the
    time a site this size is busy; right after a bulk load it has none and plans for
    a handful of rows. SQLite gathers none unless asked, so it is left as it is."""
    from django.db import connection

    if connection.vendor == "postgresql":
        from articles.models import Article
        from articles.search import search_vector

        # bulk_create skips save(), which keeps each article's search vector.
        Article.objects.update(search_document=search_vector())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed_comments(rng, articles, scale, now, log):
    Comment = comment_model()
    if Comment is None:
        log("comments.models.Comment does not exist yet: no comments seeded")
        return 0
    build = _comment_builder(Comment)
    has_parent = "parent" in {f.name for f in Comment._meta.concrete_fields}
    hot, others = articles[0], [a for a in articles[1:] if a.published_at and a.published_at < now]
    # Recent stories draw more comments than old ones.
    weights = [1.0 / (1 + (now - a.published_at).days) for a in others]
    targets = [hot] * scale["hot_comments"] + rng.choices(
        others, weights=weights, k=max(0, scale["comments"] - scale["hot_comments"])
    )
    replies_share = REPLY_SHARE if has_parent else 0.0
    top_level, replies = [], []
    for article in targets:
        (replies if rng.random() < replies_share else top_level).append(article)

    def when(article):
        start = max(article.published_at, now - timedelta(days=30))
        return start + (now - start) * rng.random()

    created = Comment.objects.bulk_create(
        (build(rng, article, when(article)) for article in top_level), batch_size=BATCH_SIZE
    )
    by_article = {}
    for comment in created:
        by_article.setdefault(comment.article_id, []).append(comment)
    reply_rows = []
    for article in replies:
        parent = rng.choice(by_article[article.pk]) if by_article.get(article.pk) else None
        reply_rows.append(build(rng, article, when(article), parent))
    Comment.objects.bulk_create(reply_rows, batch_size=BATCH_SIZE)
    # bulk_create sends no signals: count what each article shows, as posting would.
    from comments.threads import recount

    recount(type(hot).objects.all())
    total = len(created) + len(reply_rows)
    log(f"{total} comments ({scale['hot_comments']} on the hot article)")
    return total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for key, value in SCALE.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=value)
    args = parser.parse_args(argv)
    setup_django()
    scale = {key: getattr(args, key) for key in SCALE}
    manifest = seed(scale, out=lambda message: print(f"  seeded {message}", file=sys.stderr))
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
