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
BENCH_COMMENTS / BENCH_HOT_COMMENTS / BENCH_CATEGORIES (scale), BENCH_PORT (first free
of 8041-8049).
"""

import contextlib
import json
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
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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
    script: str = "plain"  # plain, htmx, readers or mix (bench/lua/)
    read: bool = True  # a read scenario: zero non-2xx expected
    target: float | None = None  # minimum throughput as a share of the baseline's
    optional: bool = False  # skipped, with a note, when its URL is a 404 in this build
    counts_views: bool = False  # every request is a distinct reader of the hot article
    post_path: str = ""
    post_body: str = ""
    post_every: int = 10


# Paths are formatted with the seed manifest.
SCENARIOS = [
    Scenario("baseline", "/bench/baseline/"),
    Scenario("home", "/", target=0.6),
    Scenario("category", "/category/{category_slug}/", target=0.6),
    Scenario("category_deep", "/category/{category_slug}/?page={deep_page}", target=0.6),
    Scenario("article_readers", "/articles/{hot_slug}/", "readers", target=0.5, counts_views=True),
    # The same page as one reader again and again: views deduplicated, nothing
    # incremented; the gap to article_readers is what counting costs.
    Scenario("article_repeat_reader", "/articles/{hot_slug}/"),
    Scenario("more_comments", "/articles/{hot_slug}/comments/more/?page=2", "htmx", optional=True),
    Scenario("search", "/search/?q=final+penalty", optional=True),
    Scenario(
        "mix_comment_posts",
        "/articles/{hot_slug}/",
        "mix",
        read=False,
        optional=True,
        post_path="/articles/{hot_slug}/comments/",
        # The comment form as a reader sends it: name, text, the empty honeypot and
        # the signed time the form was opened (a minute ago).
        post_body="body=What+a+night+in+the+final&author_name=Reader&website=&issued={issued}",
    ),
]


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
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            sql = "SELECT view_count FROM articles_article WHERE id = ?"
            return conn.execute(sql, [article_id]).fetchone()[0]
    import psycopg

    with psycopg.connect(database_url) as conn:
        sql = "SELECT view_count FROM articles_article WHERE id = %s"
        return conn.execute(sql, [article_id]).fetchone()[0]


# --- the server ---------------------------------------------------------------


def free_port():
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    for port in range(8041, 8050):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise SystemExit("bench: ports 8041-8049 are all busy")


SECRET_KEY = secrets.token_urlsafe(50)  # one per run: the seeder and the server share it


def form_issued_token():
    """The comment form's timestamp as the server would have signed it a minute ago."""
    from urllib.parse import quote

    from django.core import signing

    signer = signing.TimestampSigner(key=SECRET_KEY, salt="comments.form-issued", fallback_keys=[])
    token = signer.sign_object(int(time.time()) - 60)
    return quote(token, safe="")


def production_env(database_url, baseline_bytes=None):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain http on loopback: no TLS redirect, no secure-only cookies, no HSTS.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_HSTS_PRELOAD="0",
        # The site's settings with the baseline view mounted (bench/urls.py).
        DJANGO_SETTINGS_MODULE="bench.settings",
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


def wait_healthy(base_url, server, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("bench: gunicorn exited during startup; see gunicorn.log")
        try:
            with urllib.request.urlopen(f"{base_url}/health/", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("bench: /health/ did not answer within 30 s")


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


def warm(base_url, path, htmx=False):
    """Ask for the page once, as its first reader would, before it is measured.

    Without it a scenario's first 32 requests all find the shared cache empty and
    every worker renders the same page at once; that one-off cost is the probe's
    (SQL time per query), the figures are the steady state. A failure here is
    left for wrk to count.
    """
    headers = {"User-Agent": f"{READER_UA} warm-up"}
    if htmx:
        headers["HX-Request"] = "true"
    request = urllib.request.Request(base_url + path, headers=headers)
    with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=30) as response:
        response.read()


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


def logged_requests(access_log, offset, path=None, status="2"):
    """Requests the server logged after offset: for GET path with a status starting
    with ``status``, or all of them when path is None."""
    with open(access_log, "rb") as handle:
        handle.seek(offset)
        lines = handle.read().decode(errors="replace").splitlines()
    if path is None:
        return len(lines)
    pattern = re.compile(rf'"GET {re.escape(path)} HTTP/1\.[01]" {status}\d* ')
    return sum(1 for line in lines if pattern.search(line))


BASELINE_AGAIN = Scenario("baseline_again", SCENARIOS[0].path)

# --- the report ---------------------------------------------------------------


def apply_ratios(rows):
    """Each measured row's throughput as a share of the mean baseline, and its checks."""
    baselines = [r["rps"] for r in rows if r["name"].startswith("baseline") and "rps" in r]
    reference = sum(baselines) / len(baselines) if baselines else None
    for row in rows:
        if "rps" in row:
            row["ratio"] = round(row["rps"] / reference, 3) if reference else None
            row["failures"] = check_targets(row)
    return reference


def check_targets(row):
    """The issue's targets for one measured scenario, as a list of failures."""
    failures = []
    if row.get("target") and row.get("ratio") is not None and row["ratio"] < row["target"]:
        failures.append(f"throughput {row['ratio']:.0%} < {row['target']:.0%} of baseline")
    if row["p50_ms"] and row["p99_ms"] > 10 * row["p50_ms"]:
        failures.append("p99 > 10x p50")
    if row.get("read") and row["non_2xx"]:
        failures.append(f"{row['non_2xx']} non-2xx")
    if row.get("views_exact") is False:
        failures.append("view count not exact")
    return failures


def markdown_table(results):
    meta = results["meta"]
    lines = [
        f"### {meta['backend']}, {meta['workers']} x {meta['worker_class']} workers, "
        f"{meta['connections']} connections, {meta['duration']} s per scenario",
        "",
        "| scenario | req/s | vs baseline | p50 ms | p99 ms | non-2xx | queries/req "
        "| worker CPU ms/req | PostgreSQL+Redis CPU ms/req | peak RSS/worker MB | bytes | check |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in results["scenarios"]:
        if row.get("skipped"):
            lines.append(f"| {row['name']} | skipped: {row['skipped']} |||||||||||")
            continue
        ratio = f"{row['ratio']:.0%}" if row.get("ratio") is not None else ""
        check = "; ".join(row["failures"]) or "ok"
        lines.append(
            f"| {row['name']} | {row['rps']:.0f} | {ratio} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['non_2xx']} | {row.get('queries', '')} "
            f"| {row.get('cpu_ms') or ''} | {row.get('service_cpu_ms') or ''} "
            f"| {row.get('peak_rss_mb') or ''} "
            f"| {row.get('bytes', '')} | {check} |"
        )
    views = results.get("views")
    if views:
        verdict = "exact" if views["exact"] else "NOT exact"
        lines += [
            "",
            f"View count of the hot article: +{views['delta']} for {views['served_2xx']} "
            f"distinct-reader responses served with 2xx ({verdict}; wrk received "
            f"{views['wrk_2xx']}, the rest were in flight when it stopped).",
        ]
    return "\n".join(lines) + "\n"


# --- the run ------------------------------------------------------------------


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
    server = None
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

        scenarios = [s for s in SCENARIOS if not only or s.name in only or s.name == "baseline"]
        probes_in = []
        for s in scenarios:
            probes_in.append(
                {
                    "name": s.name,
                    "path": s.path.format(**manifest),
                    "user_agent": READER_UA,
                    # As wrk asks for it (bench/lua/htmx.lua): the fragment, not a redirect.
                    "htmx": s.script == "htmx",
                }
            )
            if s.post_path:
                probes_in.append({"name": f"{s.name}:post", "path": s.post_path.format(**manifest)})
        probed = subprocess.run(
            [PYTHON, "-m", "bench.probe"],
            cwd=ROOT,
            env=env,
            input=json.dumps(probes_in),
            check=True,
            capture_output=True,
            text=True,
        )
        probes = json.loads(probed.stdout)
        article_bytes = probes.get("article_readers", {}).get("bytes", 10_000)

        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        access_log = run_dir / "access.log"
        server_env = production_env(database_url, baseline_bytes=article_bytes)
        command = gunicorn_command(port, access_log)
        log("serving: " + " ".join(Path(part).name if "/" in part else part for part in command))
        server_log = open(run_dir / "gunicorn.log", "wb")  # noqa: SIM115 closed with the server
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_env,
            start_new_session=True,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        wait_healthy(base_url, server)
        with urllib.request.urlopen(f"{base_url}/bench/baseline/", timeout=5) as response:
            probes["baseline"]["bytes"] = len(response.read())

        rows, views = [], None
        nonce = secrets.token_hex(4)
        # The baseline runs first and again last; ratios use the mean of the two, so
        # a machine that got busier or quieter during the run skews them less.
        for s in [*scenarios, BASELINE_AGAIN]:
            path = s.path.format(**manifest)
            probe = probes.get(s.name.removesuffix("_again"), {})
            row = {"name": s.name, "path": path, "read": s.read, "target": s.target}
            missing = probe.get("status") == 404 or (
                s.post_path and probes.get(f"{s.name}:post", {}).get("status") == 404
            )
            if s.optional and missing:
                missing_path = s.post_path.format(**manifest) if s.post_path else path
                row["skipped"] = f"{missing_path} is a 404 in this build"
                log(f"{s.name}: skipped ({missing_path} is a 404 in this build)")
                rows.append(row)
                continue
            constants = {"RUN_NONCE": nonce}
            if s.script == "mix":
                constants.update(
                    POST_PATH=s.post_path.format(**manifest),
                    POST_BODY=s.post_body.format(issued=form_issued_token()),
                    POST_EVERY=s.post_every,
                )
            script = wrk.build_script(s.script, **constants)
            pids = worker_pids(server.pid)
            reset_peak_rss(pids)
            if s.read:
                warm(base_url, path, htmx=s.script == "htmx")
                wait_idle(access_log)  # its log line lands before the scenario's offset
            before = view_count(database_url, manifest["hot_id"]) if s.counts_views else None
            log_offset = access_log.stat().st_size if access_log.exists() else 0
            cpu_before = cpu_seconds(pids)
            services_before = cpu_seconds(service_pids())
            log(f"{s.name}: {duration} s of {base_url}{path}")
            report = wrk.run(
                base_url + path, script, run_dir / f"{s.name}.lua", duration, connections, threads
            )
            wait_idle(access_log)
            row.update(report)
            row["queries"] = probe.get("queries")
            row["bytes"] = probe.get("bytes")
            row["peak_rss_mb"] = peak_rss_mb(worker_pids(server.pid))
            # Worker CPU per request: unlike requests/s, barely moved by other load.
            served = logged_requests(access_log, log_offset)
            cpu = cpu_seconds(worker_pids(server.pid)) - cpu_before
            row["cpu_ms"] = round(cpu / served * 1000, 2) if served else None
            services = cpu_seconds(service_pids()) - services_before
            row["service_cpu_ms"] = round(services / served * 1000, 2) if served else None
            if s.counts_views:
                delta = view_count(database_url, manifest["hot_id"]) - before
                served = logged_requests(access_log, log_offset, path)
                views = {
                    "delta": delta,
                    "served_2xx": served,
                    "wrk_2xx": report["status"]["2xx"],
                    "exact": delta == served,
                }
                row["views_exact"] = views["exact"]
            rows.append(row)
        apply_ratios(rows)
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            server_log.close()
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
            "article_bytes": article_bytes,
            "command": " ".join(Path(part).name if "/" in part else part for part in command),
        },
        "manifest": manifest,
        "scenarios": rows,
        "views": views,
        "probes": probes,
    }
    table = markdown_table(results)
    name = f"{backend}-{stamp}"
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(table)
    print(table)
    log(f"results in bench/results/{name}.json and .md")
    failed = [row["name"] for row in rows if row.get("failures")]
    if failed:
        log(f"targets missed: {', '.join(failed)}")
    return results


if __name__ == "__main__":
    run()
