"""
Comment views: one endpoint for each action, serving two clients.

htmx requests get the fragment to swap in (the same ``_underscored`` templates the
article page includes); plain form posts get a redirect to the result, or the
full page again with the errors and everything the reader typed.
"""

import contextlib
import logging

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import DatabaseError, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from articles import caching
from articles import live as live_updates
from articles.counting import network_fingerprint, reader_fingerprint
from articles.models import Article
from articles.views import render_article_page

from . import (
    editing,
    live,
    mail,
    moderation,
    notifications,
    reactions,
    sanctions,
    tree,
    verification,
)
from .forms import CommentForm, EditForm, FollowForm, ReportForm, parse_id
from .models import Comment, CommentReport, Sanction, Subscription

logger = logging.getLogger("newsroom.comments")

# Status codes htmx is configured to swap (see the htmx-config meta tag in base.html).
INVALID, CLOSED, SANCTIONED, RATE_LIMITED, UNAVAILABLE = 422, 403, 403, 429, 503
RETRY_AFTER_SECONDS = 30
NOT_SAVED = (
    "Your comment could not be saved just now, and it has not been posted. "
    "Please try again in a minute: your text is still here."
)


def _article(slug):
    return get_object_or_404(Article.objects.published(), slug=slug)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def thread(request, slug):
    """GET: the thread in another order (htmx) or the article page at it (plain).
    POST: post a comment or a reply."""
    if request.method == "POST":
        response = _post(request, _article(slug))
        written = getattr(request, "comment_written", None)
        # This browser may edit the comment it wrote (comments.editing).
        return editing.remember_written(request, response, written) if written else response
    article = caching.cached_article(slug, request)
    sort = tree.clean_sort(request.GET.get("sort"))
    if not request.htmx:
        return redirect(f"{article.get_absolute_url()}?csort={sort}#comments")
    return render(request, "comments/_thread.html", thread_context(request, article, sort=sort))


def thread_context(request, article, form=None, sort="newest", page=1, with_form=True):
    """What ``comments/_thread.html`` needs, for the article page and for htmx."""
    rules = moderation.policy(request)
    closed = moderation.thread_is_closed(article, rules=rules)
    if form is None and with_form and not closed:
        form = CommentForm(article=article, user=request.user)
    return {
        "article": article,
        # Lazy: the page's comments are fetched only when its cached fragment is stale.
        "thread": SimpleLazyObject(lambda: tree.thread_page(article, page=page, sort=sort)),
        "sort": sort,
        "page": page,
        "comment_form": form,
        "comments_closed": closed,
        "comments_close_at": moderation.closes_at(article, rules),
        # An editor's preview of an unpublished article: its comment endpoints answer 404.
        "preview": not article.is_published(),
        "live": SimpleLazyObject(lambda: live.page_context(article, request, rules=rules)),
        "edit_minutes": editing.EDIT_MINUTES,
    }


def _post(request, article):
    parent_id = parse_id(request.POST.get("parent"))  # None unless ASCII digits
    rules = moderation.policy(request)
    if moderation.thread_is_closed(article, rules=rules):
        message = "Comments on this article are closed."
        if request.htmx:
            return HttpResponse(
                render_to_string("comments/_closed.html", {"message": message}, request),
                status=CLOSED,
            )
        return render_article_page(request, article, status=CLOSED, comments_notice=message)

    form = CommentForm(request.POST, article=article, user=request.user, rules=rules)
    reader, network = reader_fingerprint(request), network_fingerprint(request)
    form.is_valid()  # the email, if any, decides which sanctions apply
    key = sanctions.network_key(request)
    sanction = _sanction_in_force(request, form, key)
    if sanction is not None and sanction.kind != Sanction.Kind.PREMODERATE:
        return _sanctioned(request, article, form, parent_id, sanction)
    limited = moderation.rate_limit(reader, network, rules=rules)
    if limited:
        minutes = -(-limited.retry_after_seconds // 60)
        form.is_valid()  # keep the field errors the reader would see anyway
        posted = (
            "Many comments have been posted from your network"
            if limited.by_network
            else "You have posted several comments"
        )
        form.add_error(
            None,
            f"{posted} in a short time. Please try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}.",
        )
        response = _invalid(request, article, form, parent_id, status=RATE_LIMITED)
        response["Retry-After"] = str(limited.retry_after_seconds)
        return response
    if not form.is_valid():
        return _invalid(request, article, form, parent_id, status=INVALID)

    comment = form.save(commit=False)
    comment.reader, comment.network, comment.network_key = reader, network, key
    comment.status, reasons = moderation.initial_status(comment, article, rules, sanction=sanction)
    try:
        # The comment, its form token marked used and the article's recount commit
        # together or not at all, so an author is never shown an error for a
        # comment that was saved.
        with transaction.atomic():
            first_use = form.use_token()  # False: the same form sent twice at once
            if first_use:
                comment.save()
                moderation.save_hold_reasons(comment, reasons)
                if form.cleaned_data.get("notify_replies"):
                    notifications.subscribe(
                        article,
                        email=comment.email,
                        user=request.user,
                        comment=comment,
                        origin=Subscription.Origin.COMMENT,
                    )  # asks to verify the address when it must
                elif not comment.user_id:
                    verification.ask_to_verify(comment.email)
                notifications.queue([comment], rules)  # when published at once
    except DatabaseError as error:
        logger.warning("Comment on article %s not saved: %s", article.pk, error)
        form.add_error(None, NOT_SAVED)
        response = _invalid(request, article, form, parent_id, status=UNAVAILABLE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if not first_use:
        return _invalid(request, article, form, parent_id, status=INVALID)
    request.comment_written = comment
    held = not comment.is_visible()
    with contextlib.suppress(DatabaseError):  # saved: else confirm with the count we had
        article.refresh_from_db(fields=["comment_count"])

    if request.htmx:
        context = {
            "article": article,
            "comment": comment,
            "node": tree.Node(comment, comment.pk, comment.depth),
            "held": held,
            "held_messages": moderation.reader_messages(reasons),
            "comment_count": article.comment_count,
            "comment_form": CommentForm(article=article, user=request.user),
            "reply_to": form.reply_to,
            "sort": tree.clean_sort(request.POST.get("sort")),
        }
        return render(request, "comments/_posted.html", context)

    if held:
        why = " ".join(moderation.reader_messages(reasons))
        text = f"Thank you. Your comment is awaiting moderation. {why}".strip()
        messages.info(request, format_html("{}{}", text, _edit_link(comment)))
        # The page shows the message just above the thread, with this id.
        return redirect(f"{article.get_absolute_url()}#messages")
    messages.success(request, format_html("Your comment has been posted.{}", _edit_link(comment)))
    return redirect(_permalink(comment, request.POST.get("sort")))


def _edit_link(comment):
    """For a reader without JavaScript: the way to their comment's edit form."""
    return format_html(
        ' <a href="{}">Edit your comment</a> within {} minutes if you need to.',
        reverse("comments:edit", args=[comment.pk]),
        editing.EDIT_MINUTES,
    )


@require_GET
def permalink(request, pk):
    """A comment's place in its thread: the article page that shows it. Picks
    link here when they are on another page of the thread."""
    comment = get_object_or_404(
        Comment.objects.visible()
        .filter(article__in=Article.objects.published())
        .select_related("article", "root"),
        pk=pk,
    )
    return redirect(_permalink(comment))


def _sanction_in_force(request, form, network):
    """The sanction that stops or holds this post, once a warning the reader
    has just acknowledged (the form's "acknowledge" button) is out of the way."""
    email = form.cleaned_data.get("email", "")
    sanction = sanctions.in_force(user=request.user, email=email, network=network)
    while (
        sanction is not None
        and sanction.kind == Sanction.Kind.WARN
        and request.POST.get("acknowledge") == str(sanction.pk)
        and sanctions.acknowledge(sanction)
    ):
        sanction = sanctions.in_force(user=request.user, email=email, network=network)
    return sanction


def _sanctioned(request, article, form, parent_id, sanction):
    """A banned or suspended author is told so and why; a warned one sees the
    moderators' message and a button to acknowledge it and post. Their text is
    kept either way."""
    if sanction.kind == Sanction.Kind.WARN:
        form.warning = sanction
    else:
        form.add_error(None, sanctions.refusal(sanction))
    return _invalid(request, article, form, parent_id, status=SANCTIONED)


def _permalink(comment, sort=None):
    """The comment's anchor on the page of the thread that shows it."""
    sort = tree.clean_sort(sort)
    page = tree.page_number_of(comment, sort)
    query = "" if page == 1 and sort == "newest" else f"?cpage={page}&csort={sort}"
    return f"{comment.article.get_absolute_url()}{query}#comment-{comment.pk}"


def _invalid(request, article, form, parent_id, status):
    if request.htmx:
        response = render(
            request,
            "comments/_form.html",
            {
                "article": article,
                "comment_form": form,
                "reply_to": form.reply_to,
                "parent_id": parent_id,
            },
            status=status,
        )
        return response
    if parent_id is not None:
        parent = Comment.objects.visible().filter(pk=parent_id, article=article).first()
        if parent is not None:
            return render(
                request,
                "comments/reply.html",
                {"article": article, "parent": parent, "comment_form": form},
                status=status,
            )
    return render_article_page(request, article, status=status, comment_form=form)


def _closed_form(request, article):
    """What a reader asking for a form on a closed thread gets: the notice in place
    (htmx), or the thread, which says so."""
    if request.htmx:
        return render(
            request, "comments/_closed.html", {"message": "Comments on this article are closed."}
        )
    return redirect(f"{article.get_absolute_url()}#comments")


@never_cache
@vary_on_headers("HX-Request")
@require_GET
def comment_form(request, slug):
    """The comment form with this reader's token: swapped into a page served from
    a shared cache (htmx), or on a page of its own without JavaScript."""
    article = caching.cached_article(slug, request)
    if moderation.thread_is_closed(article, rules=moderation.policy(request)):
        return _closed_form(request, article)
    # A sanctioned reader is told when the form opens, not after typing a comment.
    sanction = sanctions.in_force(user=request.user, network=sanctions.network_key(request))
    if sanction is not None and sanction.kind in sanctions.REFUSING:
        template = "comments/_sanctioned.html" if request.htmx else "comments/new.html"
        context = {"article": article, "sanction_lines": sanctions.refusal(sanction)}
        return render(request, template, context)
    form = CommentForm(article=article, user=request.user)
    if sanction is not None and sanction.kind == Sanction.Kind.WARN:
        form.warning = sanction
    template = "comments/_form.html" if request.htmx else "comments/new.html"
    return render(request, template, {"article": article, "comment_form": form})


@vary_on_headers("HX-Request")
@require_GET
def reply_form(request, pk):
    """The reply form for a comment: inline for htmx, on its own page without JS."""
    parent = get_object_or_404(
        Comment.objects.visible()
        .filter(article__in=Article.objects.published())
        .select_related("article", "user"),
        pk=pk,
    )
    article = parent.article
    if moderation.thread_is_closed(article, rules=moderation.policy(request)):
        return _closed_form(request, article)
    form = CommentForm(article=article, user=request.user, initial={"parent": parent.pk})
    template = "comments/_form.html" if request.htmx else "comments/reply.html"
    return render(
        request,
        template,
        {"article": article, "parent": parent, "reply_to": parent, "comment_form": form},
    )


@vary_on_headers("HX-Request")
@require_GET
def more(request, slug):
    """The next page of top-level comments: appended in place (htmx), or the
    article page showing that page (plain). Readers page through a long thread
    quickly: the article comes from the shared cache, like its page."""
    article = caching.cached_article(slug, request)
    page = tree.clean_page(request.GET.get("page"), article)
    sort = tree.clean_sort(request.GET.get("sort"))
    if not request.htmx:
        return redirect(f"{article.get_absolute_url()}?cpage={page}&csort={sort}#comments")
    after = tree.Cursor.read(request.GET.get("after"))
    return render(
        request,
        "comments/_more.html",
        {
            "article": article,
            "thread": SimpleLazyObject(
                lambda: tree.thread_page(article, page=page, sort=sort, after=after)
            ),
            "sort": sort,
            "page": page,
            "after": after.pk if after else "",
            "comments_closed": moderation.thread_is_closed(
                article, rules=moderation.policy(request)
            ),
        },
    )


BAD_CURSOR = "This check for new comments is out of date: reload the page."


@require_GET
def live_changes(request, slug):
    """What changed in the thread after the page's cursor (``comments.live``).

    Polled by ``static/js/live-updates.js``: nothing new is a 204 (no query once
    the thread's newest change is cached); new and edited comments are announced
    with a button and, with ``show``, brought in to be put in place (an edit
    replaces the text the page shows, never counted as new); comments taken away
    meanwhile are listed to go. Without JavaScript, the article page at its thread.
    """
    article = caching.cached_article(slug, request, counted=False)
    if not request.htmx:
        return redirect(f"{article.get_absolute_url()}#comments")
    answer = nothing_new(request, slug, article)
    if answer is not None:
        return answer
    cursor = live_updates.Cursor.read(request.GET.get("after"), live.SALT)
    if cursor is None:
        return HttpResponse(BAD_CURSOR, status=400, content_type="text/plain; charset=utf-8")
    surrogate_key = f"article-{article.pk}"
    if not live.latest(article, request) > cursor:
        return live_updates.nothing_new(surrogate_key)
    changes = live.changes_since(article, cursor, request)
    show = "show" in request.GET and not changes.too_many
    waiting = changes.arrived and not show
    context = {
        "article": article,
        "sort": tree.clean_sort(request.GET.get("sort")),
        "live": {
            # Until the reader shows them, the count grows from the same cursor.
            "cursor": (cursor if waiting else changes.cursor).sign(live.SALT),
            "since": cursor.sign(live.SALT),
            "polling": live.polls(article, changes.cursor, rules=moderation.policy(request)),
            "every": settings.NEWSROOM_LIVE_POLL_SECONDS,
            "waiting": len(changes.new) if waiting else 0,
            "waiting_ids": [comment.pk for comment in changes.new],
            "edited": len(changes.edited) if waiting else 0,
            "edited_ids": changes.edited,
            "news": live.news(len(changes.new), len(changes.edited)),
            "too_many": changes.too_many,
            "removed": changes.removed,
            "nodes": changes.nodes if show else [],
        },
        "count": caching.comment_count(article, request),
    }
    response = render(request, "comments/_live.html", context)
    return live_updates.share(response, surrogate_key)


def nothing_new(request, slug, article=None):
    """The answer to a poll that has seen the thread's newest change (a 204), or
    None when the poll needs ``live_changes``. Cheap enough for every open page
    to ask often: the article and its newest change come from the shared cache,
    and the cursor is compared, not verified (``articles.middleware.live_poll``
    answers these before the session, CSRF and sign-in middleware). The
    comment count is not read: after a change to the thread, the newest change
    is the one query."""
    article = article or caching.cached_article(slug, request, counted=False)
    if request.htmx and request.GET.get("after") == live.latest_signed(article, request):
        return live_updates.nothing_new(f"article-{article.pk}")
    return None


live_updates.answers_early(live_changes, nothing_new)


RECEIPT_SALT = "comments.report-receipt"
RECEIPT_MAX_AGE = 24 * 3600


@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, pk):
    """GET: the report form, in place (htmx) or on its own page, or (with
    ``?receipt=``) the receipt of a report just sent without JavaScript.
    POST: record the report and answer with its receipt."""
    comment = get_object_or_404(
        Comment.objects.visible()
        .filter(article__in=Article.objects.published())
        .select_related("article", "user"),
        pk=pk,
    )
    if request.method != "POST":
        if "receipt" in request.GET:
            return _receipt_page(request, comment, request.GET["receipt"])
        form = ReportForm(auto_id=_report_ids(comment))
        return _report_form(request, comment, form)
    form = ReportForm(request.POST, auto_id=_report_ids(comment))
    if not form.is_valid():
        return _report_form(request, comment, form, status=INVALID)
    filed = moderation.record_report(
        comment,
        reader_fingerprint(request),
        network_fingerprint(request),
        rules=moderation.policy(request),
        **form.notice(),
    )
    if filed is None:
        if request.htmx:
            return render(request, "comments/_reported.html", {"comment": comment})
        messages.info(request, "You have already reported this comment.")
        return redirect(_permalink(comment))
    mail.queue(
        filed.contact_email,
        "report_receipt",
        {"report": filed, "comment": comment, "site_url": settings.NEWSROOM_SITE_URL},
    )
    if request.htmx:
        return render(request, "comments/_report_receipt.html", {"report": filed})
    token = signing.dumps(filed.pk, salt=RECEIPT_SALT)
    return redirect(f"{reverse('comments:report', args=[comment.pk])}?receipt={token}")


def _report_ids(comment):
    return _form_ids("report", comment)


def _form_ids(kind, comment):
    """Field ids of their own: several comments' forms can be open on one page."""
    return f"{kind}-{comment.pk}-%s"


def _report_form(request, comment, form, status=200):
    return _comment_form(request, comment, "report", form, status)


def _comment_form(request, comment, kind, form, status=200):
    """A form about one comment: ``_<kind>_form.html`` in place (htmx), or
    ``<kind>.html``, its page of its own."""
    template = f"comments/_{kind}_form.html" if request.htmx else f"comments/{kind}.html"
    context = {"comment": comment, "article": comment.article, f"{kind}_form": form}
    return render(request, template, context, status=status)


def _receipt_page(request, comment, token):
    """The receipt, for the reporter who holds its signed link; anyone else, or a
    link more than a day old, gets the report form."""
    try:
        report_pk = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        report_pk = None
    filed = CommentReport.objects.filter(pk=report_pk, comment=comment).first()
    if filed is None:
        return redirect("comments:report", comment.pk)
    return render(request, "comments/report_receipt.html", {"comment": comment, "report": filed})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify_email(request, token):
    """The link mailed to an anonymous commenter's address: GET asks them to
    confirm (so a mail scanner following links confirms nothing), POST confirms."""
    email = verification.email_from(token)
    if email is None:
        return render(request, "comments/verify_email.html", {"invalid": True}, status=400)
    confirmed = request.method == "POST"
    if confirmed:
        verification.confirm(email)
    return render(request, "comments/verify_email.html", {"email": email, "confirmed": confirmed})


@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request, slug):
    """Follow a discussion without commenting: the form (in place for htmx, or on
    a page of its own), and on POST the subscription, which starts once the
    address is confirmed. The answer is the same whether it was confirmed before."""
    article = _article(slug)
    if moderation.thread_is_closed(article, rules=moderation.policy(request)):
        return _closed_form(request, article)
    form = FollowForm(request.POST if request.method == "POST" else None, user=request.user)
    followed = form.is_bound and form.is_valid()
    if followed and not notifications.may_follow(network_fingerprint(request)):
        form.add_error(None, FollowForm.TOO_MANY)
        followed = False
    if followed:
        notifications.subscribe(article, email=form.cleaned_data.get("email"), user=request.user)
        if not request.htmx:
            messages.success(request, form.done_message)
            return redirect(f"{article.get_absolute_url()}#messages")
    template = "comments/_follow.html" if request.htmx else "comments/follow.html"
    context = {"article": article, "follow_form": form, "followed": followed}
    status = 200
    if form.errors:
        status = RATE_LIMITED if FollowForm.TOO_MANY in form.non_field_errors() else INVALID
    return render(request, template, context, status=status)


@csrf_exempt  # RFC 8058: mail clients POST here; the signed token is the protection
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """The unsubscribe link of a notification email. GET only asks (a link
    scanner following it changes nothing); POST stops the emails: a mail
    client's one-click POST (``List-Unsubscribe=One-Click``) those the token
    names, the page's buttons this discussion or everything."""
    found = notifications.read_token(token)
    if found is None:
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=400)
    email, subscription_ids = found
    everything = subscription_ids is None or request.POST.get("scope") == "all"
    done = request.method == "POST"
    if done and everything:
        notifications.unsubscribe_everything(email)
    elif done:
        notifications.unsubscribe(email, subscription_ids)
    context = {
        "email": email,
        "done": done,
        "everything": everything,
        "subscriptions": []
        if everything
        else notifications.subscriptions_named(email, subscription_ids),
    }
    return render(request, "comments/unsubscribe.html", context)


def _reactable(pk):
    return get_object_or_404(
        Comment.objects.visible()
        .filter(article__in=Article.objects.published())
        .select_related("article", "user"),
        pk=pk,
    )


@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def recommend(request, pk):
    """POST: recommend the comment, or take the recommendation back (the button
    says which it is now): the button alone (htmx), or back to the comment.
    GET: the button with this reader's state and a form token, on a page of its
    own, for a reader without JavaScript (the shared thread carries no token)."""
    comment = _reactable(pk)
    reactor = reactions.reactor_of(request)
    refused, status = _recommend_refusal(request, comment), CLOSED
    posted = request.method == "POST"
    if posted and refused is None and reactions.too_many_presses(reactor):
        refused, status = "You have pressed this many times in a minute. Please wait.", RATE_LIMITED
    if not posted or refused:
        pressed = bool(reactions.recommended_among(reactor, [comment.pk]))
        response = _recommend_button(request, comment, pressed, refused, status if posted else 200)
        if posted and status == RATE_LIMITED:
            response["Retry-After"] = "60"
        return response
    try:
        pressed = reactions.toggle(comment, reactor, reactions.reader_network(request))
    except reactions.NetworkRecommends:
        refused = "This comment is already recommended from your network."
        return _recommend_button(request, comment, False, refused, CLOSED)
    comment.refresh_from_db(fields=["recommend_count"])
    if request.htmx:
        return _recommend_button(request, comment, pressed)
    messages.success(
        request,
        "You recommend this comment." if pressed else "You no longer recommend this comment.",
    )
    return redirect(_permalink(comment))


def _recommend_refusal(request, comment):
    if editing.is_own(request, comment, reader_fingerprint(request)):
        return "You cannot recommend your own comment."
    if moderation.thread_is_closed(comment.article, rules=moderation.policy(request)):
        return "Comments on this article are closed: recommendations are closed too."
    return None


def _recommend_button(request, comment, pressed, refused=None, status=200):
    context = {"comment": comment, "pressed": pressed, "refused": refused, "known": True}
    if request.htmx:
        return render(request, "comments/_recommend.html", context, status=status)
    context["article"] = comment.article
    return render(request, "comments/recommend.html", context, status=status)


MAX_STATE_IDS = 200


@never_cache
@ensure_csrf_cookie
@require_GET
def reader_state(request):
    """What the shared thread cannot say about this reader: which of the listed
    comments (``?ids=1,2,3``) they recommend and which they may still edit. The
    page asks once, and again for comments swapped in; it also sets the CSRF
    cookie its htmx posts send.

    Without ``ids``, a page listing the comments this reader may still edit: the
    thread links to it for readers without JavaScript, whose Edit links stay
    hidden."""
    if "ids" not in request.GET:
        return render(
            request,
            "comments/mine.html",
            {
                "editable": [
                    (comment, editing.editable_until(comment))
                    for comment in editing.editable(request)
                ],
                "edit_minutes": editing.EDIT_MINUTES,
            },
        )
    ids = {parse_id(value) for value in request.GET.get("ids", "").split(",")}
    ids = sorted(pk for pk in ids if pk is not None)[:MAX_STATE_IDS]
    return JsonResponse(
        {
            "recommended": sorted(reactions.recommended_among(reactions.reactor_of(request), ids)),
            "editable": sorted(editing.editable_among(request, ids)),
        }
    )


@never_cache
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, pk):
    """An author's edit of their comment: the form in place of its text (htmx) or
    on a page of its own, and the text again once saved. ``?cancel`` (htmx): the
    text without the form."""
    comment = get_object_or_404(
        Comment.objects.filter(article__in=Article.objects.published()).select_related(
            "article", "user"
        ),
        pk=pk,
    )
    refused = editing.refusal(request, comment, rules=moderation.policy(request))
    if refused:
        template = "comments/_comment_text.html" if request.htmx else "comments/edit_refused.html"
        context = {"notice": refused, "comment": comment, "article": comment.article}
        # Refused, the text only comes back where readers could see it anyway.
        context["text_withheld"] = not comment.is_visible()
        return render(request, template, context, status=CLOSED)
    if request.method != "POST":
        if request.htmx and "cancel" in request.GET:
            return render(request, "comments/_comment_text.html", {"comment": comment})
        return _comment_form(
            request, comment, "edit", EditForm(instance=comment, auto_id=_form_ids("edit", comment))
        )
    form = EditForm(request.POST, auto_id=_form_ids("edit", comment))
    if not form.is_valid():
        return _comment_form(request, comment, "edit", form, status=INVALID)
    network = sanctions.network_key(request)
    sanction = sanctions.in_force(user=request.user, email=comment.email, network=network)
    if sanction is not None and sanction.kind in sanctions.REFUSING:
        form.add_error(None, sanctions.refusal(sanction))
        return _comment_form(request, comment, "edit", form, status=SANCTIONED)
    body = form.cleaned_data["body"]
    reasons = []
    if body != comment.body:
        reasons = editing.apply_edit(
            comment, body, rules=moderation.policy(request), sanction=sanction
        )
    held_messages = moderation.reader_messages(reasons)
    if request.htmx:
        context = {"comment": comment, "held_messages": held_messages, "edit_held": bool(reasons)}
        return render(request, "comments/_comment_text.html", context)
    if reasons:
        why = " ".join(held_messages)
        messages.info(request, f"Your edit is awaiting moderation. {why}".strip())
        return redirect(f"{comment.article.get_absolute_url()}#messages")
    messages.success(request, "Your comment has been updated.")
    return redirect(_permalink(comment))
