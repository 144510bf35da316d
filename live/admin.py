"""The live desk: where an editor runs an article's live coverage quickly, a
form at the top and the entries below, each pinned or marked as a key event in
one click; "End coverage" ends it. The article form links to it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.models import Article, ArticleRevision
from articles.revisions import record_revision

from .models import LiveEntry

ENTRY_FIELDS = ["body", "key_event", "key_event_label", "pinned", "author", "image"]


class EntryForm(forms.ModelForm):
    class Meta:
        model = LiveEntry
        fields = ENTRY_FIELDS


@admin.register(LiveEntry)
class LiveEntryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "published_at", "pinned", "key_event", "author"]
    list_filter = ["key_event", "pinned"]
    list_select_related = ["article", "author"]
    search_fields = ["body", "article__headline"]
    autocomplete_fields = ["article", "author", "image"]
    date_hierarchy = "published_at"

    def get_urls(self):
        desk = self.admin_site.admin_view(self.desk)
        return [path("desk/<int:article_id>/", desk, name="live_desk"), *super().get_urls()]

    def desk(self, request, article_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        article = get_object_or_404(Article, pk=article_id)
        here = reverse("admin:live_desk", args=[article.pk])
        form = EntryForm(prefix="entry")
        if request.method == "POST":
            action = request.POST.get("action")
            if action == "post":
                form = EntryForm(request.POST, prefix="entry")
                if form.is_valid():
                    entry = form.save(commit=False)
                    entry.article = article
                    entry.save()
                    messages.success(request, "Entry posted.")
                    return redirect(here)
            elif action in ("pin", "unpin", "key", "unkey"):
                entry = get_object_or_404(LiveEntry, article=article, pk=request.POST.get("entry"))
                if action in ("pin", "unpin"):
                    entry.pinned = action == "pin"
                else:
                    entry.key_event = action == "key"
                    if action == "unkey":
                        entry.key_event_label = ""  # a label makes a key event
                entry.save()
                return redirect(f"{here}#entry-{entry.pk}")
            elif action in ("end", "live"):
                # A change of the article: its own admin's rules decide who may.
                if not self.admin_site._registry[Article].has_change_permission(request, article):
                    raise PermissionDenied
                article.live_status = (
                    Article.LiveStatus.ENDED if action == "end" else Article.LiveStatus.LIVE
                )
                with transaction.atomic():
                    article.save(  # stamps the coverage's start and end (Article.save)
                        update_fields=["live_status", "coverage_started_at", "coverage_ended_at"]
                    )
                    # In the history, and an article form opened before is now stale:
                    # its save cannot set the coverage back.
                    record_revision(
                        article,
                        request.user,
                        ArticleRevision.Action.COVERAGE_ENDED
                        if action == "end"
                        else ArticleRevision.Action.COVERAGE_LIVE,
                    )
                messages.success(
                    request, "Coverage ended." if action == "end" else "Coverage is live."
                )
                return redirect(here)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Live desk: {article.headline}",
            "article": article,
            "form": form,
            "media": self.media + form.media,
            "entries": LiveEntry.objects.filter(article=article).select_related("author"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/live/desk.html", context)
