"""
Search over published articles: headline, standfirst and body, best matches first.

One reader's query language on both databases. ``parse()`` turns whatever was
typed into a ``ParsedQuery``, the way search engines read a search box:

- words must all match, in any word form (``schemes`` finds "scheme"; Porter
  stemming on SQLite, the English Snowball stemmer on PostgreSQL);
- ``"a phrase"`` matches those words next to each other (an unclosed quote runs
  to the end of the query); ``covid-19`` or ``it's`` is a phrase too;
- ``or`` between two terms matches either of them;
- ``-word`` or ``-"a phrase"`` leaves out the articles that match it;
- ``word*`` matches every word that starts with it.

English stop words (the, and, of...) are left out of the query, as PostgreSQL
does. Everything else (FTS5 or tsquery syntax: ``NEAR(``, ``^``, ``:``, ``&``,
brackets) is a word separator, so no input can raise: it is a clean query or no
query at all. A query with nothing left to look for finds nothing.

The parsed query is compiled twice, to the same meaning: an FTS5 query on
SQLite (``fts5_query``) and a tsquery on PostgreSQL (``tsquery``). Only
letters and digits reach either, and the compiled query is always a bound
parameter, never SQL.

Where the words are looked up:

- PostgreSQL: the weighted vector each article stores on save
  (``search_document``: headline A, standfirst B, body C), served by a GIN index
  and ranked by ``ts_rank``; snippets by ``ts_headline``.
- SQLite: the FTS5 table ``article_fts`` (``SQLITE_INDEX``), an external-content
  index over the article table's headline, standfirst and ``body_text`` that SQL
  triggers keep in step, ranked by ``bm25()`` with the same column weights;
  snippets by ``snippet()`` and ``highlight()``.

Triggers rather than signals: every write reaches the index, ``save()``,
``QuerySet.update()``, deletes by cascade, fixtures and raw SQL alike, in the
same transaction as the change. A table rebuild by a later migration drops a
table's triggers on SQLite, so ``ensure_sqlite_index()`` runs after every
``migrate`` and puts back whatever is missing (then rebuilds the index).
"""

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

from django.db import connection
from django.db.models import F, FloatField, Func, Lookup, TextField, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200  # longer input is cut, not refused
MAX_TERMS = 8  # words or phrases; the rest of a long query is ignored
MAX_PHRASE_WORDS = 8
SEARCH_CONFIG = "english"
# How much a match in each field counts: PostgreSQL's default weights for the
# A, B and C parts of the vector, and the same for FTS5's bm25() columns.
HEADLINE_WEIGHT, STANDFIRST_WEIGHT, BODY_WEIGHT = 1.0, 0.4, 0.2
SNIPPET_WORDS = 24

# Marks around matched words in what the database returns. Control characters
# never reach the index (``plain_text`` and ``clean_query`` make them spaces), so
# they cannot come from an article; they become <mark> only after escaping.
MARK_START, MARK_END = "\x02", "\x03"

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
WORD = re.compile(r"[^\W_]+")  # letters and digits: what both tokenizers keep
TOKEN = re.compile(r'(?P<exclude>-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')

# PostgreSQL's English stop words (tsearch_data/english.stop, from Snowball).
STOP_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    ]
)


def clean_query(raw):
    """The query as typed, tidied: control characters (NUL, which PostgreSQL
    refuses in text, among them) count as spaces; cut to a sensible length."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", raw or "").split())[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class Term:
    """A word, or a phrase of words that must follow each other; with
    ``prefix``, its last word matches every word that starts with it."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """Every group must match (a group matches when any of its terms does), and
    no excluded term may."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    def __bool__(self):
        return bool(self.groups)


def _term(text, prefix_allowed):
    words = tuple(w.lower() for w in WORD.findall(text))[:MAX_PHRASE_WORDS]
    prefix = prefix_allowed and bool(words) and text.rstrip().endswith("*")
    if not prefix and all(w in STOP_WORDS for w in words):
        return None  # nothing to look for (PostgreSQL drops these words too)
    return Term(words, prefix)


def parse(query):
    """``query`` (as typed) as a ``ParsedQuery``; never raises."""
    groups, excluded = [], []
    pending_or = False
    terms = 0
    for match in TOKEN.finditer(clean_query(query)):
        if terms >= MAX_TERMS:
            break
        exclude, phrase, word = match["exclude"], match["phrase"], match["word"]
        if phrase is None and not exclude and word.lower() == "or":
            pending_or = bool(groups)
            continue
        term = _term(phrase if phrase is not None else word, prefix_allowed=phrase is None)
        if term is None:
            continue
        terms += 1
        if exclude:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(excluded))


def fts5_query(parsed):
    """The query in FTS5's syntax: every word a quoted string."""

    def term(t):
        return '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")

    def any_of(terms):
        return "(" + " OR ".join(term(t) for t in terms) + ")"

    text = " AND ".join(any_of(group) for group in parsed.groups)
    if parsed.excluded:
        text = f"({text}) NOT {any_of(parsed.excluded)}"
    return text


def tsquery(parsed):
    """The query in PostgreSQL's ``to_tsquery`` syntax: every word a quoted lexeme."""

    def term(t):
        lexemes = [f"'{w}'" for w in t.words]
        if t.prefix:
            lexemes[-1] += ":*"
        return "(" + " <-> ".join(lexemes) + ")"

    def any_of(terms):
        return "(" + " | ".join(term(t) for t in terms) + ")"

    text = " & ".join(any_of(group) for group in parsed.groups)
    if parsed.excluded:
        text += " & !" + any_of(parsed.excluded)
    return text


# --- The index -----------------------------------------------------------------


class _TextCollector(HTMLParser):
    BLOCKS = {"p", "h2", "h3", "h4", "li", "ul", "ol", "blockquote", "br", "hr", "div"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append(" ")

    handle_endtag = handle_startendtag = lambda self, tag, *attrs: self.handle_starttag(tag, ())

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html):
    """The body's words as plain text, for the index and the snippets: tags out
    (blocks end words, inline tags do not), entities decoded, control
    characters and runs of white space made single spaces."""
    collector = _TextCollector()
    collector.feed(html or "")
    collector.close()
    return " ".join(CONTROL_CHARACTERS.sub(" ", unescape("".join(collector.parts))).split())


FTS_TABLE = "article_fts"
FTS_COLUMNS = "id, headline, standfirst, body_text"
_NEW = "new.id, new.id, new.headline, new.standfirst, new.body_text"
_OLD = "'delete', old.id, old.id, old.headline, old.standfirst, old.body_text"
SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_insert": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON articles_article BEGIN
          INSERT INTO {FTS_TABLE}(rowid, {FTS_COLUMNS}) VALUES ({_NEW});
        END""",
    f"{FTS_TABLE}_delete": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON articles_article BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {FTS_COLUMNS}) VALUES ({_OLD});
        END""",
    f"{FTS_TABLE}_update": f"""
        CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update
        AFTER UPDATE OF headline, standfirst, body_text ON articles_article BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {FTS_COLUMNS}) VALUES ({_OLD});
          INSERT INTO {FTS_TABLE}(rowid, {FTS_COLUMNS}) VALUES ({_NEW});
        END""",
}
# Articles are joined on ``id``, an unindexed copy of the rowid: FTS5 cannot
# look a row up by it, so SQLite's planner always runs the MATCH once and looks
# up its articles by primary key. Joined on the rowid, a join with categories
# made it probe the index once per published article instead (4 s rather than
# 30 ms for a two-word query over 5,000 articles).
# No diacritics folding: PostgreSQL's english configuration keeps them too.
SQLITE_INDEX = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        id UNINDEXED, headline, standfirst, body_text,
        content='articles_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 0')""",
    *SQLITE_TRIGGERS.values(),
]


def ensure_sqlite_index(using_connection=None):
    """Create SQLite's index and its triggers where they are missing, and
    rebuild the index from the articles when anything was. Returns whether it
    had to. A no-op on other databases."""
    conn = using_connection or connection
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM pragma_table_info('articles_article')")
        if "body_text" not in {row[0] for row in cursor.fetchall()}:
            return False  # migrated back before the index existed
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if {FTS_TABLE, *SQLITE_TRIGGERS} <= present:
            return False
        for statement in SQLITE_INDEX:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return True


def drop_sqlite_index(using_connection=None):
    conn = using_connection or connection
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        for trigger in SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class FullTextField(TextField):
    """The FTS5 table's hidden column of its own name: ``MATCH`` goes against it,
    and ranking and snippet functions take it as their first argument."""


@FullTextField.register_lookup
class FullTextMatch(Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


# --- Searching -------------------------------------------------------------------


def search_vector():
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("headline", weight="A", config=SEARCH_CONFIG)
        + SearchVector("standfirst", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="C", config=SEARCH_CONFIG)
    )


def search(articles, query):
    """``articles`` matching ``query`` (as typed), best first, each with a ``rank``."""
    parsed = parse(query)
    if not parsed:
        return articles.none()
    if connection.vendor == "postgresql":
        return _postgres(articles, parsed)
    return _sqlite(articles, parsed)


def _postgres_query(parsed):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(tsquery(parsed), search_type="raw", config=SEARCH_CONFIG)


def _postgres(articles, parsed):
    from django.contrib.postgres.search import SearchRank

    # Ranked by what it matched: an excluded term would count against nothing.
    wanted = _postgres_query(ParsedQuery(parsed.groups))
    return (
        articles.filter(search_document=_postgres_query(parsed))
        .annotate(
            rank=SearchRank(
                F("search_document"),
                wanted,
                weights=[0.0, BODY_WEIGHT, STANDFIRST_WEIGHT, HEADLINE_WEIGHT],
            )
        )
        .order_by("-rank", "-published_at", "-pk")
    )


INDEX = F("search_entry__document")


def _sqlite(articles, parsed):
    # bm25() is better when lower; negated, rank sorts as PostgreSQL's does.
    rank = Func(
        INDEX,
        Value(0.0),  # id
        Value(HEADLINE_WEIGHT),
        Value(STANDFIRST_WEIGHT),
        Value(BODY_WEIGHT),
        function="bm25",
        template="(-%(function)s(%(expressions)s))",
        output_field=FloatField(),
    )
    return (
        articles.filter(search_entry__document__match=fts5_query(parsed))
        .annotate(rank=rank)
        .order_by("-rank", "-published_at", "-pk")
    )


def with_highlights(results, query):
    """``results`` (from ``search()``) with the marked-up fields a results page
    shows: ``headline_marked``, ``standfirst_marked`` and ``body_snippet``, the
    matched words between ``MARK_START`` and ``MARK_END``. Apply to the page of
    results only: the database marks up every row it returns."""
    parsed = parse(query)
    if not parsed:
        return results
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchHeadline

        search_query = _postgres_query(parsed)
        marks = {"start_sel": MARK_START, "stop_sel": MARK_END}

        def whole(field):
            return SearchHeadline(
                field, search_query, config=SEARCH_CONFIG, highlight_all=True, **marks
            )

        body = SearchHeadline(
            "body_text",
            search_query,
            config=SEARCH_CONFIG,
            max_words=SNIPPET_WORDS,
            min_words=SNIPPET_WORDS // 2,
            max_fragments=1,
            **marks,
        )
    else:

        def whole(field):
            column = FTS_COLUMNS.split(", ").index(field)
            return Func(
                INDEX,
                Value(column),
                Value(MARK_START),
                Value(MARK_END),
                function="highlight",
                output_field=TextField(),
            )

        body = Func(
            INDEX,
            Value(FTS_COLUMNS.split(", ").index("body_text")),
            Value(MARK_START),
            Value(MARK_END),
            Value("…"),
            Value(SNIPPET_WORDS),
            function="snippet",
            output_field=TextField(),
        )
    return results.annotate(
        headline_marked=whole("headline"),
        standfirst_marked=whole("standfirst"),
        body_snippet=body,
    )


def marked(text):
    """``text`` from ``with_highlights`` as safe HTML: escaped, then its marks
    made <mark> elements."""
    escaped = str(escape(text or ""))
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def has_marks(text):
    return MARK_START in (text or "")
