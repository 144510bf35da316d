"""The admin index as the desk's dashboard: what waits for this person, what
goes out next, what readers read today. A fixed number of queries."""

from django import template

from articles import charts, workflow
from articles.models import Article

register = template.Library()

LIMIT = 6


@register.inclusion_tag("admin/articles/_dashboard.html", takes_context=True)
def desk_dashboard(context):
    user = context["request"].user
    may_publish = workflow.may_publish(user)
    listed = Article.objects.for_listing()
    return {
        "may_publish": may_publish,
        "awaiting_review": list(listed.awaiting_review_by(user)[:LIMIT]) if may_publish else [],
        "sent_back": list(listed.in_desk_state("changes_requested").filter(author=user)[:LIMIT]),
        "scheduled": list(listed.scheduled().order_by("published_at")[:LIMIT]),
        "most_read": charts.most_read_today(limit=5),
        "spark": {"width": charts.SPARK_WIDTH, "height": charts.SPARK_HEIGHT},
    }
