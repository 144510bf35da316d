"""The desk's revision pages and its guard against lost work, mounted under
each article's admin URL by ``ArticleAdmin.get_urls``.

- History: every revision of an article, newest first, in constant queries.
- Compare: any two revisions field by field, the body as a word diff; by
  default the newest revision against the one readers see now.
- Restore: a confirmation page, then a POST that writes a new revision.
- A stale save (the form was opened on an older revision than the newest) is
  refused with the change form itself, status 409, merged three ways: the
  fields only the other person changed take their values, those only this
  editor changed keep theirs, and those both changed keep this editor's value
  and are marked, with the other value beside it. Saving again applies this
  editor's changes over the newest version and nothing else of the old form.
- Presence: the open form's ping says who else has the article open.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator

from . import presence, workflow
from .models import Article, ArticleRevision
from .revisions import (
    LABELS,
    MERGED_FIELDS,
    Merge,
    RestoreRefused,
    compare,
    form_snapshot,
    latest_number,
    live_revision,
    merge,
)

CONFLICT = "stale_revision"


@dataclass
class Conflict:
    """A refused stale save: the revision the form was opened on (``base``,
    None when it was not kept), the newest one (``theirs``, None when there
    is none) and how the form was merged with it."""

    based_on: int
    base: ArticleRevision | None
    theirs: ArticleRevision | None
    merged: Merge

    @property
    def changes(self):
        """What the other person changed; nothing to show without the base."""
        if self.base is None or self.theirs is None:
            return []
        return [c for c in compare(self.base.snapshot, self.theirs.snapshot) if c.changed]

    @property
    def clashes(self):
        """The fields both changed, their value against this editor's (the form's)."""
        labels = {LABELS[name] for name in self.merged.clashes}
        theirs = self.theirs.snapshot if self.theirs else {}
        return [c for c in compare(theirs, self.merged.values) if c.label in labels]

    @property
    def taken(self):
        return [LABELS[name] for name in self.merged.taken]

    @property
    def kept(self):
        return [LABELS[name] for name in self.merged.kept]

    @property
    def lists(self):
        return [LABELS[name] for name in self.merged.lists]

    @property
    def their_name(self):
        person = self.theirs.created_by if self.theirs else None
        return (person.get_full_name() or person.get_username()) if person else ""


class VersionCheckedForm(forms.ModelForm):
    """A change form that carries the revision it was opened on and refuses
    to save over a newer one, merging the newer one into what it shows."""

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
        if based_on is None or based_on != newest:
            self.conflict = self.merge_with_newest(based_on or 0, newest)
            raise forms.ValidationError(
                "Someone else saved this article after you opened it. Nothing was "
                "saved: the form now holds their version with your changes on top. "
                "Check it, then save again.",
                code=CONFLICT,
            )
        return cleaned

    def merge_with_newest(self, based_on, newest):
        """Merge the newest revision into the form as it was posted: their
        changes go into the form, this editor's stay, and each field both
        changed keeps this editor's value and says what theirs is. The form
        is then based on the newest revision, so saving it again applies
        this editor's changes and nothing else of the version first opened."""
        revisions = {
            r.number: r
            for r in ArticleRevision.objects.filter(
                article_id=self.instance.pk, number__in=[based_on, newest]
            ).select_related("created_by")
        }
        base, theirs = revisions.get(based_on), revisions.get(newest)
        names = [
            name
            for name in MERGED_FIELDS
            if name in self.cleaned_data and not self.fields[name].disabled
        ]
        merged = merge(
            base.snapshot if base else None,
            theirs.snapshot if theirs else {},
            form_snapshot(self.cleaned_data, names),
        )
        data = self.data.copy()
        for name in merged.taken:
            self.post_value(data, name, merged.values[name])
        data[self.add_prefix("based_on_revision")] = str(newest)
        self.data = data
        conflict = Conflict(based_on, base, theirs, merged)
        whose = f"{conflict.their_name}'s version" if conflict.their_name else "Their version"
        clashes = {change.label: change for change in conflict.clashes}
        for name in merged.clashes:
            change = clashes[LABELS[name]]
            if name == "body":
                theirs_is = f"{whose} differs: both are compared above."
            else:
                shown = f"“{Truncator(change.old).chars(120)}”" if change.old else "empty"
                theirs_is = f"{whose}: {shown}."
            self.add_error(
                name, f"{theirs_is} Yours is kept here: saving again puts it over theirs."
            )
        return conflict

    def post_value(self, data, name, value):
        """Put snapshot ``value`` of field ``name`` in ``data`` as a browser posts it."""
        widget, key = self.fields[name].widget, self.add_prefix(name)
        if name == "topics":
            data.setlist(key, [str(topic["id"]) for topic in value])
        elif isinstance(widget, forms.MultiWidget):  # the admin's date and time boxes
            parts = widget.decompress(parse_datetime(value) if value else None)
            for suffix, part_widget, part in zip(
                widget.widgets_names, widget.widgets, parts, strict=True
            ):
                data[key + suffix] = part_widget.format_value(part) or ""
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
            else:
                data.pop(key, None)
        else:
            data[key] = "" if value is None else str(value)


def add_desk_context(request, context, article):
    """What the change form shows beyond the admin's own: the conflict panel
    after a stale save, the revision links and who else has the form open."""
    form = context["adminform"].form
    if article is None:
        return
    context["presence_others"] = presence.ping(article.pk, request.user, dirty=False)
    context["revision_count"] = latest_number(article.pk)
    context["conflict"] = getattr(form, "conflict", None)


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
        # A story unpublished, taken down, expired or not yet out shows no version.
        showing=article.is_published(),
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
            new = workflow.restore(article, revision, request.user)
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
        move=workflow.restore_move(article, revision, request.user),
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
