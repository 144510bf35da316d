"""Sitemaps: an index of sections, each paginated by ``limit`` URLs.

``/sitemap.xml`` is the index; it lists every page of every section
(``/sitemap-<section>.xml?p=N``), so every published article is in one page
however many there are. ``/sitemap-news.xml`` is the Google News sitemap.
"""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from .conditional import articles_fingerprint, fingerprint
from .models import Article, ArticleContributor, Category, Contributor, Topic


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, name):
        return reverse(name)

    def etag(self):
        return fingerprint(*self.items())


class CategorySitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.7

    def items(self):
        return Category.objects.all()

    def etag(self):
        """The categories' addresses in order: a handful of rows, fetched in one query."""
        return fingerprint(*self.items().values_list("slug", flat=True))


class ContributorSitemap(CategorySitemap):
    """Author pages of contributors credited on a published story."""

    changefreq = "daily"
    priority = 0.5

    def items(self):
        credited = ArticleContributor.objects.filter(article__in=Article.objects.published())
        return Contributor.objects.filter(pk__in=credited.values("contributor_id")).order_by("slug")


class TopicSitemap(CategorySitemap):
    """Topic pages with a published story."""

    changefreq = "daily"
    priority = 0.5

    def items(self):
        return Topic.objects.filter(pk__in=Article.objects.published().values("topics")).order_by(
            "slug"
        )


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "substantive_update_at")
            .order_by("-published_at", "-pk")  # a total order, so pages neither overlap nor skip
        )

    def lastmod(self, article):
        return article.modified_at

    def get_latest_lastmod(self):
        """No date in the index: Django would read every article to find one, and
        no date moves when an article is unpublished. Crawlers revalidate each
        page with its ETag instead."""
        return None

    def etag(self):
        return articles_fingerprint(self.items())


class NewsSitemap(ArticleSitemap):
    """Google News: articles published in the last two days, sponsored ones
    excluded (Google News takes no paid content)."""

    limit = 1000

    def items(self):
        since = timezone.now() - timedelta(days=2)
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .exclude(kind=Article.Kind.SPONSORED)
            .only("slug", "headline", "published_at", "substantive_update_at")
            .order_by("-published_at", "-pk")
        )


SITEMAPS = {
    "home": HomeSitemap,
    "categories": CategorySitemap,
    "authors": ContributorSitemap,
    "topics": TopicSitemap,
    "articles": ArticleSitemap,
}


def sitemap_etag(request, sitemaps, section=None, **kwargs):
    """The ETag of a section (any page of it), or of the index when ``section`` is None.

    The index changes only when a section gains or loses a page, so the
    fingerprint of every section covers it. An unknown section has none: the
    view answers 404.
    """
    if section is None:
        return fingerprint(*(sitemap().etag() for sitemap in sitemaps.values()))
    if section not in sitemaps:
        return None
    return sitemaps[section]().etag()
