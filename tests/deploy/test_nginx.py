"""deploy/nginx.conf in a real nginx, in front of a real gunicorn in production mode.

The production layout the README documents: gunicorn's sync worker must never
face a slow client. The test prepares an SQLite file database, starts gunicorn
with one sync worker (so one stuck request would block everything) and nginx
with the repository's configuration, its ports and paths rendered for the test.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from bench.run import production_env
from tests.conftest import READER_UA
from tests.servers import free_port

ROOT = Path(django_settings.BASE_DIR)
CONF = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
HOT_SLUG = "harbour-bridge-reopens"


def render_conf(upstream_port, listen_port, media_root, destination):
    """A copy of deploy/nginx.conf for this machine: each replaced line exists once."""
    text = CONF.read_text()
    for pattern, replacement in [
        (r"^(\s*server )127\.0\.0\.1:\d+;", rf"\g<1>127.0.0.1:{upstream_port};"),
        (r"^(\s*listen )\d+;", rf"\g<1>127.0.0.1:{listen_port};"),
        (r"^(\s*alias )\S+;", rf"\g<1>{media_root}/;"),
    ]:
        text, replaced = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        assert replaced == 1, f"deploy/nginx.conf has one line matching {pattern}"
    destination.write_text(text)
    return destination


def wait_for(port, process, name, path="/health/", timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"{name} exited: {process.stdout.read().decode(errors='replace')}")
        try:
            if get(port, path).status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{name} did not answer within {timeout} s")
        time.sleep(0.1)


class Answer:
    def __init__(self, response):
        self.status = response.status
        self.headers = response.headers
        self.text = response.read().decode(errors="replace")


def get(port, path, source_address=None, timeout=10, **headers):
    connection = http.client.HTTPConnection(
        "127.0.0.1",
        port,
        timeout=timeout,
        source_address=(source_address, 0) if source_address else None,
    )
    try:
        connection.request("GET", path, headers={"User-Agent": READER_UA, **headers})
        return Answer(connection.getresponse())
    finally:
        connection.close()


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def site():
    """gunicorn (production mode, one sync worker) and nginx in front of it."""
    if NGINX is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed (CI must run this test)")
        pytest.skip("nginx is not installed (Debian package nginx)")
    # World-readable: nginx's workers drop root's privileges.
    workdir = Path(tempfile.mkdtemp(prefix="nginx-test-"))
    workdir.chmod(0o755)
    database = workdir / "site.sqlite3"
    env = production_env(f"sqlite:///{database}")
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        DJANGO_CACHE_DIR=str(workdir / "cache"),
        NEWSROOM_TRUSTED_PROXIES="1",
    )
    env.pop("REDIS_URL", None)
    run_manage(env, "migrate", "--no-input")
    run_manage(env, "collectstatic", "--no-input")
    run_manage(
        env,
        "shell",
        "-c",
        "from articles.models import Article, Category;"
        "from django.utils import timezone;"
        "c = Category.objects.create(name='City', slug='city');"
        f"Article.objects.create(headline='Harbour bridge reopens', slug='{HOT_SLUG}',"
        " category=c, body='<p>Open again.</p>', status='published',"
        " published_at=timezone.now() - timezone.timedelta(hours=1))",
    )
    app_port, edge_port = free_port(), free_port()
    conf = render_conf(app_port, edge_port, workdir / "media", workdir / "nginx.conf")
    processes = []
    try:
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "newsroom.wsgi",
                *("--bind", f"127.0.0.1:{app_port}", "--workers", "1"),
                *("--worker-class", "sync", "--timeout", "30"),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        processes.append(gunicorn)
        wait_for(app_port, gunicorn, "gunicorn")
        nginx = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", f"{workdir}/", "-g", "daemon off;", "-e", "stderr"],
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        processes.append(nginx)
        wait_for(edge_port, nginx, "nginx")
        yield {"port": edge_port, "database": database}
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)


def view_count(site):
    with sqlite3.connect(site["database"]) as connection:
        (count,) = connection.execute(
            "SELECT view_count FROM articles_article WHERE slug = ?", [HOT_SLUG]
        ).fetchone()
    return count


def test_a_page_through_nginx_is_the_apps_page_with_its_headers(site):
    page = get(site["port"], f"/articles/{HOT_SLUG}/", **{"Accept-Encoding": "gzip"})

    assert page.status == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Content-Encoding"] == "gzip"
    assert page.headers["Server"] == "nginx"


def test_static_files_come_through_with_a_long_lifetime(site):
    home = get(site["port"], "/")
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home.text).group(1)

    css = get(site["port"], stylesheet)

    assert css.status == 200
    assert "immutable" in css.headers["Cache-Control"]
    assert ".site-header" in css.text


def slowloris(port, stop_at):
    """A client that sends its request head one byte at a time and never finishes."""
    head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nX-Padding: " + b"a" * 200
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for byte in head:
            if time.monotonic() > stop_at:
                return
            try:
                sock.send(bytes([byte]))
            except OSError:
                return
            time.sleep(0.05)


def test_two_slowloris_clients_do_not_hold_up_a_reader(site):
    stop_at = time.monotonic() + 4
    attackers = [
        threading.Thread(target=slowloris, args=(site["port"], stop_at), daemon=True)
        for _ in range(2)
    ]
    for attacker in attackers:
        attacker.start()
    time.sleep(0.5)  # both are connected and trickling

    timings = []
    for _ in range(3):
        started = time.monotonic()
        page = get(site["port"], "/", timeout=5)
        timings.append(time.monotonic() - started)
        assert page.status == 200
        time.sleep(0.5)

    for attacker in attackers:
        attacker.join()
    assert max(timings) < 1.0, timings


def test_an_oversized_body_is_refused_with_413_before_it_reaches_the_app(site):
    too_big = (django_settings.NEWSROOM_MAX_UPLOAD_MB + 2) * 1024 * 1024
    with socket.create_connection(("127.0.0.1", site["port"]), timeout=10) as sock:
        sock.sendall(
            b"POST /admin/articles/article/add/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {too_big}\r\n\r\n".encode()
            + b"--x\r\n"
        )
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]

    assert status_line.split()[1] == b"413"


def test_the_body_limit_allows_a_full_size_hero_image():
    limit = re.search(r"^\s*client_max_body_size (\d+)m;", CONF.read_text(), re.MULTILINE)

    assert int(limit.group(1)) > django_settings.NEWSROOM_MAX_UPLOAD_MB


def test_the_readers_address_reaches_the_app(site):
    before = view_count(site)

    for address in ("127.0.0.2", "127.0.0.3"):
        assert get(site["port"], f"/articles/{HOT_SLUG}/", source_address=address).status == 200
    # The same reader again, claiming other addresses: nginx appends the real one.
    for forged in ("203.0.113.7", "203.0.113.8"):
        get(
            site["port"],
            f"/articles/{HOT_SLUG}/",
            source_address="127.0.0.3",
            **{"X-Forwarded-For": forged},
        )

    assert view_count(site) == before + 2
