"""The benchmark harness without the load: the seeder at a tiny scale, the wrk
scripts and the parsing of their report, and the baseline's wiring."""

import json
import os
import random
import subprocess
import sys
import time

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
"status": {"2xx": 1495, "3xx": 3, "4xx": 2, "5xx": 0}, "posts": 3, \
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
    assert (
        hot.is_published()
        and hot.pins.filter(category=None, slot=1).exists()
        and hot.pk == manifest["hot_id"]
    )
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
    assert report["posts_sent"] == 3
    assert report["socket_errors"]["timeout"] == 1


def test_missing_report_line_is_an_error():
    with pytest.raises(ValueError, match="no report line"):
        wrk.parse_output("Running 3s test\n")


@pytest.mark.parametrize("kind", ["readers", "beacon", "mix"])
def test_every_request_of_a_readers_script_is_a_reader_with_an_agent_and_address_of_its_own(
    kind,
):
    script = wrk.build_script(kind, RUN_NONCE="ab12")

    assert 'RUN_NONCE = "ab12"' in script and "function done(" in script
    assert "reader_headers(counter)" in script
    assert "RUN_NONCE, thread_id, n)" in script  # the agent
    assert '["X-Forwarded-For"] = string.format(' in script  # the address
    assert '"10.%d.%d.%d", thread_id % 256, math.floor(n / 256) % 256, n % 256)' in script


def test_reader_agents_are_counted_as_readers():
    from articles.counting import BOT_USER_AGENT

    agent = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 Reader/ab-1-2"
    assert agent.split(" Reader/")[0] in (wrk.LUA_DIR / "report.lua").read_text()
    assert not BOT_USER_AGENT.search(agent)


def test_the_server_believes_the_readers_addresses_as_it_does_behind_nginx():
    import bench.settings
    import newsroom.settings

    assert run.production_env("sqlite:///x")["NEWSROOM_TRUSTED_PROXIES"] == "1"
    # The cap on views per address is the site's own: nothing lifts it.
    assert bench.settings.NEWSROOM_VIEWS_PER_ADDRESS == newsroom.settings.NEWSROOM_VIEWS_PER_ADDRESS


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
        {"name": "search", "failures": ["/search/ is a 404 in this build"]},
        {"name": "baseline_again", "rps": 1100.0, "p50_ms": 1, "p99_ms": 2, "non_2xx": 0},
    ]

    assert run.apply_ratios(rows) == 1000.0
    assert rows[1]["ratio"] == 0.5
    assert rows[1]["failures"] == ["throughput 50% < 60% of baseline"]
    assert "ratio" not in rows[2]
    assert rows[2]["failures"] == ["/search/ is a 404 in this build"]


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


# --- every scenario must run ------------------------------------------------------

MANIFEST = {"hot_slug": HOT, "category_slug": "news", "deep_page": 3}


def test_the_issues_scenarios_are_in_the_bench_with_their_targets():
    scenarios = {s.name: s for s in run.SCENARIOS}

    assert scenarios["mix-100"].post_every == 100 and scenarios["mix-100"].target == 0.45
    assert scenarios["mix-10"].post_every == 10 and scenarios["mix-10"].target == 0.25
    assert scenarios["beacon"].cdn and scenarios["beacon"].target == 1.0
    assert scenarios["beacon"].counts_views
    assert scenarios["varnish"].cdn and scenarios["varnish"].through_varnish


def test_the_mix_and_cdn_targets_are_judged_in_the_viral_deployment_and_reported_elsewhere():
    scenarios = {s.name: s for s in run.SCENARIOS}

    for name in ("mix-100", "mix-10", "beacon"):
        target = scenarios[name].target
        assert run.target_of(scenarios[name], "postgresql+redis") == {"target": target}
        assert run.target_of(scenarios[name], "postgresql") == {
            "target_elsewhere": [target, ["postgresql+redis"]]
        }
        assert run.target_of(scenarios[name], "sqlite") == {
            "target_elsewhere": [target, ["postgresql+redis"]]
        }
    for deployment in ("sqlite", "postgresql", "postgresql+redis", "sqlite+redis"):
        assert run.target_of(scenarios["article_readers"], deployment) == {"target": 0.5}
        assert run.target_of(scenarios["home"], deployment) == {"target": 0.6}
    assert run.target_of(scenarios["search"], "postgresql") == {}


def test_the_deployment_names_redis_when_the_site_has_it(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert run.deployment("postgresql") == "postgresql"
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/14")
    assert run.deployment("postgresql") == "postgresql+redis"


def test_a_row_measured_outside_its_targets_deployment_says_so_and_passes():
    results = {
        "meta": {
            "backend": "postgresql",
            "deployment": "postgresql",
            "workers": 3,
            "worker_class": "sync",
            "connections": 32,
            "duration": 10,
        },
        "scenarios": [
            {
                "name": "beacon",
                "rps": 700.0,
                "ratio": 0.55,
                "p50_ms": 40,
                "p99_ms": 70,
                "non_2xx": 0,
                "read": True,
                "target_elsewhere": [1.0, ["postgresql+redis"]],
            },
        ],
    }
    run.apply_ratios(results["scenarios"])

    assert results["scenarios"][0]["failures"] == []
    assert "ok (its 100% target is for postgresql+redis)" in run.markdown_table(results)


def test_a_scenario_whose_url_is_a_404_is_a_failure():
    search = next(s for s in run.SCENARIOS if s.name == "search")

    failure = run.missing_url(search, {"search": {"status": 404}}, MANIFEST)

    assert failure == "/search/?q=final+penalty is a 404 in this build"
    assert run.missing_url(search, {"search": {"status": 200}}, MANIFEST) is None


def test_a_mix_whose_comment_endpoint_is_a_404_is_a_failure():
    mix = next(s for s in run.SCENARIOS if s.name == "mix-10")
    probes = {"mix-10": {"status": 200}, "mix-10:post": {"status": 404}}

    assert run.missing_url(mix, probes, MANIFEST) == (
        f"/articles/{HOT}/comments/ is a 404 in this build"
    )


def test_a_failed_scenario_is_reported_as_failed_in_the_table():
    rows = [
        {"name": "baseline", "rps": 1000.0, "p50_ms": 1, "p99_ms": 2, "non_2xx": 0},
        {"name": "beacon", "failures": [f"/articles/{HOT}/viewed/ is a 404 in this build"]},
    ]
    run.apply_ratios(rows)
    meta = {"backend": "sqlite", "workers": 3, "worker_class": "sync"}
    meta |= {"connections": 32, "duration": 10}

    table = run.markdown_table({"meta": meta, "scenarios": rows})

    assert f"| beacon | FAILED, not measured: /articles/{HOT}/viewed/ is a 404" in table
    assert "skipped" not in table


def test_probe_figures_are_labelled_as_one_request():
    meta = {"backend": "sqlite", "workers": 3, "worker_class": "sync"}
    meta |= {"connections": 32, "duration": 10}

    table = run.markdown_table({"meta": meta, "scenarios": []})

    assert "probe SQL queries (1 request)" in table
    assert "probe bytes (1 request)" in table


# --- comment posts in the mix -----------------------------------------------------

POSTS_OK = {"sent": 20, "2xx": 0, "3xx": 20, "4xx": 0, "5xx": 0}
POSTS_OK |= {"stored": 20, "visible": 20, "newest_on_page": True}


def test_posts_redirected_stored_visible_and_on_the_page_pass():
    assert run.check_posts(POSTS_OK) == []


def test_posts_answered_4xx_or_5xx_are_failures():
    posts = POSTS_OK | {"3xx": 17, "4xx": 2, "5xx": 1, "stored": 17, "visible": 17}

    assert run.check_posts(posts) == ["3 of 20 comment posts failed"]


def test_a_mix_that_posted_nothing_fails():
    posts = POSTS_OK | {"3xx": 0, "stored": 0, "visible": 0, "newest_on_page": False}

    assert run.check_posts(posts) == ["no comment was posted"]


def test_accepted_posts_missing_from_the_database_are_a_failure():
    posts = POSTS_OK | {"stored": 18, "visible": 18}

    assert run.check_posts(posts) == ["18 comments stored for 20 accepted posts"]


def test_posts_held_for_moderation_are_a_failure():
    assert run.check_posts(POSTS_OK | {"visible": 15}) == ["5 of 20 posted comments not visible"]


def test_the_newest_post_missing_from_the_article_page_is_a_failure():
    assert run.check_posts(POSTS_OK | {"newest_on_page": False}) == [
        "the newest posted comment is not on the article page"
    ]


def test_mix_rows_are_judged_by_their_posts_and_their_reads():
    row = {"p50_ms": 10, "p99_ms": 20, "read": False, "non_2xx": 20, "read_non_2xx": 2}
    row["posts"] = POSTS_OK

    assert run.check_targets(row) == ["2 non-2xx reads"]


def test_the_post_statuses_are_read_from_the_access_log(tmp_path):
    log = tmp_path / "access.log"
    path = f"/articles/{HOT}/comments/"
    log.write_text(
        f'127.0.0.1 - - [t] "POST {path} HTTP/1.1" 302 0 "-" "Mozilla"\n'
        f'127.0.0.1 - - [t] "POST {path} HTTP/1.1" 302 0 "-" "Mozilla"\n'
        f'127.0.0.1 - - [t] "POST {path} HTTP/1.1" 429 0 "-" "Mozilla"\n'
        f'127.0.0.1 - - [t] "GET {path} HTTP/1.1" 302 0 "-" "Mozilla"\n'
    )

    assert run.logged_requests(log, 0, path, status="3", method="POST") == 2
    assert run.logged_requests(log, 0, path, status="4", method="POST") == 1
    assert run.logged_requests(log, 0, path, status="[345]") == 1


def test_mix_script_fetches_a_form_and_posts_with_it_after_every_n_reads():
    script = wrk.build_script(
        "mix", RUN_NONCE="ab", POST_EVERY=100, POST_PATH="/p/", FORM_PATH="/p/new/",
        FORM_WAIT_SECONDS=4, POST_FIELDS="a=1", CSRF_COOKIE="csrftoken=x", MARKER="benchmark1",
    )  # fmt: skip

    assert "POST_EVERY = 100" in script and 'MARKER = "benchmark1"' in script
    assert "local turn = counter % (POST_EVERY + 2)" in script
    assert 'wrk.format("GET", FORM_PATH' in script
    assert "os.time() - forms[1].at >= FORM_WAIT_SECONDS" in script
    assert "&issued=%s&body=" in script and "table.remove(forms, 1)" in script
    assert '["Cookie"] = CSRF_COOKIE' in script and "posts_sent = posts_sent + 1" in script
    assert script.index("function take_form") < script.index("take_form(status, body)")


def test_comment_form_without_csrf_token_is_an_error():
    html = '<form action="/articles/a/comments/" method="post"><input name="issued" value="1">'

    with pytest.raises(run.ScenarioFailed, match="csrfmiddlewaretoken"):
        run.comment_form(html, "/articles/a/comments/")


def test_page_without_csrf_cookie_is_an_error():
    with pytest.raises(run.ScenarioFailed, match="no csrftoken cookie"):
        run.csrf_cookie(["sessionid=abc; Path=/"])


@pytest.mark.django_db
@pytest.mark.django_db(transaction=True)
def test_a_mix_post_built_from_the_article_page_passes_the_forms_traps(make_article, monkeypatch):
    """The poster's form, cookie and text as wrk sends them, a little over 3 s after
    the form was fetched: redirected to the comment, which is approved and shown;
    the same form sent again is refused."""
    from django.test import Client

    from comments.models import Comment

    article = make_article(slug=HOT)
    post_path = f"/articles/{HOT}/comments/"
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(f"{post_path}new/", headers={"User-Agent": run.READER_UA})
    fields = run.comment_form(page.content.decode(), post_path)
    cookie = run.csrf_cookie([morsel.OutputString() for morsel in page.cookies.values()])
    issued_at = time.time()
    monkeypatch.setattr("articles.form_tokens.time.time", lambda: issued_at + run.FORM_MIN_AGE)

    def post(reader):
        return Client(enforce_csrf_checks=True).post(
            post_path,
            f"{run.post_fields(fields)}&issued={fields['issued']}"
            f"&body=benchmark1+1+{reader}+what+a+night+in+the+final",
            content_type="application/x-www-form-urlencoded",
            headers={"User-Agent": f"{run.READER_UA} Reader/ab-1-{reader}", "Cookie": cookie},
        )

    response = post(101)

    assert response.status_code == 302 and "#comment-" in response["Location"]
    comment = Comment.objects.get(article=article)
    assert comment.body == "benchmark1 1 101 what a night in the final"
    assert comment.status == Comment.Status.APPROVED
    shown = Client().get(f"/articles/{HOT}/", headers={"User-Agent": "Mozilla/5.0 later"})
    assert comment.body in shown.content.decode()
    assert post(102).status_code == 422  # a form token is usable once


def database_url(connection):
    """The test database as the bench names its own, in DATABASE_URL form."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_the_runs_comments_are_found_by_their_marker(make_article, make_comment):
    from django.db import connection

    article = make_article()
    make_comment(article=article, body="benchmark1 1 11 first")
    make_comment(article=article, body="benchmark1 1 22 second")
    make_comment(article=article, body="benchmark1 2 11 held", status="pending")
    make_comment(article=article, body="benchmark2 1 11 another run's")

    statuses, newest = run.posted_comments(database_url(connection), "benchmark1")

    assert statuses == {"approved": 2, "pending": 1}
    assert newest == "benchmark1 1 22 second"


# --- the CDN scenarios --------------------------------------------------------------


def test_cache_share_is_the_requests_varnish_answered_alone():
    assert run.cache_share(wrk_requests=10_000, origin_requests=50) == 0.995
    assert run.cache_share(wrk_requests=100, origin_requests=100) == 0.0
    assert run.cache_share(wrk_requests=0, origin_requests=0) == 0.0


def test_varnish_answering_less_than_99_percent_misses_the_target():
    row = {"p50_ms": 1, "p99_ms": 2, "read": True, "non_2xx": 0, "tail_check": False}

    assert run.check_targets(row | {"cache_share": 0.995}) == []
    assert run.check_targets(row | {"cache_share": 0.98}) == ["98.0% served by Varnish alone < 99%"]


def test_varnish_backend_port_is_the_bench_servers():
    vcl = 'backend default {\n    .host = "127.0.0.1";\n    .port = "8000";\n}\n'

    assert '.port = "8042";' in run.varnish_vcl(vcl, 8042)
    assert '"8000"' not in run.varnish_vcl(vcl, 8042)


def test_varnish_configuration_without_the_backend_port_line_is_an_error():
    with pytest.raises(run.ScenarioFailed, match="backend line"):
        run.varnish_vcl('backend default { .host = "origin"; }', 8042)


def test_beacon_script_asks_as_htmx_with_a_reader_per_request():
    script = wrk.build_script("beacon", RUN_NONCE="ab")

    assert 'headers["HX-Request"] = "true"' in script and "reader_headers(counter)" in script


# --- the soak ---------------------------------------------------------------------


def minutes(*samples):
    return [{"rss_mb": rss, "p99_ms": p99, "rps": 100.0} for rss, p99 in samples]


def test_the_soak_is_five_minutes_of_the_mix_sampled_each_minute():
    soak = next(s for s in run.SCENARIOS if s.name == "soak")

    assert soak.soak and soak.script == "mix" and soak.post_every == 10
    assert soak.counts_views
    assert run.soak_minutes(300) == (5, 60)
    assert run.soak_minutes(30) == (2, 15)  # a short soak still has a first and a last


def test_the_default_run_leaves_the_soak_out():
    names = [s.name for s in run.selected_scenarios()]

    assert "soak" not in names
    assert "mix-10" in names and "varnish" in names


def test_the_soak_runs_when_named_or_asked_for():
    assert [s.name for s in run.selected_scenarios({"soak"})] == ["baseline", "soak"]
    assert "soak" in [s.name for s in run.selected_scenarios(soak=True)]
    assert "soak" not in [s.name for s in run.selected_scenarios({"mix-10"})]


def test_a_steady_soak_passes():
    assert run.soak_failures(minutes((300, 40), (310, 45), (320, 70), (329.9, 80))) == []


def test_worker_memory_growing_ten_percent_or_more_fails_the_soak():
    failures = run.soak_failures(minutes((300, 40), (315, 40), (330, 40)))

    assert failures == [
        "worker memory grew 10% from the first minute to the last (300 -> 330 MB, limit 10%)"
    ]


def test_memory_is_judged_from_the_first_minute_to_the_last_not_at_its_peak():
    assert run.soak_failures(minutes((300, 40), (400, 40), (320, 40))) == []


def test_a_last_minute_p99_over_twice_the_first_fails_the_soak():
    failures = run.soak_failures(minutes((300, 40), (300, 60), (300, 80.5)))

    assert failures == ["p99 of the last minute 80.5 ms > 2x the first's 40.0 ms"]
    assert run.soak_failures(minutes((300, 40), (300, 80))) == []


def test_a_soak_with_one_sample_fails():
    assert run.soak_failures(minutes((300, 40))) == ["a soak needs at least two samples"]


def test_the_soaks_minutes_add_up_to_one_row():
    first = wrk.parse_output(WRK_STDOUT)
    second = {**first, "p99_ms": 90.0, "requests": 500, "seconds": 2.0}

    row = run.combined_report([first, second])

    assert row["requests"] == 2000
    assert row["rps"] == 400.0
    assert row["p99_ms"] == 90.0
    assert row["status"]["2xx"] == 2990
    assert row["posts_sent"] == 6
    assert row["socket_errors"]["timeout"] == 2


def test_the_soaks_minutes_are_listed_under_the_table():
    results = {
        "meta": {
            "backend": "sqlite",
            "workers": 3,
            "worker_class": "sync",
            "connections": 32,
            "duration": 10,
        },
        "scenarios": [
            {
                "name": "soak",
                "rps": 100.0,
                "ratio": None,
                "p50_ms": 10.0,
                "p99_ms": 80.0,
                "non_2xx": 0,
                "minutes": minutes((300, 40), (330, 40)),
                "failures": run.soak_failures(minutes((300, 40), (330, 40))),
            }
        ],
    }

    table = run.markdown_table(results)

    assert "- soak minute 2: 100 req/s, p99 40.0 ms, workers' RSS 330 MB." in table
    assert "worker memory grew 10%" in table


def test_empty_polls_must_cost_under_5_percent_of_a_core_at_500_readers():
    row = {"p50_ms": 1, "p99_ms": 2, "read": True, "non_2xx": 0, "tail_check": False}
    share = {"rate": 25, "most": 0.05}

    assert run.check_targets(row | {"core_share": share | {"share": 0.02}}) == []
    assert run.check_targets(row | {"core_share": share | {"share": 0.06}}) == [
        "6.0% of a core at 25 req/s >= 5%"
    ]


def test_the_polling_row_says_its_share_of_a_core():
    meta = {"backend": "sqlite", "workers": 3, "worker_class": "sync"}
    meta |= {"connections": 32, "duration": 10}
    row = {"name": "live_poll_empty", "rps": 900.0, "ratio": 0.8, "p50_ms": 3.0, "p99_ms": 9.0}
    row |= {"non_2xx": 0, "cpu_ms": 0.8, "core_share": {"rate": 25, "share": 0.02, "most": 0.05}}

    table = run.markdown_table({"meta": meta, "scenarios": [row]})

    assert (
        "- live_poll_empty: 0.8 ms of worker CPU per request: at 25 req/s, 2.00% of one core "
        "(target under 5%)."
    ) in table


def test_the_polling_scenario_asks_after_the_seeded_cursor():
    (poll,) = [s for s in run.SCENARIOS if s.name == "live_poll_empty"]

    assert "{live_after}" in poll.path and poll.script == "htmx"
    assert poll.core_share_at == (25, 0.05)
