"""Numbers editors look at: the article's views per hour and the dashboard."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import charts
from articles.counting import hour_of
from articles.models import ViewTally
from tests.conftest import days_ahead

pytestmark = pytest.mark.django_db


def tally(article, hours_ago, views):
    return ViewTally.objects.create(
        article=article, hour=hour_of(timezone.now() - timedelta(hours=hours_ago)), views=views
    )


class TestViewsPerHour:
    def test_chart_values_come_from_the_last_seven_days_of_tallies(self, make_article):
        article, other = make_article(), make_article()
        tally(article, 2, 5)
        tally(article, 72, 7)
        tally(article, 24 * 8, 100)  # older than the chart
        tally(other, 2, 50)
        chart = charts.hourly_views(article)
        assert chart["total"] == 12
        assert sorted(bar["views"] for bar in chart["bars"]) == [5, 7]
        assert chart["peak"]["views"] == 7
        assert sum(views for _, views in chart["days"]) == 12
        tallest = max(chart["bars"], key=lambda bar: bar["views"])
        assert tallest["height"] == charts.CHART_HEIGHT and tallest["y"] == 0

    def test_an_article_nobody_read_has_an_empty_chart(self, make_article):
        chart = charts.hourly_views(make_article())
        assert chart["total"] == 0 and chart["bars"] == [] and chart["peak"] is None

    def test_the_change_page_shows_the_chart_with_its_numbers(self, client, editor, make_article):
        article = make_article()
        tally(article, 1, 30)
        tally(article, 30, 12)
        client.force_login(editor)
        page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
        html = page.content.decode()
        assert "Views per hour, last 7 days" in html
        assert "<strong>42</strong> views in 7 days" in html
        assert html.count('class="views-chart-bar"') == 2
        assert 'aria-labelledby="views-chart-title views-chart-desc"' in html
        assert '<th scope="row">Total</th><td>42</td>' in html


class TestDashboard:
    def test_shows_what_awaits_review_what_goes_out_next_and_what_is_read(
        self, client, editor, make_reporter, make_article, make_comment
    ):
        reporter = make_reporter()
        make_article(
            headline="Please check me", status="draft", workflow_state="in_review", author=reporter
        )
        make_article(headline="Out on Friday", published_at=days_ahead(2))
        read = make_article(headline="Everyone reads this")
        tally(read, 1, 9)
        tally(read, 3, 4)
        make_comment(status="pending")
        client.force_login(editor)
        page = client.get(reverse("admin:index")).content.decode()
        assert "Awaiting your review" in page and "Please check me" in page
        assert "Scheduled next" in page and "Out on Friday" in page
        assert "Most read today" in page and "Everyone reads this" in page
        assert "13 views" in page
        assert '<svg class="sparkline" role="img"' in page
        assert "1 comment waiting for review" in page

    @pytest.mark.parametrize("count", [2, 6])
    def test_dashboard_queries_do_not_grow_with_the_stories(
        self, client, editor, make_article, django_assert_num_queries, count
    ):
        for n in range(count):
            make_article(status="draft", workflow_state="in_review")
            make_article(published_at=days_ahead(n + 1))
            tally(make_article(), n + 1, n + 1)
        client.force_login(editor)
        # 13: 11, and the credits of the two lists that show bylines (awaiting
        # review, scheduled next), one query each however many stories.
        with django_assert_num_queries(13):
            page = client.get(reverse("admin:index"))
        assert page.content.decode().count('class="sparkline"') == min(count, 5)

    def test_a_reporter_sees_no_review_panel(self, client, make_reporter):
        client.force_login(make_reporter())
        page = client.get(reverse("admin:index")).content.decode()
        assert "Awaiting your review" not in page and "Scheduled next" in page


class TestEditLinkOnThePublicPage:
    """The article page is cached and shared: the link is drawn by a script
    from a flag cookie, never written into the markup."""

    def test_cached_page_for_readers_carries_no_edit_link(self, client, make_article):
        article = make_article()
        first = client.get(article.get_absolute_url()).content.decode()
        again = client.get(article.get_absolute_url())
        for html in (first, again.content.decode()):
            assert "Edit this article" not in html
            assert f'data-desk-edit="/articles/{article.slug}/edit/" hidden' in html
            assert "js/desk-link." in html
        assert "newsroom_desk" not in again.cookies

    def test_an_editors_page_holds_the_same_markup(self, client, editor, make_article):
        article = make_article()
        client.force_login(editor)
        html = client.get(article.get_absolute_url()).content.decode()
        assert "Edit this article" not in html

    def test_the_admin_sets_the_flag_and_signing_out_removes_it(self, client, editor):
        client.force_login(editor)
        response = client.get(reverse("admin:index"))
        flag = response.cookies["newsroom_desk"]
        assert flag.value == "1" and not flag["httponly"]
        response = client.post(reverse("admin:logout"))
        assert response.cookies["newsroom_desk"]["max-age"] == 0

    def test_the_link_leads_an_editor_to_the_form_and_a_reader_to_sign_in(
        self, client, editor, make_article
    ):
        article = make_article()
        url = reverse("articles:edit", args=[article.slug])
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        client.force_login(editor)
        response = client.get(url)
        assert response["Location"] == reverse("admin:articles_article_change", args=[article.pk])
