"""The desk's own admin pieces around the article list and form: the state
filters, the workflow panel's context and the view its buttons post to.
The rules themselves are ``articles.workflow``'s."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from . import charts, workflow
from .models import Article

BUTTONS = {
    workflow.SUBMIT: "Submit for review",
    workflow.APPROVE: "Approve",
    workflow.REQUEST_CHANGES: "Request changes",
    workflow.PUBLISH: "Publish now",
    workflow.UNPUBLISH: "Unpublish",
}


class DeskStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return list(Article.DESK_STATES.items())

    def queryset(self, request, queryset):
        if self.value() in Article.DESK_STATES:
            return queryset.in_desk_state(self.value())
        return queryset


class ReviewFilter(admin.SimpleListFilter):
    """ "Awaiting my review" for those who review; each person's own stories for all."""

    title = "desk"
    parameter_name = "desk"

    def lookups(self, request, model_admin):
        choices = [("mine", "My stories")]
        if workflow.may_publish(request.user):
            choices.insert(0, ("review", "Awaiting my review"))
        return choices

    def queryset(self, request, queryset):
        if self.value() == "review" and workflow.may_publish(request.user):
            return queryset.awaiting_review_by(request.user)
        if self.value() == "mine":
            return queryset.filter(author=request.user)
        return queryset


def status_move(form, change):
    """The move the form's Publishing fields make, if any: publishing a story
    that was not published, or taking a published one back to draft."""
    if "status" not in form.cleaned_data:
        return None
    before = form.initial.get("status") if change else Article.Status.DRAFT
    after = form.cleaned_data["status"]
    if before != after:
        return workflow.PUBLISH if after == Article.Status.PUBLISHED else workflow.UNPUBLISH
    return None


def change_form_context(request, model_admin, object_id):
    """What the change form shows above and below the fields: the state, the
    editor's note, the buttons this person may press, and the readership chart."""
    article = model_admin.get_object(request, object_id)
    if article is None:
        return {}
    return {
        "desk_article": article,
        "desk_may_publish": workflow.may_publish(request.user),
        "desk_buttons": [
            (action, BUTTONS[action]) for action in workflow.available(article, request.user)
        ],
        "desk_chart": charts.hourly_views(article),
    }


def transition_view(request, model_admin, object_id):
    """Where the workflow buttons post: the move, then back to the form. Works
    as a plain form POST; the CSRF middleware checks it like any other."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = model_admin.get_object(request, object_id)
    if article is None:
        raise Http404("No such article.")
    action = request.POST.get("action", "")
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    if action not in workflow.ACTIONS:
        messages.error(request, "Choose one of the buttons.")
        return redirect(change_url)
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied("You cannot change this article.")
    if action not in workflow.available(article, request.user):
        if workflow.ACTIONS[action][1] and not workflow.may_publish(request.user):
            raise PermissionDenied("Only editors can publish, approve or unpublish articles.")
        messages.error(request, f"“{BUTTONS[action]}” does not apply to this story now.")
        return redirect(change_url)
    try:
        workflow.transition(article, request.user, action, request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(change_url)
    messages.success(request, f"“{article.headline}”: {article.desk_state_words().lower()}.")
    return redirect(change_url)


@require_safe
def slug_check_view(request):
    """Whether a slug can be used, while it is typed (htmx, on the form), or
    as a small page: invalid, taken by another story, or free. The save
    checks again; this only tells the editor sooner."""
    slug = request.GET.get("slug", "").strip()
    article_id = request.GET.get("article", "")
    taken_by = None
    problem = ""
    if not slug:
        problem = "Give the story an address."
    else:
        try:
            validate_slug(slug)
        except ValidationError:
            problem = "Use only lowercase letters, numbers, hyphens and underscores."
        else:
            others = Article.objects.filter(slug=slug)
            if article_id.isdigit():
                others = others.exclude(pk=int(article_id))
            taken_by = others.only("headline").first()
    template = (
        "admin/articles/_slug_check.html" if request.htmx else "admin/articles/slug_check.html"
    )
    response = render(request, template, {"slug": slug, "problem": problem, "taken_by": taken_by})
    patch_vary_headers(response, ["HX-Request"])
    return response
