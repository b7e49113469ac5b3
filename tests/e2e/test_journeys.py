"""Visitor and editor journeys through the demo site, in a real browser."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from wagtail.models import Page, WorkflowState

from cms.knowledge.models import ImprovementProjectPage

PROJECT = "/sv/eksjo/trygg-hemgang-skora-aldre/"


def test_search_filter_by_theme_and_open_a_project(page):
    page.goto("/sv/")
    page.locator("#site-search-q").fill("hemgång")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sv/sok/\?q="))
    hits = page.locator(".search-hit")
    expect(hits.first).to_be_visible()
    unfiltered = hits.count()

    theme = page.locator('.filters input[name="theme"]:not([disabled])').first
    theme_label = page.locator(f'label[for="{theme.get_attribute("id")}"] .facet__label')
    theme_name = theme_label.inner_text()
    theme.check()
    page.locator(".filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"theme="))
    expect(page.locator("#search-q")).to_have_value("hemgång")
    expect(page.locator(".filters input[name='theme']:checked")).to_have_count(1)
    expect(page.locator(".active-filters")).to_contain_text(theme_name)
    assert 0 < hits.count() <= unfiltered

    project_hit = hits.filter(has=page.locator(".kind-label--project")).first
    title = project_hit.locator(".search-hit__title a").inner_text()
    project_hit.locator(".search-hit__title a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert ImprovementProjectPage.objects.filter(title=title).exists()


def test_switch_language(page):
    page.goto(PROJECT)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    switcher = page.get_by_role("navigation", name="Språk")
    switcher.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/eksjo/safe-discharge-frail-older-people/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Safe return home for frail older people in Eksjö"
    )
    expect(page.get_by_role("link", name="Skip to main content")).to_be_attached()
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Svenska").click()
    page.wait_for_url(f"**{PROJECT}")
    expect(page.locator("html")).to_have_attribute("lang", "sv")


def test_coach_edits_a_page_and_submits_it_for_review(page):
    coach = get_user_model().objects.create_user(
        username="coach-eksjo", password="e2e-password-123", email="coach@example.com"
    )
    coach.groups.add(Group.objects.get(name="Coaches – Eksjö kommun"))
    project = Page.objects.get(url_path__endswith="/eksjo/trygg-hemgang-skora-aldre/").specific

    page.goto("/admin/login/")
    page.locator("#id_username").fill("coach-eksjo")
    page.locator("#id_password").fill("e2e-password-123")
    page.locator("form").get_by_role("button").last.click()
    page.wait_for_url("**/admin/")

    page.goto(f"/admin/pages/{project.pk}/edit/")
    summary = page.locator("#id_summary")
    summary.fill("En ny sammanfattning från e2e-testet.")
    page.get_by_role("button", name=re.compile("more actions|fler åtgärder", re.I)).click()
    page.get_by_role("button", name=re.compile("Qulturum review")).click()
    expect(page.locator(".messages")).to_be_visible()

    state = WorkflowState.objects.active().get(object_id=str(project.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "Qulturum review"
    assert state.requested_by == coach
    project.refresh_from_db()
    assert project.get_latest_revision().content["summary"] == (
        "En ny sammanfattning från e2e-testet."
    )
