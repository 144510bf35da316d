"""
Search over published articles: headline, standfirst and body, best matches first.

On PostgreSQL it is full-text search (stemmed, weighted headline > standfirst >
body, ranked) over the vector each article stores on save, served by a GIN index;
elsewhere every word must appear somewhere,
and matches in the headline count most. The query is always data, never SQL.
"""

import re

from django.db import connection
from django.db.models import Case, ExpressionWrapper, F, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200  # longer input is cut, not refused
MAX_TERMS = 8
SEARCH_CONFIG = "english"


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_query(raw):
    """The query as words: control characters (NUL, which PostgreSQL refuses in
    text, among them) count as spaces."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", raw or "").split())[:MAX_QUERY_LENGTH]


def terms(query):
    words = re.findall(r"\w+", query)
    return [w for w in dict.fromkeys(w.lower() for w in words) if len(w) > 1][:MAX_TERMS]


def search_vector():
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("headline", weight="A", config=SEARCH_CONFIG)
        + SearchVector("standfirst", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
    )


def search(articles, query):
    """``articles`` matching ``query``, best first, each with a ``rank``."""
    if connection.vendor == "postgresql":
        return _postgres(articles, query)
    return _simple(articles, query)


def _postgres(articles, query):
    from django.contrib.postgres.search import SearchQuery, SearchRank

    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        articles.filter(search_document=search_query)
        .annotate(rank=SearchRank(F("search_document"), search_query))
        .order_by("-rank", "-published_at")
    )


def _simple(articles, query):
    words = terms(query)
    if not words:
        return articles.none()
    every_word = Q()
    score = Value(0)
    for word in words:
        in_headline = Q(headline__icontains=word)
        in_standfirst = Q(standfirst__icontains=word)
        every_word &= in_headline | in_standfirst | Q(body__icontains=word)
        score = (
            score
            + Case(When(in_headline, then=Value(3)), default=Value(0))
            + Case(When(in_standfirst, then=Value(2)), default=Value(0))
            + Value(1)
        )
    return (
        articles.filter(every_word)
        .annotate(rank=ExpressionWrapper(score, output_field=IntegerField()))
        .order_by("-rank", "-published_at")
    )


def highlight(text, query):
    """``text`` escaped, with the query's words marked: safe to show as HTML."""
    escaped = str(escape(text))
    words = terms(query)
    if not words:
        return mark_safe(escaped)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\w*", re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))
