import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

from articles import page_cache, site_url, structured_data

register = template.Library()


@register.simple_tag(takes_context=True)
def news_article_json_ld(context, article, image_url=None):
    """A <script type="application/ld+json"> for the article, safe inside HTML."""
    number = (context.get("page_values") or {}).get("view_number")
    hole = number == page_cache.VIEW_NUMBER  # the shared page's
    view_count = number if hole else int(number or article.view_count)
    data = structured_data.news_article(context["request"], article, image_url, view_count)
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        _json_script_escapes
    )
    if hole:  # a bare number, not a string, once filled in
        payload = payload.replace(f'"{page_cache.VIEW_NUMBER}"', page_cache.VIEW_NUMBER)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without its query string, at the site's address."""
    return site_url.absolute(context["request"].path)


@register.simple_tag
def absolute_url(url):
    """``url`` at the site's address (``NEWSROOM_SITE_URL``)."""
    return site_url.absolute(url)


@register.simple_tag(takes_context=True)
def publisher_logo(context):
    return structured_data.publisher_logo_url(context["request"])


@register.simple_tag(takes_context=True)
def views_label(context, article):
    """ "788 views", or its hole in the shared page (articles.page_cache)."""
    values = context.get("page_values") or {}
    return values.get("views") or page_cache.views_label(article.view_count)
