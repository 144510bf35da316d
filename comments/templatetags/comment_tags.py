import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.page_cache import issued_token
from comments import tree
from comments.forms import CommentForm
from comments.views import thread_context

register = template.Library()

URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def comment_thread(context, article):
    """The thread on the article page: ``?cpage`` and ``?csort`` pick the page
    and order; a form with errors in the context is shown instead of a new one.

    The page's per-request values (``page_values``, articles.page_cache) give
    the form its CSRF token and issue time; behind a shared cache
    (``lazy_comment_form``) the form is loaded when the reader reaches it.
    """
    request = context["request"]
    sort = tree.clean_sort(request.GET.get("csort"))
    page = tree.clean_page(request.GET.get("cpage"), article)
    values = context.get("page_values") or {}
    lazy = bool(context.get("lazy_comment_form"))
    form = context.get("comment_form")
    if form is None and not lazy:
        form = CommentForm(
            article=article,
            user=request.user,
            initial={"issued": values.get("form_issued") or issued_token()},
        )
    data = thread_context(request, article, form=form, sort=sort, page=page)
    data["request"] = request
    data["comments_notice"] = context.get("comments_notice")
    data["csrf_token"] = values.get("csrf_token") or context.get("csrf_token")
    data["lazy_comment_form"] = lazy
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
