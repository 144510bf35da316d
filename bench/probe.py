"""Render each scenario's request once through Django's test client, against the
benchmark database, with the server's settings; report status, size and SQL queries.

    python -m bench.probe < requests.json > probes.json

Each request runs twice and the second is measured, so once-per-process work (the
day's reader salt, the first connection) is not charged to every request, as it is
not under load. The article is requested as two different readers, so both count.
"""

import json
import sys


def probe(requests):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    results = {}
    for spec in requests:
        for attempt in range(2):
            headers = {"User-Agent": f"{spec.get('user_agent', 'Mozilla/5.0')} probe-{attempt}"}
            if spec.get("htmx"):
                headers["HX-Request"] = "true"
            with CaptureQueriesContext(connection) as queries:
                if spec.get("method", "GET") == "POST":
                    response = client.post(spec["path"], spec.get("data", {}), headers=headers)
                else:
                    response = client.get(spec["path"], headers=headers)
        results[spec["name"]] = {
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": len(queries.captured_queries),
            "sql_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 2),
            "sql": [query["sql"][:300] for query in queries.captured_queries],
        }
    return results


def main():
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    json.dump(probe(json.load(sys.stdin)), sys.stdout)


if __name__ == "__main__":
    main()
