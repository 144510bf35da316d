"""Most read (from hourly tallies) and related articles."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.counting import hour_of
from articles.models import Article, ViewTally
from tests.conftest import READER_UA, days_ahead

pytestmark = pytest.mark.django_db


def tally(article, hours_ago, views):
    hour = hour_of(timezone.now() - timedelta(hours=hours_ago))
    ViewTally.objects.create(article=article, hour=hour, views=views)


class TestMostRead:
    def test_ranks_by_views_in_the_period_not_all_time(self, make_article):
        evergreen = make_article(headline="Evergreen")
        Article.objects.filter(pk=evergreen.pk).update(view_count=1_000_000)
        hot = make_article(headline="Hot today")
        tally(evergreen, hours_ago=1, views=5)
        tally(hot, hours_ago=1, views=50)
        assert [a.headline for a in Article.objects.published().most_read(hours=24)] == [
            "Hot today",
            "Evergreen",
        ]

    def test_the_day_and_the_week_differ(self, make_article):
        today, last_week = make_article(headline="Today"), make_article(headline="Monday")
        tally(today, hours_ago=2, views=10)
        tally(last_week, hours_ago=100, views=90)
        day = [a.headline for a in Article.objects.published().most_read(hours=24)]
        week = [a.headline for a in Article.objects.published().most_read(hours=168)]
        assert day == ["Today"] and week == ["Monday", "Today"]
        assert Article.objects.published().most_read(hours=168)[0].recent_views == 90

    def test_sums_the_hours_of_the_period(self, make_article):
        article = make_article()
        for hours_ago in (1, 5, 20, 30):
            tally(article, hours_ago=hours_ago, views=10)
        assert Article.objects.published().most_read(hours=24)[0].recent_views == 30

    def test_unpublished_articles_never_appear(self, make_article):
        for overrides in ({"status": "draft"}, {"published_at": days_ahead(1)}):
            tally(make_article(**overrides), hours_ago=1, views=100)
        assert not Article.objects.published().most_read(hours=24)

    def test_shown_on_the_home_page_and_beside_articles(self, client, make_article):
        hot = make_article(headline="Everyone is reading this")
        tally(hot, hours_ago=1, views=40)
        tally(make_article(headline="Read earlier this week"), hours_ago=72, views=80)
        home = client.get("/").content.decode()
        assert "Most read" in home and "Last 24 hours" in home and "Last 7 days" in home
        other = make_article()
        page = client.get(other.get_absolute_url()).content.decode()
        aside = page[page.index('class="article-aside"') :]
        assert "Everyone is reading this" in aside

    def test_real_visits_feed_the_list(self, client, make_article):
        article = make_article(headline="Read by three")
        make_article(headline="Read by nobody")
        for n in range(3):
            client.get(article.get_absolute_url(), HTTP_USER_AGENT=f"{READER_UA} {n}")
        most = Article.objects.published().most_read(hours=24)
        assert [(a.headline, a.recent_views) for a in most] == [("Read by three", 3)]


class TestRelated:
    def test_same_category_newest_first_without_itself(self, make_article, make_category):
        sports = make_category()
        article = make_article(category=sports, headline="This one")
        older = make_article(
            category=sports, headline="Older", published_at=timezone.now() - timedelta(days=3)
        )
        newer = make_article(
            category=sports, headline="Newer", published_at=timezone.now() - timedelta(hours=1)
        )
        make_article(headline="Elsewhere")
        make_article(category=sports, headline="Draft", status="draft")
        related = list(Article.objects.published().related_to(article))
        assert related == [newer, older]

    def test_shown_under_the_article(self, client, make_article):
        article = make_article()
        make_article(category=article.category, headline="A sibling story")
        page = client.get(article.get_absolute_url()).content.decode()
        assert f"More in {article.category.name}" in page and "A sibling story" in page


class TestMostReadOnThePage:
    def test_the_week_is_shown_only_when_it_differs_from_the_day(self, client, make_article):
        first, second = make_article(headline="First"), make_article(headline="Second")
        tally(first, hours_ago=1, views=9)
        tally(second, hours_ago=1, views=3)
        page = client.get("/").content.decode()
        assert "Last 24 hours" in page and "Last 7 days" not in page

    def test_the_week_is_shown_when_its_order_differs(self, client, make_article):
        first, second = make_article(headline="First"), make_article(headline="Second")
        tally(first, hours_ago=1, views=9)
        tally(second, hours_ago=1, views=3)
        tally(second, hours_ago=72, views=50)
        page = client.get("/").content.decode()
        assert "Last 24 hours" in page and "Last 7 days" in page
