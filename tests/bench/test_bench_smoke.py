"""The benchmark harness without the load: the seeder at a tiny scale, the wrk
scripts and the parsing of their report, and the baseline's wiring."""

import json
import os
import random
import subprocess
import sys

import pytest
from django.test.utils import isolate_apps
from django.urls import Resolver404, resolve
from django.utils import timezone

from articles.models import Article, Category, Source
from bench import baseline, run, seed, wrk

WRK_STDOUT = """Running 3s test @ http://127.0.0.1:8041/
  2 threads and 32 connections
  1234 requests in 3.00s, 9.10MB read
BENCH_JSON {"requests": 1500, "duration_us": 3000000, "bytes": 9540000, \
"errors": {"connect": 0, "read": 0, "write": 0, "status": 2, "timeout": 1}, \
"status": {"2xx": 1495, "3xx": 3, "4xx": 2, "5xx": 0}, \
"latency_us": {"mean": 20000.5, "stdev": 3000.1, "max": 90000, \
"p50": 18000, "p90": 25000, "p99": 61000, "p999": 80000}}
"""
HOT = seed.HOT_SLUG


@pytest.mark.django_db
def test_seeder_builds_a_tiny_newsroom_with_a_hot_article():
    manifest = seed.seed({"categories": 3, "articles": 30, "comments": 40, "hot_comments": 10})

    assert Category.objects.count() == 3
    assert Article.objects.count() == 30
    hot = Article.objects.get(slug=manifest["hot_slug"])
    assert hot.is_published() and hot.featured and hot.pk == manifest["hot_id"]
    assert Source.objects.filter(article=hot).count() == 3
    assert Source.objects.count() == manifest["sources"] >= 30
    assert 1 <= manifest["deep_page"] <= manifest["category_pages"]
    if seed.comment_model() is None:
        assert manifest["comments"] == 0
    else:
        assert manifest["comments"] == 40


@pytest.mark.django_db
def test_seeded_pages_render(client):
    manifest = seed.seed({"categories": 2, "articles": 10, "comments": 0, "hot_comments": 0})

    for path in ("/", f"/category/{manifest['category_slug']}/", f"/articles/{HOT}/"):
        assert client.get(path).status_code == 200


def test_report_line_is_parsed_into_rates_and_milliseconds():
    report = wrk.parse_output(WRK_STDOUT)

    assert report["requests"] == 1500
    assert report["rps"] == 500.0
    assert (report["p50_ms"], report["p99_ms"]) == (18.0, 61.0)
    assert report["non_2xx"] == 5
    assert report["socket_errors"]["timeout"] == 1


def test_missing_report_line_is_an_error():
    with pytest.raises(ValueError, match="no report line"):
        wrk.parse_output("Running 3s test\n")


def test_reader_script_gives_every_request_its_own_user_agent():
    script = wrk.build_script("readers", RUN_NONCE="ab12")

    assert 'RUN_NONCE = "ab12"' in script
    assert "thread_id, counter" in script and "function done(" in script


def test_reader_agents_are_counted_as_readers():
    from articles.counting import BOT_USER_AGENT

    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 Reader/ab-1-2"
    assert agent.split(" Reader/")[0] in (wrk.LUA_DIR / "readers.lua").read_text()
    assert not BOT_USER_AGENT.search(agent)


def test_lua_literals_are_quoted():
    assert wrk.lua_literal('a"b') == json.dumps('a"b')
    assert wrk.lua_literal(10) == "10"


def test_targets_flag_slow_scenarios_errors_and_inexact_counts():
    row = {"target": 0.5, "ratio": 0.4, "p50_ms": 10, "p99_ms": 120, "read": True}
    row |= {"non_2xx": 1, "views_exact": False}

    failures = run.check_targets(row)

    assert len(failures) == 4


def test_postgres_benchmark_never_uses_the_developers_database():
    url, name = run.postgres_bench_url("postgres://postgres@127.0.0.1:5432/newsroom")
    assert name == "newsroom_bench" and url.endswith("/newsroom_bench")
    assert run.postgres_bench_url("postgres://h/newsroom_bench")[1] == "newsroom_bench"


def test_production_urls_do_not_import_the_benchmark():
    code = (
        "import sys, django; django.setup(); import newsroom.urls; "
        "print(sorted(m for m in sys.modules if m == 'bench' or m.startswith('bench.')))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"


def test_production_urls_have_no_baseline_route():
    with pytest.raises(Resolver404):
        resolve("/bench/baseline/", urlconf="newsroom.urls")


def test_bench_settings_are_the_sites_with_the_baseline_mounted():
    import bench.settings
    import newsroom.settings

    assert bench.settings.ROOT_URLCONF == "bench.urls"
    assert bench.settings.INSTALLED_APPS == newsroom.settings.INSTALLED_APPS
    assert resolve("/bench/baseline/", urlconf="bench.urls").url_name == "bench-baseline"
    assert resolve(f"/articles/{HOT}/", urlconf="bench.urls").url_name == "detail"


@pytest.mark.django_db
def test_baseline_renders_the_requested_size_with_no_queries(
    rf, monkeypatch, django_assert_num_queries
):
    monkeypatch.setenv("NEWSROOM_BENCH_BASELINE_BYTES", "9000")
    view = baseline.baseline_view()

    with django_assert_num_queries(0):
        response = view(rf.get("/bench/baseline/"))

    assert response.status_code == 200
    assert abs(len(response.content) - 9000) < 100


def test_ratios_use_the_mean_of_the_baselines_before_and_after():
    rows = [
        {"name": "baseline", "rps": 900.0, "p50_ms": 1, "p99_ms": 2, "non_2xx": 0},
        {"name": "home", "rps": 500.0, "p50_ms": 1, "p99_ms": 2, "non_2xx": 0, "target": 0.6},
        {"name": "search", "skipped": "404"},
        {"name": "baseline_again", "rps": 1100.0, "p50_ms": 1, "p99_ms": 2, "non_2xx": 0},
    ]

    assert run.apply_ratios(rows) == 1000.0
    assert rows[1]["ratio"] == 0.5
    assert rows[1]["failures"] == ["throughput 50% < 60% of baseline"]
    assert "ratio" not in rows[2]


def test_view_count_check_counts_the_servers_2xx_for_the_article(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(
        '127.0.0.1 - - [t] "GET /health/ HTTP/1.1" 200 2 "-" "x"\n'
        '127.0.0.1 - - [t] "GET /articles/hot/ HTTP/1.1" 200 7390 "-" "Mozilla"\n'
        '127.0.0.1 - - [t] "GET /articles/hot/ HTTP/1.1" 200 7390 "-" "Mozilla"\n'
        '127.0.0.1 - - [t] "GET /articles/hot/ HTTP/1.1" 503 0 "-" "Mozilla"\n'
        '127.0.0.1 - - [t] "GET /articles/hot/?x=1 HTTP/1.1" 200 7390 "-" "Mozilla"\n'
    )
    offset = len(log.read_text().splitlines()[0]) + 1

    assert run.logged_requests(log, offset, "/articles/hot/") == 2
    assert run.logged_requests(log, offset) == 4


@isolate_apps("comments")
def test_comment_rows_fill_the_models_fields_by_name_and_pick_the_visible_status():
    from django.db import models

    class Comment(models.Model):
        article = models.ForeignKey(Article, on_delete=models.CASCADE)
        parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
        name = models.CharField(max_length=80)
        body = models.TextField()
        status = models.CharField(
            max_length=10, choices=[("pending", "Pending"), ("approved", "Approved")]
        )
        created_at = models.DateTimeField()

        class Meta:
            app_label = "comments"

        def __str__(self):
            return "a comment"

    build = seed._comment_builder(Comment)
    article = Article(pk=7)
    comment = build(random.Random(1), article, timezone.now())

    assert comment.article_id == 7 and comment.parent is None
    assert comment.name and comment.body and comment.created_at
    assert comment.status == "approved"


@isolate_apps("comments")
def test_a_required_comment_field_the_seeder_cannot_fill_is_named():
    from django.db import models

    class Comment(models.Model):
        article = models.ForeignKey(Article, on_delete=models.CASCADE)
        mood = models.CharField(max_length=10)

        class Meta:
            app_label = "comments"

        def __str__(self):
            return "a comment"

    with pytest.raises(SystemExit, match="mood"):
        seed._comment_builder(Comment)
