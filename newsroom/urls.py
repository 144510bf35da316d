from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.generic import TemplateView

from articles import feeds
from articles.conditional import etag
from articles.site_url import at_site_url
from articles.sitemaps import SITEMAPS as ARTICLE_SITEMAPS
from articles.sitemaps import NewsSitemap, sitemap_etag
from pages import views as pages
from pages.sitemaps import PageSitemap

from . import health, site_files

SITEMAPS = {**ARTICLE_SITEMAPS, "pages": PageSitemap}


def news_sitemap(request, sitemaps, section):
    """The Google News sitemap: Django's sitemap view with the publication filled in."""
    response = sitemap_views.sitemap(request, sitemaps, section, template_name="sitemaps/news.xml")
    response.context_data.update(
        publication_name=settings.NEWSROOM_PUBLISHER_NAME,
        publication_language=settings.LANGUAGE_CODE.split("-")[0],
    )
    return response


def revalidated(feed):
    """The feed as a view that answers If-None-Match from its own ETag, its links
    at the site's address."""
    return etag(feed.etag)(at_site_url(feed))


# Feeds and sitemaps answer If-None-Match with 304 while the articles they are
# built from are unchanged (see articles/conditional.py); feed readers, crawlers
# and a CDN revalidate for the price of one query.
urlpatterns = [
    # Readers' pages first: they are most of the traffic, and resolving tries the
    # patterns in order.
    path("", include("articles.urls")),
    path("", include("comments.urls")),
    path("", include("live.urls")),
    path("admin/", admin.site.urls),
    path("health/", health.ready, name="health"),
    path("health/live/", health.live, name="health-live"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("favicon.ico", site_files.favicon, name="favicon"),
    path("manifest.webmanifest", site_files.web_manifest, name="web-manifest"),
    path(
        "sitemap.xml",
        etag(sitemap_etag)(at_site_url(sitemap_views.index)),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-news.xml",
        etag(sitemap_etag)(at_site_url(news_sitemap)),
        {"sitemaps": {"news": NewsSitemap}, "section": "news"},
        name="news-sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        etag(sitemap_etag)(at_site_url(sitemap_views.sitemap)),
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/section.xml"},
        name="sitemap-section",
    ),
    path("feeds/latest/", revalidated(feeds.LatestArticlesFeed()), name="feed"),
    path("feeds/latest/atom/", revalidated(feeds.LatestArticlesAtomFeed()), name="feed-atom"),
    path("corrections/feed/", revalidated(feeds.CorrectionsFeed()), name="corrections-feed"),
    path(
        "corrections/feed/atom/",
        revalidated(feeds.CorrectionsAtomFeed()),
        name="corrections-feed-atom",
    ),
    path("authors/<slug:slug>/feed/", revalidated(feeds.AuthorFeed()), name="author-feed"),
    path(
        "authors/<slug:slug>/feed/atom/",
        revalidated(feeds.AuthorAtomFeed()),
        name="author-feed-atom",
    ),
    path("topics/<slug:slug>/feed/", revalidated(feeds.TopicFeed()), name="topic-feed"),
    path(
        "topics/<slug:slug>/feed/atom/", revalidated(feeds.TopicAtomFeed()), name="topic-feed-atom"
    ),
    path("category/<slug:slug>/feed/", revalidated(feeds.CategoryFeed()), name="category-feed"),
    path(
        "category/<slug:slug>/feed/atom/",
        revalidated(feeds.CategoryAtomFeed()),
        name="category-feed-atom",
    ),
]

# Last: a standing page's address is one word at the root (/about/), so every
# other address is tried first.
urlpatterns.append(path("<slug:slug>/", pages.page, name="page"))

if settings.DEBUG:  # in production the web server or object storage serves media
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
