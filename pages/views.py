from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles import caching

from .models import Page


@require_safe
def page(request, slug):
    """A standing page, the same for every reader: from the shared cache under
    the site version, which a page's save moves on."""
    found = caching.cached_by_slug(Page, slug, request)
    response = render(request, "pages/page.html", {"page": found})
    return caching.share_briefly(request, response)
