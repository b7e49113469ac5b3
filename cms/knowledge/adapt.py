"""'Adapt this project': copy a project into another municipality's section as a draft.

A coach who wants to try an idea from another municipality starts from that project's aim,
change ideas and measure definitions rather than from an empty page. The copy keeps an
``adapted_from`` link, so the original can show where its idea has spread across the county.
"""

from __future__ import annotations

import copy

from django.db import transaction
from django.db.models import QuerySet

from cms.browse.models import SectionPage
from cms.knowledge.models import ImprovementProjectPage
from cms.knowledge.models.project import ProjectStatus


def sections_user_can_adapt_into(user) -> list[SectionPage]:
    """The municipality sections where ``user`` may create a project, in tree order."""
    if not user or not user.is_authenticated or not user.is_active:
        return []
    sections: QuerySet[SectionPage] = (
        SectionPage.objects.filter(organisation__isnull=False)
        .select_related("organisation")
        .order_by("path")
    )
    return [
        section
        for section in sections
        if section.permissions_for_user(user).can_add_subpage()
        and ImprovementProjectPage.can_create_at(section)
    ]


def user_can_adapt(user, project: ImprovementProjectPage | None = None) -> bool:
    """Whether ``user`` may adapt (``project``, if given) into at least one section."""
    if project is not None and not project.live:
        return False
    return bool(sections_user_can_adapt_into(user))


def _free_slug(section: SectionPage, base: str) -> str:
    siblings = set(section.get_children().values_list("slug", flat=True))
    slug, number = base, 2
    while slug in siblings:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _measures_without_data(project: ImprovementProjectPage) -> list[dict]:
    """The measures' definitions (name, kind, unit, definition, goal, direction), no data.

    Returned as raw stream data (``{"type", "value"}`` dicts) without block ids, so the copy's
    blocks get fresh ids.
    """
    measures = []
    for block in project.measures.raw_data:
        value = copy.deepcopy(block["value"])
        if block["type"] == "measure":
            value["data_points"] = []
        measures.append({"type": block["type"], "value": value})
    return measures


@transaction.atomic
def adapt_project(
    project: ImprovementProjectPage, section: SectionPage, user
) -> ImprovementProjectPage:
    """Copy ``project`` into ``section`` as an unpublished draft that links back to it.

    What is kept and what is cleared, and why:

    * Kept: title (with the new municipality in brackets), summary, aim, background, the Esther
      lens, themes and tags, change ideas and the *definitions* of the measures. These are the
      idea being spread, and the new team will edit them to fit their setting.
    * Measures lose their data points: the series belong to the original project's patients and
      units; a new project has no data yet, and copied points would draw someone else's run
      chart as if it were the new team's.
    * PDSA cycles are cleared: each cycle records a test of change that a particular team ran
      and what they decided. The new team runs its own tests; the original's cycles stay
      readable through the 'adapted from' link.
    * Results, lessons learned and attachments are cleared for the same reason: they report
      what happened in the original project, not in the adaptation.
    * Contacts are cleared: the new project's contact people are the adapting coaches, not the
      original team (who should not get questions about someone else's work).
    * Status becomes 'planned', start and end dates are cleared; ``municipality`` is the
      section's organisation.

    The copy is never live and has no revisions copied from the original (only the live
    content is copied, not someone's unpublished draft); it goes through the normal review
    workflow when the coach submits it.
    ``Page.copy`` skips permission checks, so callers must check that ``section`` is one of
    :func:`sections_user_can_adapt_into` (the admin view does).
    """
    project = project.specific
    organisation = section.organisation
    title = f"{project.title} ({organisation.name})" if organisation else project.title
    title = title[:255]
    slug = _free_slug(section, project.slug)
    update_attrs = {
        "title": title,
        "draft_title": title,
        "slug": slug,
        "adapted_from": project,
        "municipality": organisation,
        "status": ProjectStatus.PLANNED,
        "start_date": None,
        "end_date": None,
        "pdsa_cycles": [],
        "measures": _measures_without_data(project),
        "results": "",
        "lessons_learned": "",
        "attachments": [],
        "contacts": [],
        "locked": False,
        "locked_by": None,
        "locked_at": None,
    }
    # keep_live=False makes the copy a draft owned by ``user``; Page.copy then saves a first
    # revision with these attributes, so the draft shows up in the admin as usual.
    return project.copy(
        to=section,
        update_attrs=update_attrs,
        keep_live=False,
        user=user,
        copy_revisions=False,
    ).specific
