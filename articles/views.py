import hashlib

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import caching, counting, page_cache
from . import search as article_search
from .models import Article

HOME_LATEST = 10
HOME_PER_CATEGORY = 4


def _can_preview(request):
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # no session, no editor: skip loading the user
    user = request.user
    return user.is_authenticated and user.is_staff and user.has_perm("articles.change_article")


def _page_number(request):
    """The requested page as a small whole number; anything else is page 1."""
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 6 else 1


# Listings are the same for every reader and set no cookie: shared caches (a CDN)
# may keep them for as long as the server-side fragments live.
LISTING_CACHE = cache_control(public=True, max_age=60)


@LISTING_CACHE
@require_safe
def home(request):
    """The front page. Its lists are lazy: they run only when the cached
    fragment that shows them has to be rendered again."""

    def listing():
        return Article.objects.published().for_listing()

    return render(
        request,
        "articles/home.html",
        {
            "front": SimpleLazyObject(lambda: listing().front_page(latest=HOME_LATEST)),
            "sections": SimpleLazyObject(
                lambda: list(
                    Article.objects.published().latest_per_category(HOME_PER_CATEGORY).for_listing()
                )
            ),
        },
    )


@LISTING_CACHE
@require_safe
def category_detail(request, slug):
    category = caching.cached_category(slug, request)
    page_number = _page_number(request)

    def page():
        articles = Article.objects.published().for_listing().filter(category=category)
        return Paginator(articles, settings.NEWSROOM_ARTICLES_PER_PAGE).get_page(page_number)

    return render(
        request,
        "articles/category_detail.html",
        {
            "category": category,
            "page_number": page_number,
            "page_obj": SimpleLazyObject(page),
            "current_category_slug": category.slug,
        },
    )


@require_safe
def article_detail(request, slug):
    """An article page. Editors may preview drafts and scheduled articles at their
    real address; readers get a 404 for them."""
    if _can_preview(request):
        article = get_object_or_404(Article.objects.for_page(), slug=slug)
    else:
        article = caching.cached_article(slug, request)
    counting.record_view(request, article)  # also brings the view count up to date
    if article.is_published() and page_cache.applies(request):
        return page_cache.respond(
            request, article, lambda **extra: _article_context(article, **extra)
        )
    return render_article_page(request, article)


def _article_context(article, **extra):
    return {"article": article, "current_category_slug": article.category.slug, **extra}


def render_article_page(request, article, status=200, **extra_context):
    """The article page; the comment views use it to show a form's errors in place."""
    response = render(
        request,
        "articles/article_detail.html",
        _article_context(article, **extra_context),
        status=status,
    )
    if article.is_published():
        # Every request must reach the server to be counted; nothing may store
        # the page on the way, and the browser revalidates.
        patch_cache_control(response, private=True, no_cache=True)
    else:
        add_never_cache_headers(response)
    return response


@LISTING_CACHE
@require_safe
def search(request):
    """Search published articles. Any input is safe: it is cut to a sensible
    length and used only as data. A page of results is the same for every reader,
    so it is a cached fragment keyed by the query (hashed) and page: a popular
    search costs its query once per content version, not once per reader."""
    query = article_search.clean_query(request.GET.get("q"))
    page_number = _page_number(request)

    def page():
        results = article_search.search(
            Article.objects.published().select_related("category").defer("body"), query
        )
        found = Paginator(results, settings.NEWSROOM_ARTICLES_PER_PAGE).get_page(page_number)
        for article in found:
            article.headline_html = article_search.highlight(article.headline, query)
            article.standfirst_html = article_search.highlight(article.standfirst, query)
        return found

    return render(
        request,
        "articles/search.html",
        {
            "query": query,
            "query_key": hashlib.sha256(query.encode()).hexdigest()[:32],
            "page_number": page_number,
            "page_obj": SimpleLazyObject(page) if query else None,
        },
    )
