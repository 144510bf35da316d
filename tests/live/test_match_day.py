"""A match day run from the admin alone, as an editor would: two reporters join
the desk as contributors, the live coverage goes out under both names and is
pinned on the home page, entries are posted during the match, the coverage
ends, and the report that follows takes the home page's lead slot."""

import pytest
from django.urls import reverse

from articles.models import Article, Contributor, Pin
from live.models import LiveEntry
from tests.articles.test_admin import article_form

# Committed for real: each change moves the caches on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def credits(*contributors):
    data = {"credits-TOTAL_FORMS": str(len(contributors))}
    for order, contributor in enumerate(contributors):
        data |= {
            f"credits-{order}-order": str(order),
            f"credits-{order}-contributor": str(contributor.pk),
            f"credits-{order}-role": "author",
        }
    return data


def added(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_an_editor_runs_a_match_day_from_the_admin(client, editor, make_category, settings):
    settings.NEWSROOM_CDN = False
    sports = make_category(name="Sports", slug="sports")
    client.force_login(editor)
    for name, slug in (("Marta Rossi", "marta-rossi"), ("Luca Bianchi", "luca-bianchi")):
        added(client, reverse("admin:articles_contributor_add"), {"name": name, "slug": slug})
    marta, luca = (
        Contributor.objects.get(slug="marta-rossi"),
        Contributor.objects.get(slug="luca-bianchi"),
    )

    # Before kick-off: the live coverage, by both, pinned to lead the home page.
    added(
        client,
        reverse("admin:articles_article_add"),
        article_form(
            sports,
            headline="Atalanta v Dortmund, live",
            slug="atalanta-dortmund-live",
            body="<p>Follow the play-off second leg as it happens.</p>",
            live_status=Article.LiveStatus.LIVE,
            **credits(marta, luca),
        ),
    )
    live = Article.objects.get(slug="atalanta-dortmund-live")
    added(client, reverse("admin:articles_pin_add"), {"slot": "1", "article": live.pk})

    # During the match: entries from the live desk, a goal among them.
    desk = reverse("admin:live_desk", args=[live.pk])
    for body, label, author in (
        ("<p>Kick-off in Bergamo.</p>", "", luca),
        ("<p>Lookman scores from the edge of the box.</p>", "Goal", marta),
    ):
        added(
            client,
            desk,
            {
                "action": "post",
                "entry-body": body,
                "entry-key_event_label": label,
                "entry-author": author.pk,
            },
        )
    assert LiveEntry.objects.filter(article=live).count() == 2

    client.logout()
    home = client.get("/").content.decode()
    lead = home[home.index("card--lead") :]
    assert lead.index("Atalanta v Dortmund, live") < lead.index("</article>")
    page = client.get(live.get_absolute_url()).content.decode()
    assert "By " in page and "Marta Rossi" in page and "Luca Bianchi" in page
    assert page.index("Lookman scores") < page.index("Kick-off in Bergamo")

    # Full time: the coverage ends, and the report by both takes the lead slot.
    client.force_login(editor)
    added(client, desk, {"action": "end"})
    added(
        client,
        reverse("admin:articles_article_add"),
        article_form(
            sports,
            headline="Atalanta through after a late winner",
            slug="atalanta-through",
            body="<p>The match report.</p>",
            **credits(marta, luca),
        ),
    )
    report = Article.objects.get(slug="atalanta-through")
    pin = Pin.objects.get(slot=1, category__isnull=True)
    added(
        client,
        reverse("admin:articles_pin_change", args=[pin.pk]),
        {"slot": "1", "article": report.pk},
    )
    added(client, reverse("admin:articles_pin_add"), {"slot": "2", "article": live.pk})

    client.logout()
    home = client.get("/").content.decode()
    lead = home[home.index("card--lead") :]
    assert lead.index("Atalanta through after a late winner") < lead.index("</article>")
    assert home.count("Atalanta v Dortmund, live") == 1
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Marta Rossi" in page and "Luca Bianchi" in page
    assert "Live coverage has ended" in client.get(live.get_absolute_url()).content.decode()
