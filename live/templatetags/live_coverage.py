"""The article page reaches its live coverage through this tag, as it reaches
its comment thread: ``{% live_coverage article as coverage %}`` (None for a
story that is not live coverage). The coverage is cached, so the page's head
(its JSON-LD) and body may each ask."""

from django import template

from live.coverage import coverage

register = template.Library()


@register.simple_tag(takes_context=True)
def live_coverage(context, article):
    return coverage(article, context.get("request"))
