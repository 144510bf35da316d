"""Backups that restore: a consistent copy of the database and the media files.

A backup is a directory holding the database copy, the media files under
``media/`` and ``manifest.json``: when it was taken, from which kind of
database, the number of articles and comments and the total of their view
counts *in the copy*, and every media file with its size. The counts are read
from the copy itself (SQLite) or from the snapshot pg_dump reads (PostgreSQL),
so they match what a restore brings back even when readers and commenters kept
the site busy during the backup.
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.apps import apps
from django.conf import settings
from django.db import connections

MANIFEST = "manifest.json"
SQLITE_COPY = "database.sqlite3"
POSTGRES_COPY = "database.dump"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why."""


def database_kind(alias="default"):
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def counts_sql():
    """The manifest's counts in one statement over the site's own tables."""
    article = apps.get_model("articles", "Article")._meta.db_table
    comment = apps.get_model("comments", "Comment")._meta.db_table
    return (
        f'SELECT (SELECT COUNT(*) FROM "{article}"), (SELECT COUNT(*) FROM "{comment}"), '
        f'(SELECT COALESCE(SUM(view_count), 0) FROM "{article}")'
    )


def as_counts(row):
    articles, comments, views = row
    return {"articles": int(articles), "comments": int(comments), "views": int(views)}


# --- PostgreSQL -----------------------------------------------------------------


def libpq_arguments(settings_dict):
    """Command-line arguments and environment for pg_dump/pg_restore/psycopg."""
    args = ["--dbname", settings_dict["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def connect(settings_dict, **kwargs):
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        **kwargs,
    )


def client_major(program):
    """The major version of pg_dump or pg_restore on PATH."""
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (Debian package postgresql-client)")
    output = subprocess.run([program, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    if not found:
        raise BackupError(f"cannot read the version of {program}: {output!r}")
    return int(found.group(1))


def check_client(program, server_version_num):
    """pg_dump and pg_restore refuse, or produce what cannot be restored, when
    they are older than the server: say so before starting."""
    server_major = server_version_num // 10000
    client = client_major(program)
    if client < server_major:
        raise BackupError(
            f"{program} {client} is older than the PostgreSQL {server_major} server: "
            f"install postgresql-client-{server_major}"
        )


def backup_postgresql(settings_dict, destination):
    """pg_dump -Fc of the database, and the counts in the snapshot it reads."""
    args, env = libpq_arguments(settings_dict)
    # A repeatable-read transaction exports its snapshot; pg_dump reads exactly
    # that snapshot, and the counts below are taken in it, so both agree.
    with connect(settings_dict, autocommit=False) as conn:
        check_client("pg_dump", conn.info.server_version)
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        (snapshot,) = conn.execute("SELECT pg_export_snapshot()").fetchone()
        counts = as_counts(conn.execute(counts_sql()).fetchone())
        dumped = subprocess.run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", destination, *args],
            env=env,
            capture_output=True,
            text=True,
        )
        conn.rollback()
    if dumped.returncode != 0:
        raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")
    return counts


def restore_postgresql(settings_dict, source):
    args, env = libpq_arguments(settings_dict)
    with connect(settings_dict, autocommit=True) as conn:
        check_client("pg_restore", conn.info.server_version)
    restored = subprocess.run(
        [
            "pg_restore",
            *("--clean", "--if-exists", "--no-owner", "--no-privileges"),
            *("--single-transaction", "--exit-on-error"),
            *args,
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if restored.returncode != 0:
        raise BackupError(f"pg_restore failed: {restored.stderr.strip()}")


# --- SQLite ---------------------------------------------------------------------


def backup_sqlite(settings_dict, destination):
    """SQLite's online backup API: one consistent copy while others read and write."""
    source = sqlite3.connect(settings_dict["NAME"], timeout=60)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)  # all pages in one step: one snapshot
        counts = as_counts(target.execute(counts_sql()).fetchone())
    finally:
        target.close()
        source.close()
    return counts


def restore_sqlite(settings_dict, source):
    copy = sqlite3.connect(source)
    target = sqlite3.connect(settings_dict["NAME"], timeout=60)
    try:
        copy.backup(target)
    finally:
        target.close()
        copy.close()


# --- media ----------------------------------------------------------------------


def copy_media(source_root, target_root):
    """Copy every file under source_root; the copied files, relative, with sizes."""
    source_root, target_root = Path(source_root), Path(target_root)
    files = []
    if not source_root.is_dir():
        return files
    for path in sorted(source_root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(source_root)
        target = target_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, target)
        except FileNotFoundError:
            continue  # deleted while we copied: it is not in the backup
        files.append({"path": relative.as_posix(), "size": target.stat().st_size})
    return files


# --- the two operations ---------------------------------------------------------


def backup(directory, alias="default"):
    """Write a backup into ``directory`` (created; must be empty); return the manifest."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new directory for each backup")
    kind = database_kind(alias)
    settings_dict = connections[alias].settings_dict
    taken_at = datetime.now(UTC)
    if kind == "sqlite":
        database_file = SQLITE_COPY
        counts = backup_sqlite(settings_dict, directory / SQLITE_COPY)
    else:
        database_file = POSTGRES_COPY
        counts = backup_postgresql(settings_dict, directory / POSTGRES_COPY)
    media = copy_media(settings.MEDIA_ROOT, directory / "media")
    manifest = {
        "format": 1,
        "taken_at": taken_at.isoformat(),
        "database": kind,
        "database_file": database_file,
        "database_bytes": (directory / database_file).stat().st_size,
        "counts": counts,
        "media": media,
        "media_bytes": sum(f["size"] for f in media),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(directory):
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} not found: not a backup directory")
    return json.loads(path.read_text())


def current_counts(alias="default"):
    """The target's counts, or None when it has no tables yet."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(counts_sql())
            return as_counts(cursor.fetchone())
    except Exception:  # no such table: a database never migrated
        return None


def has_data(alias="default"):
    counts = current_counts(alias)
    return bool(counts) and (counts["articles"] or counts["comments"])


def restore(directory, alias="default"):
    """Bring a backup back into the configured database and media folder."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    kind = database_kind(alias)
    if manifest["database"] != kind:
        raise BackupError(
            f"the backup is of a {manifest['database']} database; this site uses {kind}"
        )
    settings_dict = connections[alias].settings_dict
    connections[alias].close()
    source = directory / manifest["database_file"]
    if kind == "sqlite":
        restore_sqlite(settings_dict, source)
    else:
        restore_postgresql(settings_dict, source)
    copy_media(directory / "media", settings.MEDIA_ROOT)
    return manifest
