"""Admin hooks for knowledge pages: privacy warnings that must not block saving.

Small counts in a measure (e.g. "3 patienter" one week) can identify people in a small
municipality, but they are sometimes harmless (a count of meetings held), so unlike personal
identity numbers (refused in ``KnowledgePageForm.clean``) they only earn a warning after save.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.knowledge.blocks import MeasureBlock
from cms.knowledge.privacy import SmallCount, small_counts


def page_small_counts(page: Page) -> list[SmallCount]:
    """Small-count findings in every MeasureBlock of every StreamField of ``page``."""
    findings: list[SmallCount] = []
    for field in page._meta.get_fields():
        if not isinstance(field, StreamField):
            continue
        for block in getattr(page, field.name, None) or []:
            if isinstance(block.block, MeasureBlock):
                findings.extend(small_counts(block.value))
    return findings


def warn_about_small_counts(request: HttpRequest, page: Page) -> None:
    """Add one warning per measure that shows counts below 5, naming the first such point."""
    page = page.specific
    first_by_measure: dict[str, tuple[SmallCount, int]] = {}
    for finding in page_small_counts(page):
        first, count = first_by_measure.get(finding.measure, (finding, 0))
        first_by_measure[finding.measure] = (first, count + 1)
    for measure, (first, _count) in first_by_measure.items():
        messages.warning(
            request,
            _(
                "Measure '%(measure)s' shows counts below 5 (%(value)s %(unit)s on %(date)s). "
                "Small counts can identify people: consider percentages or aggregate periods."
            )
            % {
                "measure": measure,
                "value": first.value_text,
                "unit": first.unit,
                "date": first.date.isoformat() if first.date else "?",
            },
        )


@hooks.register("after_create_page")
def warn_small_counts_after_create(request: HttpRequest, page: Page) -> None:
    warn_about_small_counts(request, page)


@hooks.register("after_edit_page")
def warn_small_counts_after_edit(request: HttpRequest, page: Page) -> None:
    warn_about_small_counts(request, page)


# 'Adapt this project' (see cms.knowledge.adapt) ------------------------------------------


@hooks.register("register_admin_urls")
def register_adapt_project_url():
    from django.urls import path

    from cms.knowledge.admin_views import adapt_project_view

    return [
        path("adapt/<int:page_id>/", adapt_project_view, name="knowledge_adapt_project"),
    ]


def _adapt_button(page, user, priority: int, button_class):
    from django.urls import reverse

    from cms.knowledge.adapt import user_can_adapt
    from cms.knowledge.models import ImprovementProjectPage

    if page.specific_class is not ImprovementProjectPage or not page.live:
        return
    if not user_can_adapt(user):
        return
    yield button_class(
        _("Adapt this project"),
        url=reverse("knowledge_adapt_project", args=[page.pk]),
        icon_name="copy",
        priority=priority,
        page=page,
    )


@hooks.register("register_page_header_buttons")
def adapt_project_header_button(page, user, view_name, next_url=None):
    from wagtail.admin.ui.menus.pages import PageMenuItem

    yield from _adapt_button(page, user, 35, PageMenuItem)


@hooks.register("register_page_listing_more_buttons")
def adapt_project_listing_button(page, user, next_url=None):
    from wagtail.admin.ui.menus.pages import PageMenuItem

    yield from _adapt_button(page, user, 25, PageMenuItem)
