"""What a page's search document holds.

``build_document`` reads the blocks' stored JSON rather than their values, and the themes and
tags the indexing queryset prefetched; these tests pin what it collects either way.
"""

from __future__ import annotations

import json

import pytest
from wagtail.rich_text import RichText

from cms.knowledge.models import CaseStoryPage, ImprovementProjectPage
from search.documents import build_document
from search.indexing import indexable_pages
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(site_tree) -> ImprovementProjectPage:
    page = factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo,
        change_ideas__0__change_idea__title="Samordnad planering före utskrivning",
        pdsa_cycles__0__pdsa_cycle__title="Uppringning dagen efter hemkomst",
        pdsa_cycles__1__pdsa_cycle__title="Checklista i väntrummet",
        pdsa_cycles__1__pdsa_cycle__decision="abandon",
        measures__0__measure__data_points__0__note="Julveckan",
        measures__0__measure__data_points__1__note="",
    )
    page.themes.set([site_tree.transitions, site_tree.self_care])
    page.tags.add("läkemedel", "hemsjukvård")
    page.save_revision().publish()
    return ImprovementProjectPage.objects.get(pk=page.pk)


def test_every_text_of_the_blocks_is_in_the_body_but_not_their_dates(project):
    body = build_document(project).body

    for text in (
        "Uppringning dagen efter hemkomst",
        "Checklista i väntrummet",
        "Vi ringer alla patienter över 75 dagen efter utskrivning.",
        "Vi lägger till en läkemedelsgenomgång.",
        "Samordnad planering före utskrivning",
        "Utskrivningsklara dagar per vårdtillfälle",
        "Medelvärde av utskrivningsklara dagar per vecka.",
        "Under 2 dagar",
        "Julveckan",
        "abandon",
    ):
        assert text in body.splitlines()
    assert "2024-02-01" not in body
    assert "2024" not in body.split()


def test_a_story_s_blocks_are_read_in_order_rich_text_as_text(site_tree):
    story = factories.CaseStoryPageFactory(parent=site_tree.eksjo, story__0__heading__text="x")
    image = factories.ImageFactory()
    story.story = [
        ("heading", {"text": "Hemma igen"}),
        ("paragraph", RichText("<p>Första veckan</p><p>hemma gick <b>bra</b>.</p>")),
        ("esther_voice", {"text": "Nu vet jag vem jag ska ringa.", "attribution": "Esther"}),
        ("image", {"image": image, "caption": "Vid köksbordet"}),
    ]
    story.save()

    body = build_document(CaseStoryPage.objects.get(pk=story.pk)).body

    assert body.splitlines() == [
        story.quote,  # the page's own text fields come first
        "Hemma igen",
        "Första veckan",
        "hemma gick bra.",
        "",
        "Nu vet jag vem jag ska ringa.",
        "Esther",
        "Vid köksbordet",
    ]


def test_a_page_reads_the_same_with_and_without_the_indexing_queryset(project):
    prefetched = indexable_pages().get(pk=project.pk)

    assert build_document(prefetched) == build_document(project)
    document = build_document(prefetched)
    assert set(document.tags) == {"läkemedel", "hemsjukvård"}
    assert set(document.themes) == {"vardovergangar", "egenvard"}
    assert document.decisions == ("adapt", "abandon")


def test_decisions_are_read_in_cycle_order(project):
    assert project.decisions == ["adapt", "abandon"]


def test_a_stored_value_of_another_shape_gives_no_text_instead_of_failing(project):
    """Values stored by an older definition of a block (say, before a field became a struct)
    must not stop a rebuild: what is readable is indexed, the rest left out."""
    measures = [
        {"type": "measure", "value": "stored when a measure was a line of text", "id": "a"},
        {
            "type": "measure",
            "value": {
                "name": "Återinskrivningar inom 30 dagar",
                "data_points": [{"type": "item", "value": {"date": "2024-13-45", "value": 3}}],
            },
            "id": "b",
        },
    ]
    ImprovementProjectPage.objects.filter(pk=project.pk).update(measures=json.dumps(measures))

    body = build_document(ImprovementProjectPage.objects.get(pk=project.pk)).body

    assert "Återinskrivningar inom 30 dagar" in body.splitlines()
    assert "line of text" not in body
    assert "2024-13-45" not in body
