"""Readership figures for the desk, from the hourly tallies view counting
keeps (``ViewTally``), drawn as server-rendered SVG by the templates in
``templates/admin/articles/``: no script, no outside service.

Each figure is one query, whatever the number of hours or articles shown.
"""

from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from .counting import hour_of
from .models import Article, ViewTally

CHART_HEIGHT = 100  # the tallest bar, in SVG units
BAR_STEP = 4  # one hour's width, gap included
SPARK_WIDTH, SPARK_HEIGHT = 96, 20


def _hours(now, count):
    last = hour_of(now)
    return [last - timedelta(hours=count - 1 - i) for i in range(count)]


def hourly_views(article, now=None, days=7):
    """The article's views per hour over the last ``days`` days, oldest hour
    first, with the bars' geometry, the total, the busiest hour and the
    views per day (the chart's table)."""
    now = now or timezone.now()
    hours = _hours(now, days * 24)
    counted = dict(
        ViewTally.objects.filter(article=article, hour__gte=hours[0]).values_list("hour", "views")
    )
    values = [counted.get(hour, 0) for hour in hours]
    peak = max(values)
    bars = [
        {
            "hour": timezone.localtime(hour),
            "views": views,
            "x": i * BAR_STEP,
            "height": round(views / peak * CHART_HEIGHT, 1) if peak else 0,
        }
        for i, (hour, views) in enumerate(zip(hours, values, strict=True))
    ]
    per_day = defaultdict(int)
    for bar in bars:
        per_day[bar["hour"].date()] += bar["views"]
    busiest = max(bars, key=lambda bar: bar["views"])
    for bar in bars:
        bar["y"] = CHART_HEIGHT - bar["height"]
    return {
        "bars": [bar for bar in bars if bar["views"]],
        "total": sum(values),
        "peak": busiest if peak else None,
        "days": sorted(per_day.items()),
        "width": len(hours) * BAR_STEP,
        "height": CHART_HEIGHT,
        "day_marks": [
            {"x": bar["x"], "label": bar["hour"]} for bar in bars if bar["hour"].hour == 0
        ],
    }


def sparkline_points(values):
    """An SVG polyline's points for ``values`` across the sparkline's box."""
    peak = max(values) or 1
    step = SPARK_WIDTH / max(len(values) - 1, 1)
    return " ".join(
        f"{round(i * step, 1)},{round(SPARK_HEIGHT - value / peak * (SPARK_HEIGHT - 2) - 1, 1)}"
        for i, value in enumerate(values)
    )


def most_read_today(now=None, limit=5):
    """Today's most read (the last 24 hours), each with its views per hour for
    a sparkline: two queries."""
    now = now or timezone.now()
    articles = list(Article.objects.published().most_read(hours=24, limit=limit))
    hours = _hours(now, 24)
    counted = defaultdict(dict)
    tallies = ViewTally.objects.filter(article__in=[a.pk for a in articles], hour__gte=hours[0])
    for article_id, hour, views in tallies.values_list("article_id", "hour", "views"):
        counted[article_id][hour] = views
    for article in articles:
        values = [counted[article.pk].get(hour, 0) for hour in hours]
        article.hourly = values
        article.sparkline = sparkline_points(values)
        article.peak_views = max(values)
    return articles
