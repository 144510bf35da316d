"""Why a comment was held was free text; it becomes reason codes with evidence."""

from django.db import migrations

BLOCKED = "blocked word: "


def reasons_from_text(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    HoldReason = apps.get_model("comments", "HoldReason")
    reasons = []
    held = Comment.objects.exclude(held_because="").values_list("pk", "held_because")
    for pk, text in held.iterator():
        if text.startswith(BLOCKED):
            code, evidence = "blocked_term", {"term": text[len(BLOCKED) :], "where": "text"}
        else:
            code, evidence = {
                "more links than allowed": ("links", {}),
                "the same text again": ("duplicate", {}),
                "reported by readers": ("reports", {}),
            }.get(text, ("suspect_term", {"term": text, "where": "text"}))
        reasons.append(HoldReason(comment_id=pk, code=code, evidence=evidence))
    HoldReason.objects.bulk_create(reasons, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("comments", "0008_moderation_desk")]

    operations = [migrations.RunPython(reasons_from_text, migrations.RunPython.noop)]
