import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from comments import tree
from comments.views import thread_context

register = template.Library()

URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def comment_thread(context, article):
    """The thread on the article page: ``?cpage`` and ``?csort`` pick the page
    and order. The comment form comes in its own request when the reader reaches
    it, so the page carries no reader's token and can be shared; a page shown
    again with a reader's form and its errors shows that form in place.
    """
    request = context["request"]
    sort = tree.clean_sort(request.GET.get("csort"))
    page = tree.clean_page(request.GET.get("cpage"), article)
    form = context.get("comment_form")
    data = thread_context(request, article, form=form, sort=sort, page=page, with_form=False)
    data["request"] = request
    data["comments_notice"] = context.get("comments_notice")
    return data


@register.filter
def comment_text(body):
    """Plain text as HTML: escaped, web addresses linked, line breaks kept."""
    escaped = escape(body)
    linked = URL.sub(
        lambda m: f'<a href="{m.group(0)}" rel="nofollow ugc noopener">{m.group(0)}</a>', escaped
    )
    paragraphs = [
        p.strip() for p in re.split(r"\n\s*\n", linked.replace("\r\n", "\n")) if p.strip()
    ]
    return mark_safe("".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs))


@register.simple_tag
def pending_comment_count():
    """For the admin index: how many comments wait in the moderation queue."""
    from comments.models import Comment

    return Comment.objects.pending().count()
