import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe
from django.utils.translation import to_locale

from articles import page_cache, site_url, structured_data

register = template.Library()


@register.simple_tag(takes_context=True)
def news_article_json_ld(context, article, *extensions):
    """A <script type="application/ld+json"> for the article, safe inside HTML.

    Each extension that is not None (another app's part of the page, such as
    its live coverage) may recast the data with its ``json_ld(request, data)``."""
    values = context.get("page_values") or {}
    counts = {}
    for name, hole, count in [
        ("view_number", page_cache.VIEW_NUMBER, article.view_count),
        ("comment_number", page_cache.COMMENT_NUMBER, article.comment_count),
    ]:
        value = values.get(name)
        counts[name] = value if value == hole else int(value or count)  # the shared page's hole
    data = structured_data.news_article(
        context["request"], article, counts["view_number"], counts["comment_number"]
    )
    for extension in extensions:
        if extension is not None:
            data = extension.json_ld(context["request"], data)
    payload = json_ld_payload(data)
    for hole in (page_cache.VIEW_NUMBER, page_cache.COMMENT_NUMBER):
        payload = payload.replace(f'"{hole}"', hole)  # a bare number once filled in
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')


def json_ld_payload(data):
    """JSON that is safe inside a <script> element."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        _json_script_escapes
    )


@register.simple_tag(takes_context=True)
def profile_page_json_ld(context, contributor):
    data = structured_data.profile_page(context["request"], contributor)
    return mark_safe(f'<script type="application/ld+json">{json_ld_payload(data)}</script>')


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address at the site's address: without its query string,
    but with the page's own ``canonical_query`` (a list's page number)."""
    path = context["request"].path
    query = context.get("canonical_query")
    return site_url.absolute(f"{path}?{query}" if query else path)


@register.simple_tag
def absolute_url(url):
    """``url`` at the site's address (``NEWSROOM_SITE_URL``)."""
    return site_url.absolute(url)


@register.simple_tag
def absolute_static(path):
    """The static file's URL at the site's address."""
    return site_url.absolute(static(path))


@register.simple_tag
def og_locale():
    """The site's language as OpenGraph writes it: en-us is en_US."""
    return to_locale(settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def views_label(context, article):
    """ "788 views", or its hole in the shared page (articles.page_cache)."""
    values = context.get("page_values") or {}
    return values.get("views") or page_cache.views_label(article.view_count)


@register.filter
def html_datetime(moment):
    """A time for a ``datetime`` attribute: ISO 8601 to the second, as HTML allows
    (``|date:"c"`` keeps microseconds, which it does not)."""
    if not moment:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.replace(microsecond=0).isoformat()
