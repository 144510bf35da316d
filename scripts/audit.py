"""`make audit`: Lighthouse on the public pages, served as in production.

Builds a throwaway SQLite database with the demo content, serves it with
gunicorn in production mode (DEBUG off, compressed hashed static files), runs
Lighthouse in Debian's Chromium on each page and prints the scores. Exits
non-zero when accessibility, best practices or SEO score under 95 anywhere.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = int(os.environ.get("AUDIT_PORT", "8099"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --no-first-run --disable-sync --disable-quic"
)
PAGES = {
    "home": "/",
    "category": "/category/sports/",
    "article": "/articles/atalanta-complete-stunning-ucl-comeback-beating-dortmund-4-1/",
    "search": "/search/?q=atalanta",
}  # Lighthouse refuses to score a 404 response; axe checks the 404 page in the test suite.
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
REQUIRED = {"accessibility": 95, "best-practices": 95, "seo": 95}
# Search result pages carry noindex on purpose (internal search results should not
# be indexed), which Lighthouse's "is-crawlable" audit marks down. For that page
# the SEO floor is checked on every other SEO audit instead, and the note says so.
DELIBERATE = {"search": {"seo": {"is-crawlable"}}}


def main():
    work = Path(tempfile.mkdtemp(prefix="newsroom-audit-"))
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "NEWSROOM_SITE_URL": f"http://127.0.0.1:{PORT}",
        "DATABASE_URL": f"sqlite:///{work / 'audit.sqlite3'}",
        "DJANGO_CACHE_DIR": str(work / "cache"),
        "DJANGO_MEDIA_ROOT": str(work / "media"),
    }
    env.pop("REDIS_URL", None)

    def manage(*args):
        subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )

    manage("migrate", "--no-input")
    manage("seed_demo")
    manage("collectstatic", "--no-input")
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "newsroom.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{PORT}/health/")
        results = {
            name: lighthouse(f"http://127.0.0.1:{PORT}{path}", work) for name, path in PAGES.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    print("| page | " + " | ".join(CATEGORIES) + " |")
    print("|---|" + "---|" * len(CATEGORIES))
    failures = []
    notes = []
    for name, scores in results.items():
        print(f"| {name} | " + " | ".join(str(scores[c]) for c in CATEGORIES) + " |")
        for category, floor in REQUIRED.items():
            score = scores[category]
            skipped = DELIBERATE.get(name, {}).get(category)
            if skipped:
                score = score_without(scores["_report"], category, skipped)
                notes.append(
                    f"{name} {category}: {scores[category]} with noindex by design; "
                    f"{score} without {', '.join(sorted(skipped))}"
                )
            if score < floor:
                failures.append(f"{name} {category} {score}")
    for note in notes:
        print(f"Note: {note}")
    if failures:
        print("Below 95: " + ", ".join(failures))
        return 1
    return 0


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def lighthouse(url, work):
    out = work / "report.json"
    subprocess.run(
        [
            "npx",
            "--no-install",
            "lighthouse",
            url,
            f"--chrome-flags={CHROME_FLAGS}",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            "--only-categories=" + ",".join(CATEGORIES),
        ],
        cwd=ROOT,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    report = json.loads(out.read_text())
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    scores["_report"] = report
    return scores


def score_without(report, category, skipped):
    """The category's score with the skipped audits left out of the weighting."""
    refs = [r for r in report["categories"][category]["auditRefs"] if r["id"] not in skipped]
    weight = sum(r["weight"] for r in refs)
    total = sum(r["weight"] * (report["audits"][r["id"]]["score"] or 0) for r in refs)
    return round(100 * total / weight) if weight else 100


if __name__ == "__main__":
    sys.exit(main())
