"""axe-core checks (bundled by axe-playwright-python, so offline) and keyboard-only search."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

# One of each kind of public page, at its address in each language (the demo is translated).
PAGES = {
    "sv": {
        "home": "/sv/",
        "theme": "/sv/teman/vardovergangar/",
        "listing": "/sv/forbattringsarbeten/",
        "search with results": "/sv/sok/?q=dialys",
        "project": "/sv/eksjo/trygg-hemgang-skora-aldre/",
        "story": "/sv/aneby/hem-efter-fallet/",
        "training": "/sv/jonkoping/att-leda-ett-esthercafe/",
    },
    "en": {
        "home": "/en/",
        "theme": "/en/themes/vardovergangar/",
        "listing": "/en/improvement-projects/",
        "search with results": "/en/search/?q=dialysis",
        "project": "/en/eksjo/safe-discharge-frail-older-people/",
        "story": "/en/aneby/home-after-the-fall/",
        "training": "/en/jonkoping/hosting-an-esther-cafe/",
    },
}
BLOCKING = {"serious", "critical"}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_serious_axe_violations(page, lang):
    axe = Axe()
    problems = []
    for name, url in PAGES[lang].items():
        response = page.goto(url)
        assert response is not None and response.ok, f"{name}: HTTP {response and response.status}"
        expect(page.locator("html")).to_have_attribute("lang", lang)
        if name == "search with results":
            expect(page.locator(".search-hit").first).to_be_visible()
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"]][:5]
                problems.append(f"{name} ({page.url}): {violation['id']} {targets}")
    assert not problems, "\n".join(problems)


def test_search_page_by_keyboard_only(page):
    page.goto("/sv/sok/")
    # Tab from the top of the page until the search page's own field has focus.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search-q":
            break
    else:
        pytest.fail("the search field cannot be reached with Tab")
    page.keyboard.type("patientkontrakt")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sv/sok/\?q=patientkontrakt"))
    expect(page.locator(".search-hit").first).to_be_visible()

    first_result = page.locator(".search-hit__title a").first
    href = first_result.get_attribute("href")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.search-hit__title') !== null"):
            break
    else:
        pytest.fail("no search result link can be reached with Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == href
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{href}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
