"""End-to-end fixtures: Debian's Chromium driven by Playwright (sync API) against a live server.

Nothing here downloads a browser: Playwright launches /usr/bin/chromium (bin/test installs it
from Debian when it is missing). If Chromium cannot start, the tests fail; they are never skipped.
The live server runs in a thread of this process, and sync Playwright runs an event loop in the
test thread, so Django's async-safety check has to be relaxed for the ORM calls the tests make.
"""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import call_command

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 8_000


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_site(migration_data, live_server):
    """The demo content, indexed: the live server needs committed data (``migration_data``
    asks for a transactional database and restores what an earlier test's flush removed)."""
    quiet = io.StringIO()
    call_command("load_demo", stdout=quiet, stderr=quiet)
    call_command("rebuild_search_index", stdout=quiet, stderr=quiet)
    return live_server


@pytest.fixture
def page(browser, demo_site):
    context = browser.new_context(base_url=demo_site.url, locale="sv-SE")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
