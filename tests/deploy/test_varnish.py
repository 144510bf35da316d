"""deploy/varnish.vcl in a real varnishd in front of the live test server.

The first group checks each rule of the VCL against pages whose headers the test
picks (tests/deploy/edge_urls.py); the second runs the site itself behind
Varnish in CDN mode: what readers see, what reaches Django, and exact counts.
"""

import http.client
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.signals import request_started
from django.urls import reverse

from articles.models import Article
from articles.purging import purge
from tests.conftest import READER_UA
from tests.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)

VCL = Path(django_settings.BASE_DIR) / "deploy" / "varnish.vcl"
VARNISHD = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")


def render_vcl(backend_port, destination):
    """A copy of deploy/varnish.vcl whose backend is the test server."""
    text, replaced = re.subn(
        r'^(backend default \{ \.host = )"[^"]+"; \.port = "\d+";',
        rf'\g<1>"127.0.0.1"; .port = "{backend_port}";',
        VCL.read_text(),
        flags=re.MULTILINE,
    )
    assert replaced == 1, "deploy/varnish.vcl names its backend on one line"
    destination.write_text(text)
    return destination


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self):
        return self.body.decode(errors="replace")

    @property
    def cache(self):
        return self.headers.get("X-Cache")


@dataclass
class Varnish:
    port: int
    workdir: str

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def request(self, path, method="GET", headers=None, body=None, source_address=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1",
            self.port,
            timeout=10,
            source_address=(source_address, 0) if source_address else None,
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path, source_address=None, **headers):
        """A reader's GET; headers with dashes go in as ``**{"HX-Request": "true"}``."""
        return self.request(
            path, headers={"User-Agent": READER_UA, **headers}, source_address=source_address
        )

    def forget_everything(self):
        subprocess.run(
            ["varnishadm", "-n", self.workdir, "ban", "req.url", "~", "."],
            check=True,
            capture_output=True,
            timeout=10,
        )


@pytest.fixture(scope="module")
def varnish(live_server):
    if VARNISHD is None:
        pytest.skip("varnishd is not installed (Debian package varnish)")
    # varnishd reads the VCL after dropping privileges: the copy must be world-readable.
    vcl_dir = Path(tempfile.mkdtemp(prefix="varnish-vcl-"))
    vcl_dir.chmod(0o755)
    vcl = render_vcl(urlsplit(live_server.url).port, vcl_dir / "newsroom.vcl")
    vcl.chmod(0o644)
    edge = Varnish(port=free_port(), workdir=f"/tmp/varnish-test-{secrets.token_hex(6)}")
    process = subprocess.Popen(
        [
            *(VARNISHD, "-F", "-a", f"127.0.0.1:{edge.port}", "-f", str(vcl)),
            *("-s", "malloc,32m", "-n", edge.workdir),
            *("-p", "thread_pools=1", "-p", "thread_pool_min=10"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"varnishd exited: {process.stdout.read().decode()}")
            try:
                edge.request("/health/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("varnishd did not answer within a minute")
                time.sleep(0.1)
        yield edge
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(edge.workdir, ignore_errors=True)
        shutil.rmtree(vcl_dir, ignore_errors=True)


@pytest.fixture
def edge(varnish, settings):
    """Varnish holding nothing, in front of the site in CDN mode."""
    settings.NEWSROOM_CDN = True
    settings.NEWSROOM_PURGE_URLS = [varnish.url]
    settings.NEWSROOM_TRUSTED_PROXIES = 1  # Varnish appends the reader to X-Forwarded-For
    varnish.forget_everything()
    return varnish


@pytest.fixture
def edge_pages(edge, settings):
    settings.ROOT_URLCONF = "tests.deploy.edge_urls"
    return edge


class BackendRequests:
    """Every request that reached Django, as "METHOD /path?query"."""

    def __init__(self):
        self.seen = []

    def __call__(self, sender, environ, **kwargs):
        query = environ.get("QUERY_STRING")
        path = environ["PATH_INFO"] + (f"?{query}" if query else "")
        self.seen.append(f"{environ['REQUEST_METHOD']} {path}")

    def count(self, request):
        return self.seen.count(request)


@pytest.fixture
def backend():
    seen = BackendRequests()
    request_started.connect(seen)
    yield seen
    request_started.disconnect(seen)


# --- The VCL, rule by rule ---------------------------------------------------


def test_a_shared_page_is_served_from_varnish_the_second_time(edge_pages, backend):
    first = edge_pages.get("/edge/front/")
    second = edge_pages.get("/edge/front/")

    assert (first.status, first.cache) == (200, "MISS")
    assert (second.status, second.cache) == (200, "HIT")
    assert second.text == first.text == "<p>The front page, GET.</p>"
    assert backend.count("GET /edge/front/") == 1


def test_a_head_request_is_answered_from_the_cached_page(edge_pages, backend):
    edge_pages.get("/edge/front/")
    head = edge_pages.request("/edge/front/", method="HEAD")

    assert (head.status, head.cache) == (200, "HIT")
    assert backend.count("GET /edge/front/") == 1


def test_a_post_always_reaches_the_site(edge_pages, backend):
    edge_pages.get("/edge/front/")
    answers = [edge_pages.request("/edge/front/", method="POST", body="a=1") for _ in range(2)]

    assert [a.text for a in answers] == ["<p>The front page, POST.</p>"] * 2
    assert backend.count("POST /edge/front/") == 2


@pytest.mark.parametrize(
    "path", ["/admin/edge/", "/health/", "/articles/a-story/viewed/", "/preview/a-token/"]
)
def test_the_desk_the_health_check_the_view_beacon_and_previews_always_reach_the_site(
    edge_pages, backend, path
):
    answers = [edge_pages.get(path) for _ in range(3)]

    assert [a.status for a in answers] == [200, 200, 200]
    assert backend.count(f"GET {path}") == 3


@pytest.mark.parametrize("cookie", ["sessionid=abc123", "messages=xyz; csrftoken=t0k3n"])
def test_a_reader_with_a_session_or_a_message_always_reaches_the_site(edge_pages, backend, cookie):
    edge_pages.get("/edge/front/")
    answers = [edge_pages.get("/edge/front/", Cookie=cookie) for _ in range(2)]

    assert [a.cache for a in answers] == ["MISS", "MISS"]
    assert backend.count("GET /edge/front/") == 3


def test_other_cookies_do_not_split_the_cache(edge_pages, backend):
    edge_pages.get("/edge/front/")
    with_cookies = edge_pages.get("/edge/front/", Cookie="csrftoken=t0k3n; _ga=GA1.1.123")

    assert with_cookies.cache == "HIT"
    assert backend.count("GET /edge/front/") == 1


def test_campaign_parameters_do_not_split_the_cache(edge_pages, backend):
    edge_pages.get("/edge/front/")
    from_newsletter = edge_pages.get("/edge/front/?utm_source=newsletter&utm_medium=email")
    from_ads = edge_pages.get("/edge/front/?gclid=abc&fbclid=def")
    second_page = edge_pages.get("/edge/front/?utm_source=x&page=2&fbclid=y")

    assert [from_newsletter.cache, from_ads.cache] == ["HIT", "HIT"]
    assert second_page.cache == "MISS"
    assert backend.seen == ["GET /edge/front/", "GET /edge/front/?page=2"]


def test_a_page_that_sets_a_cookie_is_never_cached(edge_pages, backend):
    answers = [edge_pages.get("/edge/cookie/") for _ in range(2)]

    assert [a.cache for a in answers] == ["MISS", "MISS"]
    assert "flavour=oatmeal" in answers[1].headers["Set-Cookie"]
    assert backend.count("GET /edge/cookie/") == 2


def test_a_page_without_shared_cache_headers_is_never_cached(edge_pages, backend):
    answers = [edge_pages.get("/edge/unmarked/") for _ in range(2)]

    assert [a.cache for a in answers] == ["MISS", "MISS"]
    assert backend.count("GET /edge/unmarked/") == 2


def test_readers_are_not_shown_the_surrogate_keys(edge_pages):
    answers = [edge_pages.get("/edge/front/") for _ in range(2)]

    assert [a.headers.get("Surrogate-Key") for a in answers] == [None, None]


def purge_keys(edge, keys, **kwargs):
    return edge.request("/", method="PURGE", headers={"Surrogate-Key": keys}, **kwargs)


def test_a_purge_of_site_makes_every_page_a_miss(edge_pages, backend):
    for tag in ("front", "article-1"):
        edge_pages.get(f"/edge/{tag}/")

    purged = purge_keys(edge_pages, "site")

    assert purged.status == 200
    assert edge_pages.get("/edge/front/").cache == "MISS"
    assert edge_pages.get("/edge/article-1/").cache == "MISS"
    assert backend.count("GET /edge/front/") == 2


def test_a_purge_of_one_article_keeps_the_others(edge_pages):
    for tag in ("article-1", "article-2", "article-12"):
        edge_pages.get(f"/edge/{tag}/")

    purge_keys(edge_pages, "article-1")

    assert edge_pages.get("/edge/article-1/").cache == "MISS"
    assert edge_pages.get("/edge/article-2/").cache == "HIT"
    assert edge_pages.get("/edge/article-12/").cache == "HIT"


def test_a_purge_of_part_of_a_key_drops_nothing(edge_pages):
    edge_pages.get("/edge/article-1/")

    purge_keys(edge_pages, "rticle-1")
    purge_keys(edge_pages, "article")

    assert edge_pages.get("/edge/article-1/").cache == "HIT"


def test_a_purge_of_several_keys_drops_each(edge_pages):
    for tag in ("article-1", "article-2", "article-3"):
        edge_pages.get(f"/edge/{tag}/")

    purge_keys(edge_pages, "article-1 article-3")

    assert edge_pages.get("/edge/article-1/").cache == "MISS"
    assert edge_pages.get("/edge/article-2/").cache == "HIT"
    assert edge_pages.get("/edge/article-3/").cache == "MISS"


def test_a_purge_without_keys_drops_that_address(edge_pages):
    edge_pages.get("/edge/article-1/")
    edge_pages.get("/edge/article-2/")

    purged = edge_pages.request("/edge/article-1/", method="PURGE")

    assert purged.status == 200
    assert edge_pages.get("/edge/article-1/").cache == "MISS"
    assert edge_pages.get("/edge/article-2/").cache == "HIT"


def test_a_purge_with_a_malformed_key_is_refused(edge_pages):
    edge_pages.get("/edge/article-1/")

    refused = purge_keys(edge_pages, "article-1|.*")

    assert refused.status == 400
    assert edge_pages.get("/edge/article-1/").cache == "HIT"


def test_a_purge_from_outside_the_purgers_list_is_refused(edge_pages):
    edge_pages.get("/edge/front/")

    refused = purge_keys(edge_pages, "site", source_address="127.0.0.2")

    assert refused.status == 403
    assert edge_pages.get("/edge/front/").cache == "HIT"


def test_the_sites_purge_client_empties_varnish(edge_pages):
    edge_pages.get("/edge/article-1/")
    edge_pages.get("/edge/article-2/")

    purge("article-2")

    assert edge_pages.get("/edge/article-1/").cache == "HIT"
    assert edge_pages.get("/edge/article-2/").cache == "MISS"


# --- The site behind Varnish, in CDN mode -------------------------------------


def test_the_home_page_is_served_from_varnish_on_repeat(edge, backend, make_article):
    make_article(headline="Harbour bridge reopens")

    first = edge.get("/")
    second = edge.get("/")

    assert (second.status, second.cache) == (200, "HIT")
    assert "Harbour bridge reopens" in second.text
    assert first.cache == "MISS"
    assert backend.count("GET /") == 1


def test_a_new_story_is_on_the_home_page_through_varnish_at_once(edge, make_article):
    make_article(headline="Harbour bridge reopens")
    edge.get("/")

    make_article(headline="Council approves the budget")

    assert "Council approves the budget" in edge.get("/").text


def test_an_article_page_is_served_from_varnish_on_repeat(edge, backend, make_article):
    article = make_article(headline="Harbour bridge reopens")
    page = article.get_absolute_url()

    answers = [edge.get(page) for _ in range(3)]

    assert [a.status for a in answers] == [200, 200, 200]
    assert "Harbour bridge reopens" in answers[2].text
    assert [a.cache for a in answers] == ["MISS", "HIT", "HIT"]
    assert "Set-Cookie" not in answers[0].headers
    assert backend.count(f"GET {page}") == 1


def read_through_varnish(edge, article, source_address=None, **headers):
    """A reader with JavaScript: the page (from Varnish), then its view beacon."""
    edge.get(article.get_absolute_url(), source_address=source_address, **headers)
    beacon = reverse("articles:viewed", kwargs={"slug": article.slug})
    return edge.get(beacon, source_address=source_address, **{"HX-Request": "true", **headers})


def test_counts_stay_exact_across_fifty_readers_behind_varnish(edge, backend, make_article):
    article = make_article()
    readers = [f"{READER_UA} reader/{n}" for n in range(50)]

    beacons = [  # each from an address of its own, as one address's views are capped
        read_through_varnish(edge, article, source_address=f"127.0.1.{n + 1}", **{"User-Agent": ua})
        for n, ua in enumerate(readers)
    ]
    repeat = read_through_varnish(
        edge, article, source_address="127.0.1.1", **{"User-Agent": readers[0]}
    )

    article.refresh_from_db()
    assert article.view_count == 50
    assert "50 views" in beacons[-1].text
    assert "50 views" in repeat.text
    beacon = reverse("articles:viewed", kwargs={"slug": article.slug})
    assert backend.count(f"GET {article.get_absolute_url()}") == 1
    assert backend.count(f"GET {beacon}") == 51


def test_readers_at_different_addresses_count_apart_behind_varnish(edge, make_article):
    article = make_article()

    for last_octet in range(2, 7):
        read_through_varnish(edge, article, source_address=f"127.0.0.{last_octet}")

    article.refresh_from_db()
    assert article.view_count == 5


def test_a_forged_forwarded_address_does_not_make_a_new_reader(edge, make_article):
    article = make_article()

    for forged in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        read_through_varnish(edge, article, **{"X-Forwarded-For": forged})

    article.refresh_from_db()
    assert article.view_count == 1


def test_a_reader_without_javascript_is_counted_by_the_image(edge, backend, make_article):
    article = make_article()
    beacon = reverse("articles:viewed", kwargs={"slug": article.slug})

    edge.get(article.get_absolute_url())
    image = edge.get(beacon)

    assert image.status == 200
    assert image.headers["Content-Type"] == "image/gif"
    assert image.body.startswith(b"GIF")
    article.refresh_from_db()
    assert article.view_count == 1


def test_an_edit_is_visible_on_the_next_request_through_varnish(edge, make_article):
    article = make_article(headline="Harbour bridge closes")
    page = article.get_absolute_url()
    edge.get(page)
    assert edge.get(page).cache == "HIT"

    article.headline = "Harbour bridge reopens"
    article.save()

    fresh = edge.get(page)
    assert "Harbour bridge reopens" in fresh.text
    assert "Harbour bridge closes" not in fresh.text


def test_an_unpublished_article_is_gone_on_the_next_request_through_varnish(edge, make_article):
    article = make_article(headline="Harbour bridge closes")
    page = article.get_absolute_url()
    edge.get(page)
    edge.get("/")

    article.status = Article.Status.DRAFT
    article.save()

    assert edge.get(page).status == 404
    assert "Harbour bridge closes" not in edge.get("/").text


def test_an_approved_comment_shows_at_once_and_leaves_the_rest_of_the_site_cached(
    edge, make_article, make_comment
):
    article = make_article()
    comment = make_comment(article=article, status="pending", body="The ferry was late again.")
    page = article.get_absolute_url()
    edge.get(page)
    edge.get("/")

    comment.status = "approved"
    comment.save()

    assert "The ferry was late again." in edge.get(page).text
    assert edge.get("/").cache == "HIT"


def test_an_editor_previews_a_draft_through_varnish_and_readers_never_see_it(
    edge, client, editor, make_article
):
    draft = make_article(headline="Budget leak under embargo", status=Article.Status.DRAFT)
    page = draft.get_absolute_url()
    client.force_login(editor)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    preview = edge.get(page, Cookie=f"{django_settings.SESSION_COOKIE_NAME}={session}")
    reader = edge.get(page)

    assert preview.status == 200
    assert "Budget leak under embargo" in preview.text
    assert reader.status == 404
    assert "Budget leak under embargo" not in reader.text
