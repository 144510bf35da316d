"""The five standing pages every newsroom site links from its footer. They are
made by a data migration and made whole again after every migrate (a database
flush, in tests or by ``manage.py flush``, empties them): a missing one is
created with its starter text; an edited one is left as it is."""

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
        '<p>Write to the newsroom at <a href="mailto:newsroom@example.com">'
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
        '<a href="mailto:privacy@example.com">privacy@example.com</a> for a copy of what we '
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


def ensure_standing_pages(Page):
    """Create whichever standing page is missing (``Page`` may be historical)."""
    for slug, title, summary, body in PAGES:
        Page.objects.get_or_create(
            slug=slug, defaults={"title": title, "summary": summary, "body": body}
        )


def ensure_after_migrate(sender, **kwargs):
    """post_migrate receiver for this app."""
    from .models import Page

    ensure_standing_pages(Page)
