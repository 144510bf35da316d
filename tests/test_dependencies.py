"""Dependencies point one way: comments, live coverage and the standing pages
may import articles, never the reverse (the article page reaches them through
template tags and includes), and the production URL configuration does not
load the benchmark."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


@pytest.mark.parametrize(
    "app, never",
    [
        ("articles", ["comments", "live", "pages"]),
        ("live", ["comments", "pages"]),
        ("pages", ["comments", "live"]),
    ],
)
def test_an_app_never_imports_the_apps_built_on_it(app, never):
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for module in imported_modules(path)
        if module.split(".")[0] in never
    ]
    assert offenders == []


def test_the_counting_stores_do_not_import_the_counting_rule():
    stores = [p for p in (ROOT / "articles" / "counting").glob("*.py") if p.name != "__init__.py"]
    assert stores, "the counting rule and its stores live in articles/counting/"
    for path in stores:
        assert "articles.counting" not in set(imported_modules(path)), path.name


def test_the_production_urls_do_not_load_the_benchmark():
    script = (
        "import sys, django; django.setup()\n"
        "import newsroom.urls\n"
        "print(sorted(m for m in sys.modules if m == 'bench' or m.startswith('bench.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "newsroom.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"
