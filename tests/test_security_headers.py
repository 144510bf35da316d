"""Every page tells the browser what it may load and which features it may use."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def policy(response):
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def pages(make_article, editor):
    article = make_article(headline="Council approves housing plan")
    return {
        "home": "/",
        "category": article.category.get_absolute_url(),
        "article": article.get_absolute_url(),
        "comment form": reverse("comments:form", kwargs={"slug": article.slug}),
        "search": "/search/?q=housing",
        "not found": "/no-such-page/",
        "feed": "/feeds/latest/",
        "admin login": "/admin/login/",
    }


def test_every_page_forbids_inline_script_eval_plugins_and_framing(client, pages):
    for name, url in pages.items():
        directives = policy(client.get(url))

        assert directives["script-src"] == ["'self'"], name
        assert directives["default-src"] == ["'self'"], name
        assert directives["object-src"] == ["'none'"], name
        assert directives["frame-ancestors"] == ["'none'"], name
        assert directives["base-uri"] == ["'self'"], name
        assert directives["form-action"] == ["'self'"], name
        assert not any("unsafe" in v for values in directives.values() for v in values), name


def test_every_page_turns_off_camera_microphone_location_payment_usb_and_topics(client, pages):
    for name, url in pages.items():
        header = client.get(url)["Permissions-Policy"]
        features = dict(item.strip().split("=") for item in header.split(","))

        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
            assert features[feature] == "()", (name, feature)


def test_the_desk_allows_only_the_editors_import_map_and_base_styles_inline(
    client, editor, make_article
):
    article = make_article()
    client.force_login(editor)

    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert response.status_code == 200
    own, *nonces = policy(response)["script-src"]
    assert own == "'self'"
    assert [nonce.startswith("'nonce-") for nonce in nonces] == [True]
    assert f'<script type="importmap" nonce="{nonces[0][7:-1]}">' in response.content.decode()
    own, editor_styles = policy(response)["style-src"]
    assert own == "'self'"
    assert editor_styles.startswith("'sha256-")


def test_htmx_is_configured_to_need_neither_eval_nor_an_injected_style(client):
    page = client.get("/").content.decode()

    assert '"allowEval":false' in page
    assert '"includeIndicatorStyles":false' in page


def test_no_template_has_an_inline_style_or_script():
    """The policy allows neither: one would be blocked in the reader's browser."""
    import re
    from pathlib import Path

    offenders = []
    for path in (Path(__file__).resolve().parent.parent / "templates").rglob("*.html"):
        markup = re.sub(r"{#.*?#}", "", path.read_text())  # template comments are not sent
        for tag in re.findall(r"<(?:style|script)\b[^>]*>", markup):
            if "src=" not in tag and "application/ld+json" not in tag:
                offenders.append(f"{path.name}: {tag}")
    assert offenders == []
