"""``{% cachedfragment "name" vary... %}…{% endcachedfragment %}``: see articles.caching.

Like Django's ``{% cache %}``, the block's querysets run only when the fragment
is rendered, that is on a miss; unlike it, the key follows the content version
and the fragment expires when a scheduled article goes live.
"""

from django import template

from articles import caching

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        name = self.name.resolve(context)
        key = caching.fragment_key(
            name, [var.resolve(context) for var in self.vary_on], context.get("request")
        )
        html = caching.get_fragment(key)
        if html is None:
            html = self.nodelist.render(context)
            caching.set_fragment(key, html)
        return html


@register.tag
def cachedfragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a fragment name.")
    nodelist = parser.parse(("endcachedfragment",))
    parser.delete_first_token()
    return CachedFragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
