"""Dependencies point one way: comments may import articles, never the reverse,
and the production URL configuration does not load the benchmark."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_nothing_in_articles_imports_comments():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "articles").rglob("*.py")
        for module in imported_modules(path)
        if module == "comments" or module.startswith("comments.")
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
