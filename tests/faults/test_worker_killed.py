"""A worker killed during load: gunicorn replaces it, no other request fails, and
the count of completed visits is exact."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.run import production_env as bench_production_env
from tests.conftest import READER_UA
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SLUG = "worker-killed-story"


def production_env(tmp_path):
    """The benchmark's production environment, on the site's own settings (the
    view cap in force) with a file SQLite database and folders of this test's."""
    env = bench_production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_CACHE_DIR=str(tmp_path / "cache"),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        # Each reader its own address (X-Forwarded-For), as behind a proxy: one
        # address counts only so many views of an article an hour.
        NEWSROOM_TRUSTED_PROXIES="1",
    )
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


PUBLISH = f"""
from django.utils import timezone
from articles.models import Article, Category
category = Category.objects.create(name="Faults", slug="faults", position=1)
Article.objects.create(
    headline="Worker killed story", slug="{SLUG}", standfirst="s", body="<p>b</p>",
    status=Article.Status.PUBLISHED, published_at=timezone.now(), category=category)
"""


@pytest.fixture
def gunicorn(tmp_path):
    if not GUNICORN.exists():
        pytest.skip("needs gunicorn (requirements.txt)")
    env = production_env(tmp_path)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    manage(env, "shell", "-c", PUBLISH)
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "newsroom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(f"{base_url}/health/live/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield server, base_url, tmp_path
    finally:
        server.terminate()
        server.wait(timeout=10)


def workers_of(server):
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_killing_a_worker_fails_at_most_the_request_it_was_serving(gunicorn):
    server, base_url, folder = gunicorn
    results = {"ok": 0, "failed": 0}
    lock = threading.Lock()
    stop = threading.Event()
    readers = iter(range(1_000_000))

    def load():
        while not stop.is_set():
            with lock:
                reader = next(readers)
            request = urllib.request.Request(
                f"{base_url}/articles/{SLUG}/",
                headers={
                    "User-Agent": f"{READER_UA} reader/{reader}",
                    "X-Forwarded-For": f"10.{reader >> 16 & 255}.{reader >> 8 & 255}.{reader & 255}",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()
                    outcome = "ok" if response.status == 200 else "failed"
            except (OSError, urllib.error.HTTPError):
                outcome = "failed"
            with lock:
                results[outcome] += 1

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    victim = workers_of(server)[0]
    os.kill(victim, signal.SIGKILL)
    time.sleep(2.5)  # gunicorn starts a new worker meanwhile
    stop.set()
    for thread in threads:
        # Each request gives up after 10 s: a thread still running past this would
        # record its outcome after the counts below were read.
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    assert victim not in workers_of(server) and len(workers_of(server)) == 2
    assert results["ok"] > 20
    assert results["failed"] <= 1
    with sqlite3.connect(folder / "db.sqlite3") as db:
        (views,) = db.execute(
            "SELECT view_count FROM articles_article WHERE slug = ?", [SLUG]
        ).fetchone()
    # Every answered visit is counted, or reported lost (SQLite's lock not had
    # within the counting wait on a busy machine); a request killed after its count
    # committed is counted but was not answered.
    log = (folder / "gunicorn.log").read_text()
    lost = log.count("View of article")
    assert results["ok"] <= views + lost <= results["ok"] + results["failed"], (results, log)
