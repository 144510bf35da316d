"""Profile one page of a benchmark database with pyinstrument, in production settings.

    python -m bench.profile DATABASE_URL PATH [REQUESTS]

Renders PATH through Django's test client REQUESTS times (200), each time as a new
reader (no cookie, a User-Agent of its own), after one warm-up request, and prints
pyinstrument's call tree and the SQL time. `BENCH_KEEP_DB=1 make bench` keeps a run's database (an SQLite file in its
bench/results/run-*/ folder, or the PostgreSQL database) to profile.
"""

import os
import secrets
import sys
import time


def main(argv):
    from bench.run import READER_UA, production_env

    database_url, path = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else 200
    os.environ.update(production_env(database_url))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("bench.profile needs pyinstrument: make test installs it") from None

    client = Client(HTTP_HOST="127.0.0.1")
    run = secrets.token_hex(4)  # new readers on every profile of the same database
    client.get(path, headers={"User-Agent": f"{READER_UA} warmup-{run}"})
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        profiler.start()
        for n in range(count):
            client.cookies.clear()  # a new reader brings no cookie
            client.get(path, headers={"User-Agent": f"{READER_UA} profile-{run}-{n}"})
        profiler.stop()
    elapsed = time.perf_counter() - started
    sql = sum(float(query["time"]) for query in queries.captured_queries)
    print(
        profiler.output_text(
            unicode=True, color=False, show_all=os.environ.get("BENCH_PROFILE_ALL") == "1"
        )
    )
    print(
        f"{count} requests in {elapsed:.2f} s: {elapsed / count * 1000:.2f} ms each, "
        f"of which SQL {sql / count * 1000:.2f} ms over {len(queries) / count:.1f} queries"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
