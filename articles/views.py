from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from . import counting
from .models import Article, Category

HOME_LATEST = 10
HOME_PER_CATEGORY = 4


def _can_preview(user):
    return user.is_authenticated and user.is_staff and user.has_perm("articles.change_article")


@require_safe
def home(request):
    published = Article.objects.published().for_listing()
    lead = published.filter(featured=True).first() or published.first()
    latest = list(published.exclude(pk=getattr(lead, "pk", None))[:HOME_LATEST])
    sections = {}
    for article in published.latest_per_category(HOME_PER_CATEGORY):
        sections.setdefault(article.category, []).append(article)
    return render(
        request,
        "articles/home.html",
        {"lead": lead, "latest": latest, "sections": sections.items()},
    )


@require_safe
def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    articles = Article.objects.published().for_listing().filter(category=category)
    page = Paginator(articles, settings.NEWSROOM_ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "articles/category_detail.html",
        {"category": category, "page_obj": page, "current_category_slug": category.slug},
    )


@require_safe
def article_detail(request, slug):
    """An article page. Editors may preview drafts and scheduled articles at their
    real address; readers get a 404 for them."""
    articles = Article.objects.select_related("category", "author").prefetch_related("sources")
    if not _can_preview(request.user):
        articles = articles.published()
    article = get_object_or_404(articles, slug=slug)
    counting.record_view(request, article)
    response = render(
        request,
        "articles/article_detail.html",
        {"article": article, "current_category_slug": article.category.slug},
    )
    if not article.is_published():
        add_never_cache_headers(response)
    return response
