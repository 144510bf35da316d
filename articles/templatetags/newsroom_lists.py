"""Lists shown beside the content: most read and related. Each is one query, and
templates call them inside a cached fragment, so most pages pay nothing."""

from django import template

from articles.models import Article

register = template.Library()


@register.simple_tag
def most_read(hours, limit=5):
    return list(Article.objects.published().most_read(hours=hours, limit=limit))


@register.simple_tag
def related_articles(article, limit=4):
    return list(Article.objects.published().related_to(article, limit=limit))
