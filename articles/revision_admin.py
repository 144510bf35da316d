"""The desk's revision pages and its guard against lost work, mounted under
each article's admin URL by ``ArticleAdmin.get_urls``.

- History: every revision of an article, newest first, in constant queries.
- Compare: any two revisions field by field, the body as a word diff; by
  default the newest revision against the one readers see now.
- Restore: a confirmation page, then a POST that writes a new revision.
- A stale save (the form was opened on an older revision than the newest) is
  refused with the change form itself, status 409, showing what the other
  person changed and keeping everything the editor typed; saving it again
  re-applies the editor's values over the newest version.
- Presence: the open form's ping says who else has the article open.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers

from . import presence
from .models import Article, ArticleRevision
from .revisions import RestoreRefused, compare, latest_number, live_revision, restore

CONFLICT = "stale_revision"


class VersionCheckedForm(forms.ModelForm):
    """A change form that carries the revision it was opened on and refuses
    to save over a newer one."""

    based_on_revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk and not self.is_bound:
            self.initial["based_on_revision"] = latest_number(self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        # The admin saves inside a transaction: locking the row makes a second
        # save wait here until the first has written its revision.
        list(Article.objects.select_for_update().filter(pk=self.instance.pk).values("pk"))
        based_on = cleaned.get("based_on_revision")
        newest = latest_number(self.instance.pk)
        if based_on != newest:
            self.conflict = (based_on or 0, newest)
            raise forms.ValidationError(
                "Someone else saved this article after you opened it. Nothing was "
                "saved: check their changes below, then save again to apply yours "
                "over theirs.",
                code=CONFLICT,
            )
        return cleaned


def add_desk_context(request, context, article):
    """What the change form shows beyond the admin's own: the conflict panel
    after a stale save, the revision links and who else has the form open."""
    form = context["adminform"].form
    if article is None:
        return
    context["presence_others"] = presence.ping(article.pk, request.user, dirty=False)
    context["revision_count"] = latest_number(article.pk)
    if getattr(form, "conflict", None):
        based_on, newest = form.conflict
        revisions = {
            r.number: r
            for r in ArticleRevision.objects.filter(
                article=article, number__in=[based_on, newest]
            ).select_related("created_by")
        }
        theirs = revisions.get(newest)
        base = revisions.get(based_on)
        context["conflict"] = {
            "theirs": theirs,
            "based_on": based_on,
            "changes": [
                c
                for c in compare(
                    base.snapshot if base else None, theirs.snapshot if theirs else None
                )
                if c.changed
            ],
        }
        # Saving again applies this editor's values over the newest version.
        form.data = form.data.copy()
        form.data[form.add_prefix("based_on_revision")] = newest


def urls(model_admin):
    def view(function):
        wrapped = model_admin.admin_site.admin_view(
            lambda request, *args, **kwargs: function(model_admin, request, *args, **kwargs)
        )
        return wrapped

    return [
        path("<path:object_id>/revisions/", view(history), name="articles_article_revisions"),
        path(
            "<path:object_id>/revisions/compare/",
            view(compare_view),
            name="articles_article_compare",
        ),
        path(
            "<path:object_id>/revisions/<int:number>/restore/",
            view(restore_view),
            name="articles_article_restore",
        ),
        path("<path:object_id>/presence/", view(presence_view), name="articles_article_presence"),
    ]


def _article(model_admin, request, object_id, permission="view"):
    article = get_object_or_404(Article.objects.select_related("category"), pk=object_id)
    allowed = (
        model_admin.has_change_permission(request, article)
        if permission == "change"
        else model_admin.has_view_or_change_permission(request, article)
    )
    if not allowed:
        raise PermissionDenied
    return article


def _page(model_admin, request, article, template, title, **context):
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": Article._meta,
            "article": article,
            "title": title,
            "subtitle": article.headline,
            **context,
        },
    )


def history(model_admin, request, object_id):
    article = _article(model_admin, request, object_id)
    revisions = list(article.revisions.select_related("created_by").order_by("-number"))
    live = live_revision(revisions)
    return _page(
        model_admin,
        request,
        article,
        "admin/articles/article/revisions.html",
        "Revisions",
        revisions=revisions,
        live=live,
        can_restore=model_admin.has_change_permission(request, article),
    )


class CompareForm(forms.Form):
    a = forms.IntegerField(min_value=1, label="Older revision")
    b = forms.IntegerField(min_value=1, label="Newer revision")


def compare_view(model_admin, request, object_id):
    """Two revisions side by side; without ``a`` and ``b``, the newest
    revision against the one readers see now (or the previous one when the
    newest is what they see)."""
    article = _article(model_admin, request, object_id)
    form = CompareForm(request.GET or None)
    context = {}
    if form.is_bound and not form.is_valid():
        context["errors"] = form.errors
    else:
        revisions = article.revisions.select_related("created_by").order_by("-number")
        if form.is_bound:
            numbers = [form.cleaned_data["a"], form.cleaned_data["b"]]
            by_number = {r.number: r for r in revisions.filter(number__in=numbers)}
            if len(by_number) != len(set(numbers)):
                raise Http404("No such revision of this article.")
            old, new = by_number[numbers[0]], by_number[numbers[1]]
        else:
            new = revisions.first()
            if new is None:
                return redirect("admin:articles_article_revisions", article.pk)
            earlier = revisions.filter(number__lt=new.number)
            live = earlier.filter(snapshot__status=Article.Status.PUBLISHED).first()
            old = live if live and not new.is_live_version else earlier.first() or new
        context = {
            "old": old,
            "new": new,
            "old_label": f"Revision {old.number}",
            "new_label": f"Revision {new.number}",
            "changes": compare(old.snapshot, new.snapshot),
        }
    return _page(
        model_admin,
        request,
        article,
        "admin/articles/article/compare.html",
        "Compare revisions",
        **context,
    )


def restore_view(model_admin, request, object_id, number):
    article = _article(model_admin, request, object_id, permission="change")
    revision = get_object_or_404(article.revisions.select_related("created_by"), number=number)
    if request.method == "POST":
        try:
            new = restore(
                article,
                revision,
                request.user,
                may_publish=model_admin.has_publish_permission(request),
            )
        except RestoreRefused as refused:
            messages.error(request, f"Revision {number} was not restored: {refused}")
            return redirect("admin:articles_article_revisions", article.pk)
        messages.success(
            request,
            f"Revision {number} restored as revision {new.number}. The history keeps every "
            "earlier version.",
        )
        return redirect("admin:articles_article_change", article.pk)
    newest = article.revisions.order_by("-number").first()
    return _page(
        model_admin,
        request,
        article,
        "admin/articles/article/restore.html",
        f"Restore revision {number}?",
        revision=revision,
        changes=[c for c in compare(newest.snapshot, revision.snapshot) if c.changed],
        may_publish=model_admin.has_publish_permission(request),
    )


def presence_view(model_admin, request, object_id):
    """The open form's ping: records this editor (with whether the form has
    unsaved changes) and answers with who else has the article open."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = _article(model_admin, request, object_id, permission="change")
    dirty = request.POST.get("dirty") == "yes"
    if not request.htmx:
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))
    response = TemplateResponse(
        request,
        "admin/articles/article/_presence.html",
        {
            "article": article,
            "presence_others": presence.ping(article.pk, request.user, dirty=dirty),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
