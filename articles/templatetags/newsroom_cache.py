"""``{% cachedfragment "name" vary... [thread=slug] %}…{% endcachedfragment %}``:
see articles.caching.

Like Django's ``{% cache %}``, the block's querysets run only when the fragment
is rendered, that is on a miss; unlike it, the key follows the content versions
(the site's, and with ``thread=`` that article's thread too) and the fragment
expires when a scheduled article goes live.
"""

from django import template

from articles import caching

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on, thread):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on
        self.thread = thread

    def render(self, context):
        request = context.get("request")
        scopes = (caching.SITE,)
        if self.thread is not None:
            scopes += (caching.thread_scope(self.thread.resolve(context)),)
        key = caching.fragment_key(
            self.name.resolve(context),
            [var.resolve(context) for var in self.vary_on],
            request,
            scopes=scopes,
        )
        html = caching.get_fragment(key)
        if html is None:
            html = self.nodelist.render(context)
            caching.set_fragment(key, html, request)
        return html


@register.tag
def cachedfragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a fragment name.")
    thread = None
    if bits[-1].startswith("thread="):
        thread = parser.compile_filter(bits.pop().removeprefix("thread="))
    nodelist = parser.parse(("endcachedfragment",))
    parser.delete_first_token()
    return CachedFragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        [parser.compile_filter(b) for b in bits[2:]],
        thread,
    )
