"""Purging the shared caches: one PURGE per cache, never an error for the caller."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from articles.purging import purge, purge_on_commit


class PurgeRecorder(ThreadingHTTPServer):
    """A cache stand-in on a free local port that remembers every PURGE it gets."""

    def __init__(self):
        self.received = []
        super().__init__(("127.0.0.1", 0), PurgeHandler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class PurgeHandler(BaseHTTPRequestHandler):
    def do_PURGE(self):
        self.server.received.append(
            {"path": self.path, "surrogate_key": self.headers.get("Surrogate-Key")}
        )
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def cache_server():
    server = PurgeRecorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def silent_server():
    """Accepts connections and never answers, like a hung cache."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.fixture
def closed_port_url():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"


def test_purge_sends_one_purge_with_all_keys_to_the_cache(settings, cache_server):
    settings.NEWSROOM_PURGE_URLS = [cache_server.url]

    purge("site", "article-7")

    assert cache_server.received == [{"path": "/", "surrogate_key": "site article-7"}]


def test_purge_names_each_key_once(settings, cache_server):
    settings.NEWSROOM_PURGE_URLS = [cache_server.url]

    purge("article-7", "site", "article-7")

    assert [r["surrogate_key"] for r in cache_server.received] == ["article-7 site"]


def test_purge_tells_every_configured_cache(settings):
    first, second = PurgeRecorder(), PurgeRecorder()
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (first, second)]
    for thread in threads:
        thread.start()
    try:
        settings.NEWSROOM_PURGE_URLS = [first.url, second.url]
        purge("site")
    finally:
        for server in (first, second):
            server.shutdown()
            server.server_close()

    assert [r["surrogate_key"] for r in first.received] == ["site"]
    assert [r["surrogate_key"] for r in second.received] == ["site"]


def test_purge_sends_nothing_when_no_cache_is_configured(settings, cache_server):
    settings.NEWSROOM_PURGE_URLS = []

    purge("site")

    assert cache_server.received == []


def test_purge_without_keys_sends_nothing(settings, cache_server):
    settings.NEWSROOM_PURGE_URLS = [cache_server.url]

    purge()
    purge("")

    assert cache_server.received == []


def test_a_refused_connection_is_logged_not_raised(settings, closed_port_url, caplog):
    settings.NEWSROOM_PURGE_URLS = [closed_port_url]

    purge("site")

    assert "Purge of 'site'" in caplog.text
    assert caplog.records[-1].name == "newsroom.purging"


def test_a_hung_cache_gives_up_within_a_second(settings, silent_server, caplog):
    settings.NEWSROOM_PURGE_URLS = [silent_server]

    started = time.monotonic()
    purge("site")

    assert time.monotonic() - started < 1.0
    assert "failed" in caplog.text


def test_a_dead_cache_does_not_stop_the_purge_of_the_next(
    settings, closed_port_url, silent_server, cache_server
):
    settings.NEWSROOM_PURGE_URLS = [closed_port_url, silent_server, cache_server.url]

    purge("article-3")

    assert [r["surrogate_key"] for r in cache_server.received] == ["article-3"]


def test_a_malformed_cache_url_is_logged_not_raised(settings, caplog):
    settings.NEWSROOM_PURGE_URLS = ["http://127.0.0.1:notaport"]

    purge("site")

    assert "failed" in caplog.text


def test_purge_on_commit_waits_for_the_commit(
    settings, cache_server, db, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PURGE_URLS = [cache_server.url]

    with django_capture_on_commit_callbacks(execute=True):
        purge_on_commit("article-5")
        assert cache_server.received == []

    assert [r["surrogate_key"] for r in cache_server.received] == ["article-5"]


def test_purge_on_commit_sends_nothing_when_the_transaction_rolls_back(
    settings, cache_server, db, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PURGE_URLS = [cache_server.url]

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        purge_on_commit("article-5")
        raise RuntimeError("the save failed")

    assert callbacks == []
    assert cache_server.received == []
