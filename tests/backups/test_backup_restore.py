"""`manage.py backup` and `manage.py restore`: a round trip taken while the site
is busy gives back exactly what the manifest recorded.

The backup runs while a thread keeps reading the article page as new readers
(each read counts a view through the counting rule) and adding comments. The
backup is then restored, by the command an operator runs, into a fresh
database and media folder, and compared with the manifest and the live site.
"""

import json
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from articles.models import Article
from comments.models import Comment
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(django_settings.BASE_DIR)
ON_POSTGRES = connection.vendor == "postgresql"
HERO = b"\xff\xd8\xff\xe0" + b"JPEG bytes standing in for a hero image" * 50


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    hero = settings.MEDIA_ROOT / "heroes" / "2026" / "bridge.jpg"
    hero.parent.mkdir(parents=True)
    hero.write_bytes(HERO)
    return settings.MEDIA_ROOT


@pytest.fixture
def newsroom(make_article, make_comment, media_root):
    articles = [make_article(headline=f"Story {n}", view_count=10 * n) for n in range(3)]
    for n in range(5):
        make_comment(article=articles[0], body=f"Comment before the backup {n}")
    return articles


class BusySite(threading.Thread):
    """Readers and commenters on one article until stopped."""

    def __init__(self, article):
        super().__init__(daemon=True)
        self.article = article
        self.stopping = threading.Event()
        self.reads = 0
        self.comments = 0
        self.errors = []

    def run(self):
        client = Client()
        try:
            while not self.stopping.is_set():
                self.reads += 1
                page = client.get(
                    self.article.get_absolute_url(),
                    HTTP_USER_AGENT=f"{READER_UA} reader/{self.reads}",
                )
                if page.status_code != 200:
                    self.errors.append(page.status_code)
                if self.reads % 3 == 0:
                    self.comments += 1
                    Comment.objects.create(
                        article=self.article,
                        author_name=f"Busy reader {self.comments}",
                        body=f"Written during the backup {self.comments}",
                        status=Comment.Status.APPROVED,
                        reader=f"{self.comments:064d}",
                    )
        except Exception as error:  # reported by the test, not lost in the thread
            self.errors.append(repr(error))
        finally:
            connection.close()

    def stop(self):
        self.stopping.set()
        self.join(timeout=30)


def live_counts():
    return {
        "articles": Article.objects.count(),
        "comments": Comment.objects.count(),
        "views": sum(Article.objects.values_list("view_count", flat=True)),
    }


def backup_while_busy(article, directory):
    busy = BusySite(article)
    busy.start()
    deadline = time.monotonic() + 30
    while busy.comments < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    call_command("backup", str(directory))
    manifest = json.loads((directory / "manifest.json").read_text())
    # The site keeps moving after the copy was taken: three more comments.
    before = Comment.objects.exclude(author_name__startswith="Busy reader").count()
    in_copy = manifest["counts"]["comments"] - before
    while busy.comments < in_copy + 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    busy.stop()
    assert busy.errors == []
    return manifest


def restore_command(directory, database_url, media_root):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(directory)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def rows(query, database=None, postgres=None):
    if postgres:
        with psycopg.connect(postgres) as conn:
            return conn.execute(query).fetchall()
    with sqlite3.connect(database) as conn:
        return conn.execute(query).fetchall()


def check_restored(manifest, restored_media, **where):
    """The restored database and media hold exactly what the manifest says."""
    (counts,) = rows(
        "SELECT (SELECT COUNT(*) FROM articles_article), (SELECT COUNT(*) FROM comments_comment),"
        " (SELECT SUM(view_count) FROM articles_article)",
        **where,
    )
    assert dict(zip(["articles", "comments", "views"], counts, strict=True)) == manifest["counts"]

    headlines = [h for (h,) in rows("SELECT headline FROM articles_article ORDER BY id", **where)]
    assert headlines == list(Article.objects.order_by("id").values_list("headline", flat=True))
    # Comments were added one at a time: the copy holds the first n, whole.
    restored = rows("SELECT id, body FROM comments_comment ORDER BY id", **where)
    live = list(Comment.objects.order_by("id").values_list("id", "body"))
    assert [tuple(r) for r in restored] == live[: len(restored)]

    assert manifest["media"] == [{"path": "heroes/2026/bridge.jpg", "size": len(HERO)}]
    assert (restored_media / "heroes" / "2026" / "bridge.jpg").read_bytes() == HERO


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite variant")
def test_sqlite_backup_taken_while_busy_restores_exactly_what_it_recorded(newsroom, tmp_path):
    manifest = backup_while_busy(newsroom[0], tmp_path / "backup")

    assert manifest["database"] == "sqlite"
    assert manifest["counts"]["comments"] >= 5 + 3
    assert manifest["counts"]["views"] > 30  # the seeded 0 + 10 + 20, and readers
    assert live_counts()["comments"] > manifest["counts"]["comments"]  # taken mid-stream

    fresh = tmp_path / "fresh.sqlite3"
    restored = restore_command(tmp_path / "backup", f"sqlite:///{fresh}", tmp_path / "restored")

    assert restored.returncode == 0, restored.stderr
    assert f"{manifest['counts']['comments']} comments" in restored.stdout
    check_restored(manifest, tmp_path / "restored", database=fresh)


@pytest.fixture
def throwaway_postgres():
    """A database of its own for the restore, dropped afterwards."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restore_{secrets.token_hex(4)}"
    server = psycopg.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )
    server.execute(f'CREATE DATABASE "{name}"')
    user = settings_dict["USER"]
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    try:
        yield f"postgres://{user}{password}@{host}:{port}/{name}"
    finally:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
def test_postgresql_backup_taken_while_busy_restores_exactly_what_it_recorded(
    newsroom, tmp_path, throwaway_postgres
):
    manifest = backup_while_busy(newsroom[0], tmp_path / "backup")

    assert manifest["database"] == "postgresql"
    assert (tmp_path / "backup" / "database.dump").read_bytes().startswith(b"PGDMP")
    assert manifest["counts"]["comments"] >= 5 + 3
    assert live_counts()["comments"] > manifest["counts"]["comments"]

    restored = restore_command(tmp_path / "backup", throwaway_postgres, tmp_path / "restored")

    assert restored.returncode == 0, restored.stderr
    check_restored(manifest, tmp_path / "restored", postgres=throwaway_postgres)


def test_restore_refuses_to_replace_a_database_that_has_articles(newsroom, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    Article.objects.filter(pk=newsroom[1].pk).delete()

    with pytest.raises(CommandError, match=r"already holds 2 articles.*--yes"):
        call_command("restore", str(tmp_path / "backup"))

    assert Article.objects.count() == 2


def test_restore_with_yes_brings_back_what_was_deleted(newsroom, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    Comment.objects.all().delete()
    Article.objects.filter(pk=newsroom[1].pk).delete()

    call_command("restore", str(tmp_path / "backup"), yes=True)

    assert Article.objects.count() == 3
    assert Comment.objects.count() == 5
    assert Article.objects.get(headline="Story 2").view_count == 20


def test_a_backup_never_writes_over_another(newsroom, tmp_path):
    call_command("backup", str(tmp_path / "backup"))

    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "backup"))


def test_restore_needs_a_backup_directory(db, tmp_path):
    with pytest.raises(CommandError, match="not a backup directory"):
        call_command("restore", str(tmp_path))
