"""Real-browser tests: Playwright drives Debian's Chromium against live_server.

Outside CI the tests skip with a clear message when no Chromium is installed; in
CI (CI=true) a missing browser fails the run instead of skipping it.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.test import Client

CHROMIUM = os.environ.get("NEWSROOM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
    browser_items = [item for item in items if "tests/browser" in str(item.path)]
    if browser_items and os.environ.get("CI") == "true":
        raise pytest.UsageError(f"{message} (CI must run the browser tests)")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_script():
    if not AXE.exists():
        message = f"axe-core not installed at {AXE}: run npm ci"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return str(AXE)


@pytest.fixture
def signed_in(browser, live_server, editor):
    """A browser context signed in as the editor on duty, by session cookie."""

    def open_context(**options):
        client = Client()
        client.force_login(editor)
        context = browser.new_context(**options)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        return context

    return open_context
