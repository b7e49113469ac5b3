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
