from django.db import migrations

PAGES = [
    (
        "about",
        "About us",
        "Who we are, what we cover and how we are paid for.",
        "<p>We are an independent newsroom reporting on our city, its sport, business and "
        "culture. Every story shows its sources, and we correct our mistakes in public.</p>"
        "<h2>How we are paid for</h2><p>Readers, advertising and clearly labelled sponsored "
        "stories. Sponsors never influence our journalism.</p>",
    ),
    (
        "contact",
        "Contact us",
        "How to reach the newsroom, send a tip or ask for a correction.",
        "<p>Write to the newsroom at <a href=\"mailto:newsroom@example.com\">"
        "newsroom@example.com</a>. To report an error in a story, say which story and what is "
        "wrong; an editor answers within two working days.</p>",
    ),
    (
        "privacy",
        "Privacy",
        "What we keep about readers and commenters, and for how long.",
        "<p>We count views without cookies: a reader is a salted hash that changes every day. "
        "Commenters give a name and an email address; the address is never shown and is used "
        "only to reach them about their comments.</p><p>Ask us at "
        "<a href=\"mailto:privacy@example.com\">privacy@example.com</a> for a copy of what we "
        "hold about you, or to delete it.</p>",
    ),
    (
        "corrections-policy",
        "Corrections policy",
        "How we correct, clarify and update our stories.",
        "<p>When we get something wrong, we fix it and say so: a correction notes what was "
        "wrong and what is right, with the time, on the story and on our corrections page. A "
        "clarification adds context that was missing. An update adds news.</p><p>A correction "
        "is never deleted; if it was itself wrong, it is retracted with a reason.</p>",
    ),
    (
        "comment-guidelines",
        "Comment guidelines",
        "What we welcome in the comments, and what we remove.",
        "<p>Argue with ideas, not people. Stay on the story's subject. No abuse, threats, "
        "discrimination, spam or personal details of others.</p><p>Editors remove comments "
        "that break these rules, and may suspend or ban repeat offenders. Report a comment "
        "with its Report button.</p>",
    ),
]


def create_pages(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for slug, title, summary, body in PAGES:
        Page.objects.get_or_create(
            slug=slug, defaults={"title": title, "summary": summary, "body": body}
        )


def remove_pages(apps, schema_editor):
    apps.get_model("pages", "Page").objects.filter(slug__in=[p[0] for p in PAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_standing_pages")]

    operations = [migrations.RunPython(create_pages, remove_pages)]
