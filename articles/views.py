import hashlib
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import caching, counting, page_cache, social_cards
from . import search as article_search
from .models import Article, ArticleNote, ArticleQuerySet, Contributor, Pin, PreviewLink, Topic

HOME_LATEST = 10
HOME_PER_CATEGORY = 4


def _can_preview(request):
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # no session, no editor: skip loading the user
    user = request.user
    return user.is_authenticated and user.is_staff and user.has_perm("articles.change_article")


PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def requested_page(raw):
    """The page number a query string names, or None: not ASCII digits, zero,
    negative or absurdly long names no page."""
    return int(raw) if raw and PAGE_NUMBER.fullmatch(raw) else None


def page_number(raw, pages):
    """A requested page of something inside a page (a comment thread) as one of
    the pages that exist (1 to ``pages``): anything else is the nearest one, so
    the page around it still shows, and no cache entry is made for a page that
    is not there."""
    return min(requested_page(raw) or 1, max(1, pages))


def list_page_number(raw, pages):
    """The page of a list (a category, search results) a request asks for: 1
    when it asks for none. Anything that is not a page that exists is a 404, so
    search engines see no copy of another page under a made-up address, and
    no cache entry is made for it."""
    if not raw:
        return 1
    number = requested_page(raw)
    if number is None or number > max(1, pages):
        raise Http404("No such page.")
    return number


def page_query(number, **params):
    """The query string of page ``number`` of a list: the canonical address of
    page 1 has no ``page``."""
    if number > 1:
        params["page"] = number
    return urlencode(params)


@require_safe
def home(request):
    """The front page. Its lists are lazy: they run only when the cached
    fragment that shows them has to be rendered again."""

    front = SimpleLazyObject(
        lambda: Article.objects.published().for_listing().front_page(latest=HOME_LATEST)
    )

    def sections():
        """The sections leave out the stories shown above them: no story twice."""
        lead, latest = front
        shown = [article.pk for article in (lead, *latest) if article is not None]
        return list(
            Article.objects.published()
            .latest_per_category(HOME_PER_CATEGORY, excluding=shown)
            .for_listing()
        )

    response = page_cache.listing(
        request,
        "home",
        [],
        lambda: render(
            request,
            "articles/home.html",
            {"front": front, "sections": SimpleLazyObject(sections)},
        ),
    )
    return caching.share_briefly(request, response)


def _pages(count):
    return max(1, -(-count // settings.NEWSROOM_ARTICLES_PER_PAGE))


def cached_list_page(request, name, vary_on, items):
    """The requested page of a list (``items()``, built only on a miss): its
    count is kept under the site version, so a page costs one query per
    version; the page itself is lazy, for the cached fragment that shows it.
    Returns the page number and the page."""
    count = caching.cached(
        caching.fragment_key(f"{name}-count", vary_on, request),
        lambda: items().count(),
        request,
    )
    number = list_page_number(request.GET.get("page"), _pages(count))

    def page():
        paginator = Paginator(items(), settings.NEWSROOM_ARTICLES_PER_PAGE)
        paginator.__dict__["count"] = count  # counted already, under the same version
        return paginator.page(number)

    return number, SimpleLazyObject(page)


def listing_page(request, template, name, subject, articles, **context):
    """A paginated list of ``subject``'s published articles (a category, an
    author, a topic) as cards, shared by every reader."""
    number, page = cached_list_page(request, name, [subject.pk], articles)
    if number != 1 and "pinned" in context:
        context["pinned"] = []  # pinned stories head page 1 only
    response = page_cache.listing(
        request,
        name,
        [subject.pk, number],
        lambda: render(
            request,
            template,
            {
                name: subject,
                "page_number": number,
                "canonical_query": page_query(number),
                "page_obj": page,
                **context,
            },
        ),
    )
    return caching.share_briefly(request, response)


@require_safe
def category_detail(request, slug):
    category = caching.cached_category(slug, request)

    def articles():  # built only on a miss: even building a queryset costs
        # The pinned stories head page 1; the list below them leaves them out.
        pinned = Pin.objects.live().filter(category=category).values("article_id")
        return (
            Article.objects.published()
            .for_listing()
            .filter(category=category)
            .exclude(pk__in=pinned)
        )

    pinned = SimpleLazyObject(
        lambda: list(Article.objects.published().for_listing().pinned(category))
    )
    return listing_page(
        request,
        "articles/category_detail.html",
        "category",
        category,
        articles,
        pinned=pinned,
        current_category_slug=category.slug,
    )


def subject_page(request, model, slug, template, name, articles):
    """The page of a contributor or a topic: ``articles(slug)`` (a published
    queryset method) is built only on a cache miss."""
    subject = caching.cached_by_slug(model, slug, request)
    return listing_page(
        request,
        template,
        name,
        subject,
        lambda: articles(Article.objects.published().for_listing(), subject.slug),
    )


@require_safe
def author_detail(request, slug):
    """A contributor's page: who they are, and their published stories."""
    return subject_page(
        request,
        Contributor,
        slug,
        "articles/author_detail.html",
        "contributor",
        ArticleQuerySet.credited_to,
    )


@require_safe
def topic_detail(request, slug):
    return subject_page(
        request, Topic, slug, "articles/topic_detail.html", "topic", ArticleQuerySet.tagged
    )


@require_safe
def corrections(request):
    """Every public correction and clarification, newest first, each linking to
    its article. Kept under the site version, which a note's save moves."""
    number, page = cached_list_page(
        request, "corrections", [], lambda: ArticleNote.objects.corrections()
    )
    response = render(
        request,
        "articles/corrections.html",
        {
            "page_number": number,
            "canonical_query": page_query(number),
            "page_obj": page,
        },
    )
    return caching.share_briefly(request, response)


@require_safe
def article_detail(request, slug):
    """An article page. Editors may preview drafts and scheduled articles at their
    real address; readers get a 404 for them."""
    if _can_preview(request):
        article = get_object_or_404(Article.objects.for_page(), slug=slug)
    else:
        try:
            article = caching.cached_article(slug, request)
        except Http404:
            return taken_down_or_404(request, slug)
    shared = page_cache.applies(request)
    if not (settings.NEWSROOM_CDN and shared):
        # Behind a shared cache the page's own request counts the visit (viewed).
        counting.record_view(request, article)  # also brings the view count up to date
    if article.is_published() and shared:
        return page_cache.respond(
            request,
            article,
            lambda **extra: _article_context(article, **extra),
        )
    return render_article_page(request, article)


def taken_down_or_404(request, slug):
    """410 Gone with the public notice for a story that was taken down; a
    plain 404 for anything else readers cannot see."""
    gone = Article.objects.taken_down().filter(slug=slug).only("headline", "takedown_notice")
    article = gone.first()
    if article is None:
        raise Http404("No such article.")
    response = render(request, "articles/gone.html", {"article": article}, status=410)
    response["X-Robots-Tag"] = "noindex"
    return caching.share_briefly(request, response)


@never_cache
@require_safe
def preview(request, token):
    """A draft shown through a signed, revocable, expiring preview link: to
    anyone holding the link, never cached, never counted, never indexed, with
    no comment form. Once the story is published the link leads to it."""
    nonce = PreviewLink.nonce_from(token)
    link = PreviewLink.objects.filter(nonce=nonce).first() if nonce else None
    if link is None:
        raise Http404("No such preview link.")
    article = get_object_or_404(Article.objects.for_page(), pk=link.article_id)
    if article.is_published():
        return redirect(article)
    if not link.is_usable() or article.is_taken_down:
        response = render(request, "articles/preview_gone.html", {"link": link}, status=410)
    else:
        response = render_article_page(request, article, preview_link=link)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@staff_member_required
def edit_article(request, slug):
    """Where the article page's "Edit this article" leads: the desk's form for
    it, for someone signed in to the desk; the sign-in page for anyone else."""
    article = get_object_or_404(Article.objects.only("pk"), slug=slug)
    return redirect("admin:articles_article_change", article.pk)


@never_cache
@require_safe
def viewed(request, slug):
    """Count a visit to a page served from a shared cache, and show the count.

    The page asks for it with htmx when it loads (the answer replaces "N views"),
    or as an image inside <noscript>. The counting rule is the page's own.
    """
    article = caching.cached_article(slug, request, counted=False)  # it shows no comment count
    counting.record_beacon(request, article)
    if request.htmx:
        return HttpResponse(page_cache.views_label(article.view_count))
    return HttpResponse(PIXEL, content_type="image/gif")


@require_safe
def social_card(request, pk, digest):
    """A published article's social card. Its address names what is drawn on
    it, so the answer never changes and may be kept for a year; an address
    from before the headline changed leads to the current card."""
    article = get_object_or_404(Article.objects.published().select_related("category"), pk=pk)
    if digest != social_cards.digest(article):
        return redirect(social_cards.url(article))
    response = HttpResponse(social_cards.card(article), content_type="image/png")
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response


# A transparent 1x1 GIF.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def _article_context(article, page_values, **extra):
    return {
        "article": article,
        "current_category_slug": article.category.slug,
        "page_values": page_values,
        **extra,
    }


def render_article_page(request, article, status=200, **extra_context):
    """The article page rendered for this request alone (editors, a form with
    errors, a thread page): the same template and values as the shared page."""
    response = render(
        request,
        "articles/article_detail.html",
        _article_context(
            article,
            page_cache.request_values(request, article, with_thread=False),
            **extra_context,
        ),
        status=status,
    )
    if article.is_published():
        # Every request must reach the server to be counted; nothing may store
        # the page on the way, and the browser revalidates.
        patch_cache_control(response, private=True, no_cache=True)
    else:
        add_never_cache_headers(response)
    return response


@require_safe
def search(request):
    """Search published articles. Any input is safe: it is cut to a sensible
    length and used only as data. A page of results is the same for every reader,
    so it is a cached fragment keyed by the query (hashed) and page: a popular
    search costs its query once per content version, not once per reader."""
    query = article_search.clean_query(request.GET.get("q"))
    query_key = hashlib.sha256(query.encode()).hexdigest()[:32]

    def results():  # built only on a miss
        return article_search.search(
            Article.objects.published()
            .select_related("category", "hero")
            .defer("body", "body_text"),
            query,
        )

    count = (
        caching.cached(
            caching.fragment_key("search-count", [query_key], request),
            lambda: results().count(),
            request,
        )
        if query
        else 0
    )
    number = list_page_number(request.GET.get("page"), _pages(count))

    def page():
        paginator = Paginator(
            article_search.with_highlights(results(), query),
            settings.NEWSROOM_ARTICLES_PER_PAGE,
        )
        paginator.__dict__["count"] = count  # counted already, under the same version
        found = paginator.page(number)
        for article in found:
            article.headline_html = article_search.marked(article.headline_marked)
            article.standfirst_html = article_search.marked(article.standfirst_marked)
            if article_search.has_marks(article.body_snippet):
                article.body_snippet_html = article_search.marked(article.body_snippet)
        return found

    response = render(
        request,
        "articles/search.html",
        {
            "query": query,
            "search_query": query,
            "query_key": query_key,
            "page_number": number,
            "canonical_query": page_query(number, q=query) if query else "",
            "page_obj": SimpleLazyObject(page) if query else None,
        },
    )
    return caching.share_briefly(request, response)
