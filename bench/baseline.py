"""The benchmark's baseline: a bare Django view rendering a template of the same size
as the article page, with no queries.

Mounted at /bench/baseline/ by ``bench/urls.py`` (the benchmark's settings), so it
never exists in a normal deploy. ``bench/run.py`` measures the hot article page first
and passes its size in NEWSROOM_BENCH_BASELINE_BYTES.
"""

import os
from pathlib import Path

from django.http import HttpResponse
from django.template import engines
from django.views.decorators.http import require_safe

TEMPLATE_PATH = Path(__file__).with_name("baseline.html")
FILLER = (
    "A paragraph of plain text the size of a news story's, rendered through the template "
    "engine with autoescaping, so the baseline does the same kind of work a page does. "
)
PARAGRAPH_CHARS = 600


def baseline_paragraphs(total_bytes, shell_bytes):
    """Paragraphs that bring the rendered page to about ``total_bytes``."""
    remaining = max(0, total_bytes - shell_bytes)
    paragraphs = []
    while remaining > 0:
        size = min(PARAGRAPH_CHARS, remaining)
        text = (FILLER * (size // len(FILLER) + 1))[: max(0, size - len("<p></p>\n"))]
        paragraphs.append(text)
        remaining -= size
    return paragraphs


def baseline_view():
    """The view, with its paragraphs sized once from NEWSROOM_BENCH_BASELINE_BYTES."""
    template = engines["django"].from_string(TEMPLATE_PATH.read_text())
    shell_bytes = len(template.render({"paragraphs": []}).encode())
    total = int(os.environ.get("NEWSROOM_BENCH_BASELINE_BYTES", "10000"))
    paragraphs = baseline_paragraphs(total, shell_bytes)
    excess = len(template.render({"paragraphs": paragraphs}).encode()) - total
    if paragraphs and excess > 0:
        paragraphs[-1] = paragraphs[-1][: max(0, len(paragraphs[-1]) - excess)]

    @require_safe
    def baseline(request):
        return HttpResponse(template.render({"paragraphs": paragraphs}, request))

    return baseline
