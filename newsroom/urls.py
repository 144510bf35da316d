from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_safe
from django.views.generic import TemplateView

from articles import feeds
from articles.models import Article
from articles.sitemaps import SITEMAPS, NewsSitemap

admin.site.site_header = "Newsroom editors' desk"
admin.site.site_title = "Newsroom"
admin.site.index_title = "Desk"


@require_safe
@never_cache
def health(request):
    """Liveness for load balancers: the process answers; no database round trip."""
    return HttpResponse("ok", content_type="text/plain")


def news_sitemap(request):
    """The Google News sitemap: Django's sitemap view with the publication filled in."""
    response = sitemap_views.sitemap(
        request, {"news": NewsSitemap}, template_name="sitemaps/news.xml"
    )
    response.context_data.update(
        publication_name=settings.NEWSROOM_PUBLISHER_NAME,
        publication_language=settings.LANGUAGE_CODE.split("-")[0],
    )
    return response


def published_last_change(request, *args, **kwargs):
    return Article.objects.published().last_change()


# Feeds and sitemaps answer If-Modified-Since with 304 when nothing was published
# or edited since; a CDN or feed reader can then revalidate cheaply.
conditional = condition(last_modified_func=published_last_change)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path(
        "sitemap.xml",
        conditional(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("sitemap-news.xml", conditional(news_sitemap), name="news-sitemap"),
    path("feeds/latest/", conditional(feeds.LatestArticlesFeed()), name="feed"),
    path("feeds/latest/atom/", conditional(feeds.LatestArticlesAtomFeed()), name="feed-atom"),
    path("category/<slug:slug>/feed/", conditional(feeds.CategoryFeed()), name="category-feed"),
    path(
        "category/<slug:slug>/feed/atom/",
        conditional(feeds.CategoryAtomFeed()),
        name="category-feed-atom",
    ),
    path("", include("comments.urls")),
    path("", include("articles.urls")),
]

if settings.DEBUG:  # in production the web server or object storage serves media
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
