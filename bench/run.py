"""`make bench`: the whole benchmark in one command.

Builds a throwaway database (an SQLite file under bench/results/, or, when
DATABASE_URL names PostgreSQL, a dedicated database whose name contains "bench",
created and dropped here), migrates and seeds it, collects static files, serves it
with gunicorn in production mode, and drives each scenario with wrk from loopback.
Writes bench/results/<backend>-<time>.json and .md and prints the table.

Knobs (environment): BENCH_DURATION (seconds per scenario, 10), BENCH_CONNECTIONS
(32), BENCH_THREADS (wrk threads, 2), BENCH_WORKERS (3), BENCH_WORKER_CLASS (sync),
BENCH_GUNICORN_THREADS (1), BENCH_ONLY (comma-separated scenario names),
BENCH_KEEP_DB (1 keeps the database, removed otherwise), BENCH_ARTICLES /
BENCH_COMMENTS / BENCH_HOT_COMMENTS / BENCH_CATEGORIES (scale), BENCH_PORT (the first
of three consecutive ports: gunicorn, gunicorn in CDN mode, Varnish; otherwise the
first free ones of 8041-8049).

The soak scenario (5 minutes of mix-10, sampling worker memory and p99 every
minute) runs only when asked: BENCH_ONLY=soak or BENCH_SOAK=1; BENCH_SOAK_SECONDS
(300) sets its length.

The CDN scenarios (beacon, varnish) run against a second gunicorn started with
NEWSROOM_CDN=1 on the same database, and Varnish with deploy/varnish.vcl in front of
it. The process exits with status 1 when any scenario failed or missed its target.
"""

import contextlib
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from bench import wrk
from bench.seed import SCALE

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
READER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


@dataclass
class Scenario:
    name: str
    path: str
    script: str = "plain"  # plain, htmx, readers, beacon or mix (bench/lua/)
    read: bool = True  # a read scenario: zero non-2xx expected
    target: float | None = None  # minimum throughput as a share of the baseline's
    # The deployments (``deployment()``) where the target applies (None: every one);
    # elsewhere the scenario is measured and reported without it.
    target_deployments: tuple | None = None
    tail_check: bool = True  # p99 at most 10x p50
    counts_views: bool = False  # every read is a distinct reader, counted exactly
    post_every: int = 0  # mix: one comment posted after every post_every reads
    cdn: bool = False  # served by the second server, started with NEWSROOM_CDN=1
    through_varnish: bool = False  # wrk asks Varnish (deploy/varnish.vcl), not gunicorn
    soak: bool = False  # minutes of load, sampled each minute; runs only when asked
    # (req/s, most share): at that rate the workers' CPU must stay under that share of a core
    core_share_at: tuple | None = None


POST_PATH = "/articles/{hot_slug}/comments/"
# The deployment docs/deploy.md runs when a story goes viral: PostgreSQL with Redis
# (the cache, and view counting). The comment-mix and CDN targets are its own: on
# the database alone every counted view is a write on the same cores, which a view
# with no query at all (the baseline) never pays.
VIRAL = ("postgresql+redis",)
MIN_CACHE_SHARE = 0.99  # of the article page's requests Varnish answers itself
SOAK_MAX_MEMORY_GROWTH = 0.10  # worker memory, first minute to last
SOAK_MAX_P99_GROWTH = 2.0  # last minute's p99 over the first's
POLLS_PER_SECOND = 500 / 20  # 500 readers with a thread open, each polling every 20 s
MAX_POLL_CORE_SHARE = 0.05

# Paths are formatted with the seed manifest. Every scenario's URL must exist: a
# 404 at the probe is a failed scenario, never a skipped one.
SCENARIOS = [
    Scenario("baseline", "/bench/baseline/"),
    Scenario("home", "/", target=0.6),
    Scenario("category", "/category/{category_slug}/", target=0.6),
    Scenario("category_deep", "/category/{category_slug}/?page={deep_page}", target=0.6),
    Scenario("article_readers", "/articles/{hot_slug}/", "readers", target=0.5, counts_views=True),
    # The same page as one reader again and again: views deduplicated, nothing
    # incremented; the gap to article_readers is what counting costs.
    Scenario("article_repeat_reader", "/articles/{hot_slug}/"),
    Scenario("more_comments", "/articles/{hot_slug}/comments/more/?page=2", "htmx"),
    # Readers with the hot article open, polling for new comments when there are
    # none: 500 of them every 20 s is 25 req/s, which must cost under 5% of a core.
    Scenario(
        "live_poll_empty",
        "/articles/{hot_slug}/comments/live/?after={live_after}&sort=newest",
        "htmx",
        core_share_at=(POLLS_PER_SECOND, MAX_POLL_CORE_SHARE),
    ),
    Scenario("search", "/search/?q=final+penalty"),
    # The hot article's readers with comments posted among them. Posts are answered
    # with redirects, so the mix is judged by its reads' and its posts' statuses.
    Scenario(
        "mix-100",
        "/articles/{hot_slug}/",
        "mix",
        read=False,
        target=0.45,
        target_deployments=VIRAL,
        tail_check=False,
        counts_views=True,
        post_every=100,
    ),
    Scenario(
        "mix-10",
        "/articles/{hot_slug}/",
        "mix",
        read=False,
        target=0.25,
        target_deployments=VIRAL,
        tail_check=False,
        counts_views=True,
        post_every=10,
    ),
    # CDN mode: the page is the shared cache's; the visit is counted by a small
    # htmx request from it, which must keep up with the baseline and count exactly.
    Scenario(
        "beacon",
        "/articles/{hot_slug}/viewed/",
        "beacon",
        target=1.0,
        target_deployments=VIRAL,
        counts_views=True,
        cdn=True,
    ),
    Scenario(
        "varnish",
        "/articles/{hot_slug}/",
        "readers",
        tail_check=False,
        cdn=True,
        through_varnish=True,
    ),
    # Minutes of the mixed load: memory that leaks and latency that creeps show
    # over time, not in 10 s. Judged by its minutes (soak_failures), not by a target.
    Scenario(
        "soak",
        "/articles/{hot_slug}/",
        "mix",
        read=False,
        tail_check=False,
        counts_views=True,
        post_every=10,
        soak=True,
    ),
]


def selected_scenarios(only=(), soak=False):
    """The scenarios a run measures: those named in ``only`` (all when empty) plus
    the baseline; the soak only when named or asked for with ``soak``."""
    only = set(only)
    return [
        s
        for s in SCENARIOS
        if (not only or s.name in only or s.name == "baseline")
        and (not s.soak or soak or s.name in only)
    ]


class ScenarioFailed(Exception):
    """The scenario could not be measured; the message says why."""


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def env_int(name, default):
    return int(os.environ.get(name) or default)


# --- the throwaway database ---------------------------------------------------


def postgres_bench_url(url):
    """The same server, a database of its own: never the developer's database."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "newsroom"
    if "bench" not in name:
        name = f"{name}_bench"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def recreate_postgres(url, name, drop_only=False):
    import psycopg

    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def database(run_dir):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        url, name = postgres_bench_url(url)
        recreate_postgres(url, name)
        return "postgresql", url, name
    path = run_dir / "bench.sqlite3"
    return "sqlite", f"sqlite:///{path}", str(path)


def deployment(backend):
    """What the run measures: the database, and "+redis" when the site has Redis
    (its cache and view counting)."""
    return f"{backend}+redis" if os.environ.get("REDIS_URL") else backend


def query(database_url, sql, params=()):
    """Rows of one SQL statement against the bench database (``%s`` placeholders)."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql.replace("%s", "?"), list(params)).fetchall()
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(sql, list(params)).fetchall()


def view_count(database_url, article_id):
    """The article's count in the database; with Redis counting, after moving the
    buffered views in with the command a deployment runs on a schedule."""
    if os.environ.get("REDIS_URL"):
        subprocess.run(
            [PYTHON, "manage.py", "flush_view_counts"],
            cwd=ROOT,
            env=production_env(database_url),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    sql = "SELECT view_count FROM articles_article WHERE id = %s"
    return query(database_url, sql, [article_id])[0][0]


def posted_comments(database_url, marker):
    """The run's comments, found by the marker in their text: how many have each
    status, and the text of the newest approved one."""
    like = f"%{marker}%"
    sql = "SELECT status, COUNT(*) FROM comments_comment WHERE body LIKE %s GROUP BY status"
    statuses = dict(query(database_url, sql, [like]))
    sql = (
        "SELECT body FROM comments_comment WHERE body LIKE %s AND status = 'approved' "
        "ORDER BY id DESC LIMIT 1"
    )
    newest = query(database_url, sql, [like])
    return statuses, newest[0][0] if newest else None


# --- the server ---------------------------------------------------------------


def free_ports(count):
    """``count`` ports to listen on: BENCH_PORT and the ones after it, or the first
    free ones of 8041-8049."""
    if os.environ.get("BENCH_PORT"):
        first = int(os.environ["BENCH_PORT"])
        return list(range(first, first + count))
    ports = []
    for port in range(8041, 8050):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                ports.append(port)
        if len(ports) == count:
            return ports
    raise SystemExit(f"bench: fewer than {count} of the ports 8041-8049 are free")


SECRET_KEY = secrets.token_urlsafe(50)  # one per run: the seeder and the server share it


def production_env(database_url, baseline_bytes=None, cdn=False):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        NEWSROOM_SITE_URL="http://127.0.0.1",
        # Plain http on loopback: no TLS redirect, no secure-only cookies, no HSTS.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_HSTS_PRELOAD="0",
        # The site's settings with the baseline view mounted (bench/urls.py).
        DJANGO_SETTINGS_MODULE="bench.settings",
        # As behind nginx: each wrk reader comes with an address of its own in
        # X-Forwarded-For (bench/lua/report.lua), so the cap on views per address
        # is the site's own.
        NEWSROOM_TRUSTED_PROXIES="1",
        NEWSROOM_CDN="1" if cdn else "0",
    )
    if baseline_bytes:
        env["NEWSROOM_BENCH_BASELINE_BYTES"] = str(baseline_bytes)
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def gunicorn_command(port, access_log):
    workers = env_int("BENCH_WORKERS", 3)
    command = [
        str(Path(PYTHON).with_name("gunicorn")),
        "newsroom.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        os.environ.get("BENCH_WORKER_CLASS", "sync"),
        "--threads",
        str(env_int("BENCH_GUNICORN_THREADS", 1)),
        "--backlog",
        "2048",
        "--access-logfile",
        str(access_log),
    ]
    return command


@dataclass
class Server:
    """A gunicorn serving the bench database, and its access log."""

    process: subprocess.Popen
    base_url: str
    access_log: Path
    output: object

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.output.close()


def start_server(run_dir, label, port, env):
    access_log = run_dir / f"access{label}.log"
    command = gunicorn_command(port, access_log)
    log(
        f"serving{label or ''}: "
        + " ".join(Path(part).name if "/" in part else part for part in command)
    )
    output = open(run_dir / f"gunicorn{label}.log", "wb")  # noqa: SIM115 closed by Server.stop
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    server = Server(process, f"http://127.0.0.1:{port}", access_log, output)
    try:
        wait_healthy(server.base_url, process, f"gunicorn{label}.log")
    except BaseException:
        server.stop()
        raise
    return server


def wait_healthy(base_url, process, log_name, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ScenarioFailed(f"{log_name.split('.')[0]} exited during startup; see {log_name}")
        try:
            with urllib.request.urlopen(f"{base_url}/health/", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise ScenarioFailed(f"{base_url}/health/ did not answer within {timeout} s")


def worker_pids(master_pid):
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in children.split()]


def reset_peak_rss(pids):
    """Writing 5 to clear_refs resets VmHWM, so each scenario gets its own peak."""
    for pid in pids:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_rss_mb(pids):
    peaks = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            peaks.append(int(match.group(1)) / 1024)
    return round(max(peaks), 1) if peaks else None


def rss_mb(pids):
    """The workers' resident memory now, summed, in MB."""
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            total += int(match.group(1))
    return round(total / 1024, 1)


def fetch(url, user_agent, htmx=False):
    """GET url as a reader: the response's status, headers and text."""
    headers = {"User-Agent": user_agent}
    if htmx:
        headers["HX-Request"] = "true"
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read().decode(errors="replace")


def warm(base_url, path, htmx=False):
    """Ask for the page once, as its first reader would, before it is measured.

    Without it a scenario's first 32 requests all find the shared cache empty and
    every worker renders the same page at once; that one-off cost is the probe's,
    the figures are the steady state. A failure here is left for wrk to count.
    """
    with contextlib.suppress(OSError):
        fetch(base_url + path, f"{READER_UA} warm-up", htmx=htmx)


def wait_idle(access_log, quiet=1.0, limit=60):
    """Wait until the access log has been still for ``quiet`` seconds.

    When wrk stops, connections it opened are still queued in the listen backlog and
    the workers serve them; without this, a slow scenario's leftovers would be
    charged to the next one, and the view count read before they are done.
    """
    deadline = time.monotonic() + limit
    size = -1
    while time.monotonic() < deadline:
        current = access_log.stat().st_size if access_log.exists() else 0
        if current == size:
            return
        size = current
        time.sleep(quiet)


def cpu_seconds(pids):
    """User plus system CPU time the workers have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def service_pids():
    """PostgreSQL's and Redis's processes on this machine: their CPU is the request's
    too, on the same cores as the workers."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name = stat.read_text().split("(", 1)[1].split(")", 1)[0]
        except (OSError, IndexError):
            continue
        if name.startswith(("postgres", "redis-server")):
            pids.append(int(stat.parent.name))
    return pids


def logged_requests(access_log, offset, path=None, status="2", method="GET"):
    """Requests the server logged after offset: for ``method path`` with a status
    matching ``status`` (a regular expression for its first digits; "" for any), or
    all of them when path is None."""
    with open(access_log, "rb") as handle:
        handle.seek(offset)
        lines = handle.read().decode(errors="replace").splitlines()
    if path is None:
        return len(lines)
    pattern = re.compile(rf'"{method} {re.escape(path)} HTTP/1\.[01]" {status}\d* ')
    return sum(1 for line in lines if pattern.search(line))


# --- comment posts ------------------------------------------------------------


class FormFields(HTMLParser):
    """The named inputs of the comment form (the form posting to ``action``)."""

    def __init__(self, action):
        super().__init__()
        self.action = action
        self.inside = False
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("action") or "").split("#")[0] == self.action
        elif tag == "input" and self.inside and attrs.get("name"):
            self.fields.setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def comment_form(html, action):
    """The comment form's inputs as the page renders them; an error when the page
    has no such form or it lacks the CSRF token or the signed issue time."""
    parser = FormFields(action)
    parser.feed(html)
    missing = [name for name in ("csrfmiddlewaretoken", "issued") if name not in parser.fields]
    if missing:
        raise ScenarioFailed(f"the comment form posting to {action} has no {', '.join(missing)}")
    return parser.fields


def post_fields(fields):
    """The form body a reader sends, but for what the script adds to each post (the
    signed issue time of the form it fetched, and the text): the form's CSRF
    token, a name, the honeypot left empty."""
    return urlencode(
        {
            "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
            "author_name": "Bench reader",
            "email": "",
            "website": "",
        }
    )


def csrf_cookie(set_cookie_headers):
    """The ``csrftoken=...`` pair from a response's Set-Cookie header values."""
    cookies = SimpleCookie()
    for header in set_cookie_headers:
        cookies.load(header)
    if "csrftoken" not in cookies:
        raise ScenarioFailed("the comment form set no csrftoken cookie")
    return f"csrftoken={cookies['csrftoken'].value}"


def check_posts(posts):
    """The mix's posts as failures: every post answered 2xx or 3xx (a plain form
    post is redirected to its comment), stored, approved, and the newest on the page."""
    failures = []
    failed = posts["4xx"] + posts["5xx"]
    accepted = posts["2xx"] + posts["3xx"]
    if failed:
        failures.append(f"{failed} of {failed + accepted} comment posts failed")
    if not accepted:
        failures.append("no comment was posted")
    if posts["stored"] != accepted:
        failures.append(f"{posts['stored']} comments stored for {accepted} accepted posts")
    if posts["visible"] != posts["stored"]:
        held = posts["stored"] - posts["visible"]
        failures.append(f"{held} of {posts['stored']} posted comments not visible")
    if posts["visible"] and not posts["newest_on_page"]:
        failures.append("the newest posted comment is not on the article page")
    return failures


# --- Varnish ------------------------------------------------------------------

VARNISH_VCL = ROOT / "deploy" / "varnish.vcl"
VCL_PORT = '.port = "8000";'


def varnish_vcl(text, port):
    """The deploy configuration with its backend pointed at the bench's server."""
    if VCL_PORT not in text:
        raise ScenarioFailed(f"{VARNISH_VCL.relative_to(ROOT)} has no {VCL_PORT} backend line")
    return text.replace(VCL_PORT, f'.port = "{port}";')


@dataclass
class Varnish:
    process: subprocess.Popen
    base_url: str
    workdir: Path
    output: object

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.output.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_varnish(run_dir, stamp, port, backend_port):
    if not VARNISH_VCL.exists():
        raise ScenarioFailed(f"{VARNISH_VCL.relative_to(ROOT)} does not exist")
    if not shutil.which("varnishd"):
        raise ScenarioFailed("varnishd is not installed (Debian package varnish)")
    vcl = run_dir / "varnish.vcl"
    vcl.write_text(varnish_vcl(VARNISH_VCL.read_text(), backend_port))
    workdir = Path(f"/tmp/varnish-bench-{stamp}")
    command = ["varnishd", "-F", "-a", f"127.0.0.1:{port}", "-f", str(vcl)]
    command += ["-s", "malloc,256m", "-n", str(workdir)]
    log("caching: " + " ".join(command))
    output = open(run_dir / "varnishd.log", "wb")  # noqa: SIM115 closed by Varnish.stop
    process = subprocess.Popen(
        command, cwd=ROOT, start_new_session=True, stdout=output, stderr=subprocess.STDOUT
    )
    varnish = Varnish(process, f"http://127.0.0.1:{port}", workdir, output)
    try:
        wait_healthy(varnish.base_url, process, "varnishd.log")
    except BaseException:
        varnish.stop()
        raise
    return varnish


def cache_share(wrk_requests, origin_requests):
    """The share of wrk's requests that Varnish answered without asking gunicorn."""
    if not wrk_requests:
        return 0.0
    return max(0.0, 1 - origin_requests / wrk_requests)


BASELINE_AGAIN = Scenario("baseline_again", SCENARIOS[0].path)

# --- the report ---------------------------------------------------------------


def missing_url(scenario, probes, manifest):
    """Why the scenario cannot run in this build (a URL of it is a 404), or None."""
    paths = {scenario.name: scenario.path}
    if scenario.post_every:
        paths[f"{scenario.name}:post"] = POST_PATH
    for name, path in paths.items():
        if probes.get(name, {}).get("status") == 404:
            return f"{path.format(**manifest)} is a 404 in this build"
    return None


def apply_ratios(rows):
    """Each measured row's throughput as a share of the mean baseline, and its checks."""
    baselines = [r["rps"] for r in rows if r["name"].startswith("baseline") and "rps" in r]
    reference = sum(baselines) / len(baselines) if baselines else None
    for row in rows:
        if "rps" in row:
            row["ratio"] = round(row["rps"] / reference, 3) if reference else None
            row["failures"] = row.get("failures", []) + check_targets(row)
    return reference


def check_targets(row):
    """The issue's targets for one measured scenario, as a list of failures."""
    failures = []
    if row.get("target") and row.get("ratio") is not None and row["ratio"] < row["target"]:
        failures.append(f"throughput {row['ratio']:.0%} < {row['target']:.0%} of baseline")
    if row.get("tail_check", True) and row["p50_ms"] and row["p99_ms"] > 10 * row["p50_ms"]:
        failures.append("p99 > 10x p50")
    if row.get("read") and row["non_2xx"]:
        failures.append(f"{row['non_2xx']} non-2xx")
    if row.get("read_non_2xx"):
        failures.append(f"{row['read_non_2xx']} non-2xx reads")
    if row.get("views_exact") is False:
        failures.append("view count not exact")
    if "posts" in row:
        failures += check_posts(row["posts"])
    share = row.get("core_share")
    if share and share["share"] >= share["most"]:
        failures.append(
            f"{share['share']:.1%} of a core at {share['rate']:g} req/s >= {share['most']:.0%}"
        )
    if "cache_share" in row and row["cache_share"] < MIN_CACHE_SHARE:
        failures.append(f"{row['cache_share']:.1%} served by Varnish alone < {MIN_CACHE_SHARE:.0%}")
    return failures


def soak_minutes(seconds):
    """How the soak is cut: (samples, seconds each); a sample a minute, at least two."""
    samples = max(2, round(seconds / 60))
    return samples, max(1, round(seconds / samples))


def soak_failures(minutes):
    """The soak's checks over its per-minute samples ({"rss_mb", "p99_ms"} each):
    worker memory grows less than 10% from the first minute to the last, and the
    last minute's p99 is at most twice the first's."""
    if len(minutes) < 2:
        return ["a soak needs at least two samples"]
    first, last = minutes[0], minutes[-1]
    failures = []
    growth = (last["rss_mb"] - first["rss_mb"]) / first["rss_mb"] if first["rss_mb"] else 0.0
    if growth >= SOAK_MAX_MEMORY_GROWTH:
        failures.append(
            f"worker memory grew {growth:.0%} from the first minute to the last "
            f"({first['rss_mb']} -> {last['rss_mb']} MB, limit {SOAK_MAX_MEMORY_GROWTH:.0%})"
        )
    if last["p99_ms"] > SOAK_MAX_P99_GROWTH * first["p99_ms"]:
        failures.append(
            f"p99 of the last minute {last['p99_ms']:.1f} ms > {SOAK_MAX_P99_GROWTH:g}x "
            f"the first's {first['p99_ms']:.1f} ms"
        )
    return failures


def combined_report(reports):
    """One wrk report for several consecutive runs: totals, and the worst latencies."""
    seconds = sum(r["seconds"] for r in reports)
    requests = sum(r["requests"] for r in reports)
    status = {key: sum(r["status"][key] for r in reports) for key in reports[0]["status"]}
    errors = {}
    for report in reports:
        for key, value in report["socket_errors"].items():
            errors[key] = errors.get(key, 0) + value
    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        **{key: max(r[key] for r in reports) for key in ("p50_ms", "p90_ms", "p99_ms", "max_ms")},
        "status": status,
        "posts_sent": sum(r["posts_sent"] for r in reports),
        "non_2xx": sum(r["non_2xx"] for r in reports),
        "socket_errors": errors,
    }


def markdown_table(results):
    meta = results["meta"]
    lines = [
        f"### {meta.get('deployment', meta['backend'])}, {meta['workers']} x {meta['worker_class']} workers, "
        f"{meta['connections']} connections, {meta['duration']} s per scenario",
        "",
        "Measured during each load run, except the two probe columns: one request "
        "through Django's test client before the run.",
        "",
        "| scenario | req/s | vs baseline | p50 ms | p99 ms | non-2xx | worker CPU ms/req "
        "| PostgreSQL+Redis CPU ms/req | peak RSS/worker MB | probe SQL queries (1 request) "
        "| probe bytes (1 request) | check |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    notes = []
    for row in results["scenarios"]:
        check = "; ".join(row.get("failures", [])) or "ok"
        if row.get("target_elsewhere") and "rps" in row:
            target, where = row["target_elsewhere"]
            check += f" (its {target:.0%} target is for {', '.join(where)})"
        if "rps" not in row:
            lines.append(f"| {row['name']} | FAILED, not measured: {check} |||||||||||")
            continue
        ratio = f"{row['ratio']:.0%}" if row.get("ratio") is not None else ""
        lines.append(
            f"| {row['name']} | {row['rps']:.0f} | {ratio} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['non_2xx']} "
            f"| {row.get('cpu_ms') or ''} | {row.get('service_cpu_ms') or ''} "
            f"| {row.get('peak_rss_mb') or ''} | {row.get('queries', '')} "
            f"| {row.get('bytes', '')} | {check} |"
        )
        views = row.get("views")
        if views:
            verdict = "exact" if views["exact"] else "NOT exact"
            notes.append(
                f"- {row['name']}: view count +{views['delta']} for {views['served_2xx']} "
                f"distinct-reader responses served with 2xx ({verdict}; wrk received "
                f"{views['wrk_2xx']}, the rest were in flight when it stopped)."
            )
        posts = row.get("posts")
        if posts:
            notes.append(
                f"- {row['name']}: {posts['sent']} comments posted by wrk; the server "
                f"answered {posts['2xx']} 2xx, {posts['3xx']} 3xx, {posts['4xx']} 4xx, "
                f"{posts['5xx']} 5xx; {posts['stored']} stored, {posts['visible']} visible, "
                f"newest on the article page: {'yes' if posts['newest_on_page'] else 'no'}."
            )
        for n, minute in enumerate(row.get("minutes", []), start=1):
            notes.append(
                f"- {row['name']} minute {n}: {minute['rps']:.0f} req/s, p99 "
                f"{minute['p99_ms']:.1f} ms, workers' RSS {minute['rss_mb']} MB."
            )
        share = row.get("core_share")
        if share:
            notes.append(
                f"- {row['name']}: {row['cpu_ms']} ms of worker CPU per request: at "
                f"{share['rate']:g} req/s, {share['share']:.2%} of one core (target under "
                f"{share['most']:.0%})."
            )
        if "cache_share" in row:
            notes.append(
                f"- {row['name']}: {row['origin_requests']} of {row['requests']} requests "
                f"reached gunicorn; {row['cache_share']:.2%} served by Varnish alone."
            )
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


# --- the run ------------------------------------------------------------------


def run_probes(env, scenarios, manifest, htmx_scripts=("htmx", "beacon")):
    """Each scenario's URL once through Django's test client (bench/probe.py)."""
    probes_in = []
    for s in scenarios:
        probes_in.append(
            {
                "name": s.name,
                "path": s.path.format(**manifest),
                "user_agent": READER_UA,
                # As wrk asks for it: the fragment, not a redirect.
                "htmx": s.script in htmx_scripts,
            }
        )
        if s.post_every:
            probes_in.append({"name": f"{s.name}:post", "path": POST_PATH.format(**manifest)})
    if not probes_in:
        return {}
    probed = subprocess.run(
        [PYTHON, "-m", "bench.probe"],
        cwd=ROOT,
        env=env,
        input=json.dumps(probes_in),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(probed.stdout)


FORM_MIN_AGE = 3.5  # seconds: the form refuses posts sent sooner than 3 s after it was issued


def prepare_posts(server, path, post_path):
    """What every post of the mix shares: the CSRF cookie and token from one fetch
    of the comment form (``<post path>new/``), and a marker unique to this
    scenario for its texts. Each post's signed issue time is its own: a form
    token is usable once, so the script fetches a form for every post (see
    ``bench/lua/mix.lua``)."""
    form_path = f"{post_path}new/"
    status, headers, html = fetch(server.base_url + form_path, f"{READER_UA} comment-form")
    if status != 200:
        raise ScenarioFailed(f"{form_path} answered {status} when fetching the comment form")
    fields = comment_form(html, post_path)
    cookie = csrf_cookie(headers.get_all("Set-Cookie") or [])
    marker = f"bench{secrets.token_hex(6)}"
    wait_idle(server.access_log)
    return {
        "POST_PATH": post_path,
        "FORM_PATH": form_path,
        "FORM_WAIT_SECONDS": math.ceil(FORM_MIN_AGE),
        "POST_FIELDS": post_fields(fields),
        "CSRF_COOKIE": cookie,
        "MARKER": marker,
    }


def posts_outcome(database_url, server, path, post_path, marker, offset, sent):
    """What became of the mix's posts: the server's statuses, the stored rows, and
    whether the newest one is on the article page a new reader gets."""
    posts = {"sent": sent}
    for digit in "2345":
        posts[f"{digit}xx"] = logged_requests(
            server.access_log, offset, post_path, status=digit, method="POST"
        )
    statuses, newest = posted_comments(database_url, marker)
    posts["stored"] = sum(statuses.values())
    posts["visible"] = statuses.get("approved", 0)
    posts["newest_on_page"] = False
    if newest:
        _, _, html = fetch(server.base_url + path, f"{READER_UA} check-{marker}")
        posts["newest_on_page"] = newest in html
    return posts


def target_of(s, deployment):
    """The scenario's target in this deployment (``target``), or the target it has
    in others (``target_elsewhere``), for its row."""
    if s.target is None:
        return {}
    if s.target_deployments is None or deployment in s.target_deployments:
        return {"target": s.target}
    return {"target_elsewhere": [s.target, list(s.target_deployments)]}


def measure(s, ctx):
    """One scenario under load; returns its row (without the ratio)."""
    manifest, duration = ctx["manifest"], ctx["duration"]
    server = ctx["cdn_server"]() if s.cdn else ctx["server"]
    path = s.path.format(**manifest)
    row = {"name": s.name, "path": path, "read": s.read, "tail_check": s.tail_check}
    row.update(target_of(s, ctx["deployment"]))
    constants = {"RUN_NONCE": secrets.token_hex(4)}
    url = server.base_url + path
    if s.through_varnish:
        url = ctx["varnish"]().base_url + path
    if s.post_every:
        post_path = POST_PATH.format(**manifest)
        constants.update(prepare_posts(server, path, post_path))
        constants["POST_EVERY"] = s.post_every
    else:
        warm(url.removesuffix(path), path, htmx=s.script in ("htmx", "beacon"))
        wait_idle(server.access_log)  # its log line lands before the scenario's offset
    script = wrk.build_script(s.script, **constants)
    pids = worker_pids(server.process.pid)
    reset_peak_rss(pids)
    database_url, hot_id = ctx["database_url"], manifest["hot_id"]
    before = view_count(database_url, hot_id) if s.counts_views else None
    log_offset = server.access_log.stat().st_size if server.access_log.exists() else 0
    cpu_before = cpu_seconds(pids)
    services_before = cpu_seconds(service_pids())
    log(f"{s.name}: {duration} s of {url}")
    run_dir = ctx["run_dir"]
    if s.soak:
        samples, seconds = soak_minutes(ctx["soak_seconds"])
        reports, row["minutes"] = [], []
        for n in range(samples):
            log(f"{s.name}: minute {n + 1} of {samples}")
            lua = run_dir / f"{s.name}.lua"
            # Each minute's readers and texts are new ones: a reader seen a minute
            # ago would not count again (the dedupe window), and the same text from
            # the same reader would be held as a repeat.
            minute = wrk.build_script(s.script, **{**constants, "RUN_NONCE": secrets.token_hex(4)})
            reports.append(wrk.run(url, minute, lua, seconds, ctx["connections"], ctx["threads"]))
            row["minutes"].append(
                {
                    "rps": reports[-1]["rps"],
                    "p99_ms": reports[-1]["p99_ms"],
                    "rss_mb": rss_mb(worker_pids(server.process.pid)),
                }
            )
        report = combined_report(reports)
        row["failures"] = soak_failures(row["minutes"])
    else:
        report = wrk.run(
            url, script, run_dir / f"{s.name}.lua", duration, ctx["connections"], ctx["threads"]
        )
    wait_idle(server.access_log)
    row.update(report)
    probe = ctx["probes"].get(s.name.removesuffix("_again"), {})
    row["queries"] = probe.get("queries")
    row["bytes"] = probe.get("bytes")
    row["peak_rss_mb"] = peak_rss_mb(worker_pids(server.process.pid))
    served = logged_requests(server.access_log, log_offset)
    if s.through_varnish:
        row["origin_requests"] = logged_requests(server.access_log, log_offset, path, status="")
        row["cache_share"] = round(cache_share(report["requests"], row["origin_requests"]), 4)
    else:
        # Worker CPU per request: unlike requests/s, barely moved by other load.
        cpu = cpu_seconds(worker_pids(server.process.pid)) - cpu_before
        row["cpu_ms"] = round(cpu / served * 1000, 2) if served else None
        services = cpu_seconds(service_pids()) - services_before
        row["service_cpu_ms"] = round(services / served * 1000, 2) if served else None
        if s.core_share_at and served:
            rate, most = s.core_share_at
            # CPU-seconds per request times requests per second: the share of one core.
            row["core_share"] = {"rate": rate, "share": round(cpu / served * rate, 4), "most": most}
    if s.counts_views:
        delta = view_count(database_url, hot_id) - before
        served_2xx = logged_requests(server.access_log, log_offset, path)
        row["views"] = {
            "delta": delta,
            "served_2xx": served_2xx,
            "wrk_2xx": report["status"]["2xx"],
            "exact": delta == served_2xx,
        }
        row["views_exact"] = row["views"]["exact"]
    if s.post_every:
        row["read_non_2xx"] = logged_requests(server.access_log, log_offset, path, status="[345]")
        row["posts"] = posts_outcome(
            database_url,
            server,
            path,
            constants["POST_PATH"],
            constants["MARKER"],
            log_offset,
            report["posts_sent"],
        )
    return row


def run():
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = RESULTS / f"run-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=True)
    backend, database_url, db = database(run_dir)
    log(f"{backend} database {db}")
    # A cache of the run's own: nothing stored by the site's other runs (under
    # another secret key, for other data) can be served here.
    os.environ["DJANGO_CACHE_DIR"] = str(run_dir / "cache")
    os.environ["DJANGO_CACHE_PREFIX"] = f"bench-{stamp}"
    env = production_env(database_url)
    duration = env_int("BENCH_DURATION", 10)
    connections = env_int("BENCH_CONNECTIONS", 32)
    threads = env_int("BENCH_THREADS", 2)
    only = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
    running = []  # servers and Varnish, stopped in reverse order
    try:
        manage(env, "migrate", "--no-input", "-v0")
        scale = [
            f"--{key.replace('_', '-')}={env_int('BENCH_' + key.upper(), value)}"
            for key, value in SCALE.items()
        ]
        started = time.monotonic()
        seeded = subprocess.run(
            [PYTHON, "-m", "bench.seed", *scale],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        manifest = json.loads(seeded.stdout)
        manifest["seed_seconds"] = round(time.monotonic() - started, 1)
        log(f"seeded in {manifest['seed_seconds']} s: {manifest}")
        manage(env, "collectstatic", "--no-input", "-v0")

        scenarios = selected_scenarios(only, soak=os.environ.get("BENCH_SOAK") == "1")
        # The baseline is sized like the hot article's page, whichever scenarios run.
        sizing = Scenario("article_page", "/articles/{hot_slug}/")
        probes = run_probes(env, [s for s in scenarios if not s.cdn] + [sizing], manifest)
        cdn_env = production_env(database_url, cdn=True)
        probes |= run_probes(cdn_env, [s for s in scenarios if s.cdn], manifest)
        article_bytes = probes["article_page"]["bytes"]

        port, cdn_port, varnish_port = free_ports(3)
        server_env = production_env(database_url, baseline_bytes=article_bytes)
        server = start_server(run_dir, "", port, server_env)
        running.append(server)
        with urllib.request.urlopen(f"{server.base_url}/bench/baseline/", timeout=5) as response:
            probes["baseline"]["bytes"] = len(response.read())

        def cdn_server():
            """The same site and database served in CDN mode, started when first needed."""
            if "cdn" not in started_on_demand:
                cdn_env["NEWSROOM_BENCH_BASELINE_BYTES"] = str(article_bytes)
                started_on_demand["cdn"] = start_server(run_dir, "-cdn", cdn_port, cdn_env)
                running.append(started_on_demand["cdn"])
            return started_on_demand["cdn"]

        def varnish():
            if "varnish" not in started_on_demand:
                backend_port = urlsplit(cdn_server().base_url).port
                started_on_demand["varnish"] = start_varnish(
                    run_dir, stamp, varnish_port, backend_port
                )
                running.append(started_on_demand["varnish"])
            return started_on_demand["varnish"]

        started_on_demand = {}
        ctx = {
            "backend": backend,
            "deployment": deployment(backend),
            "database_url": database_url,
            "manifest": manifest,
            "probes": probes,
            "duration": duration,
            "soak_seconds": env_int("BENCH_SOAK_SECONDS", 300),
            "connections": connections,
            "threads": threads,
            "run_dir": run_dir,
            "server": server,
            "cdn_server": cdn_server,
            "varnish": varnish,
        }
        rows = []
        # The baseline runs first and again last; ratios use the mean of the two, so
        # a machine that got busier or quieter during the run skews them less.
        for s in [*scenarios, BASELINE_AGAIN]:
            failure = missing_url(s, probes, manifest)
            if failure is None:
                try:
                    rows.append(measure(s, ctx))
                    continue
                except ScenarioFailed as error:
                    failure = str(error)
            log(f"{s.name}: FAILED, {failure}")
            rows.append({"name": s.name, "path": s.path.format(**manifest), "failures": [failure]})
        apply_ratios(rows)
    finally:
        for process in reversed(running):
            process.stop()
        shutil.rmtree(run_dir / "cache", ignore_errors=True)
        if os.environ.get("BENCH_KEEP_DB") != "1":
            if backend == "postgresql":
                recreate_postgres(database_url, db, drop_only=True)
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(db + suffix).unlink(missing_ok=True)

    results = {
        "meta": {
            "backend": backend,
            "time": stamp,
            "duration": duration,
            "connections": connections,
            "wrk_threads": threads,
            "workers": env_int("BENCH_WORKERS", 3),
            "worker_class": os.environ.get("BENCH_WORKER_CLASS", "sync"),
            "gunicorn_threads": env_int("BENCH_GUNICORN_THREADS", 1),
            "cpus": os.cpu_count(),
            "redis": bool(os.environ.get("REDIS_URL")),
            "deployment": deployment(backend),
            "article_bytes": article_bytes,
            "command": " ".join(
                Path(part).name if "/" in part else part
                for part in gunicorn_command(port, "access.log")
            ),
        },
        "manifest": manifest,
        "scenarios": rows,
        "probes": probes,
    }
    table = markdown_table(results)
    name = f"{deployment(backend)}-{stamp}"
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(table)
    print(table)
    log(f"results in bench/results/{name}.json and .md")
    failed = [row["name"] for row in rows if row.get("failures")]
    if failed:
        log(f"failed: {', '.join(failed)}")
    return results


def main():
    results = run()
    sys.exit(1 if any(row.get("failures") for row in results["scenarios"]) else 0)


if __name__ == "__main__":
    main()
