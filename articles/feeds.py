from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .conditional import articles_fingerprint
from .models import Article, Category

FEED_LENGTH = 30


def newest(articles):
    """The first ``FEED_LENGTH`` articles with what an item shows, in one query."""
    return articles.select_related("category", "author").defer("body")[:FEED_LENGTH]


class LatestArticlesFeed(Feed):
    """The newest published articles (RSS 2.0)."""

    description = "The latest articles."

    def title(self):
        return f"{settings.SITE_NAME}: latest"

    def link(self):
        return reverse("articles:home")

    def articles(self):
        """The published articles this feed is made from and validated against."""
        return Article.objects.published()

    def items(self):
        return newest(self.articles())

    def etag(self, request, **url_kwargs):
        """The feed's ETag: a fingerprint of its own set of articles, in one query."""
        return articles_fingerprint(self.articles(**url_kwargs))

    def item_title(self, article):
        return article.headline

    def item_description(self, article):
        return article.standfirst

    def item_author_name(self, article):
        return article.byline_name or None

    def item_categories(self, article):
        return [article.category.name]

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class CategoryFeed(LatestArticlesFeed):
    """One category's newest published articles (RSS 2.0)."""

    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, category):
        return f"{settings.SITE_NAME}: {category.name}"

    def link(self, category):
        return category.get_absolute_url()

    def description(self, category):
        return category.description or f"The latest {category.name} articles."

    def articles(self, slug):
        return Article.objects.published().filter(category__slug=slug)

    def items(self, category):
        return newest(self.articles(category.slug))


class CategoryAtomFeed(CategoryFeed):
    feed_type = Atom1Feed

    def subtitle(self, category):
        return self.description(category)
