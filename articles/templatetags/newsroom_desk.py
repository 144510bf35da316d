"""The admin index as the desk's dashboard: what waits for this person, what
goes out next, what readers read today. A fixed number of queries."""

from django import template

from articles import charts, workflow
from articles.models import Article, credits_prefetch

register = template.Library()

LIMIT = 6


@register.inclusion_tag("admin/articles/_dashboard.html", takes_context=True)
def desk_dashboard(context):
    user = context["request"].user
    listed = (
        Article.objects.select_related("category", "author")
        .prefetch_related(credits_prefetch())
        .defer("body", "body_text")
    )
    return {
        "may_publish": workflow.may_publish(user),
        "awaiting_review": list((listed & Article.objects.awaiting_review_by(user))[:LIMIT])
        if workflow.may_publish(user)
        else [],
        "sent_back": list(
            listed.filter(
                author=user,
                status=Article.Status.DRAFT,
                workflow_state=Article.Stage.CHANGES_REQUESTED,
            )[:LIMIT]
        ),
        "scheduled": list(listed.scheduled().order_by("published_at")[:LIMIT]),
        "most_read": charts.most_read_today(limit=5),
        "spark": {"width": charts.SPARK_WIDTH, "height": charts.SPARK_HEIGHT},
    }
