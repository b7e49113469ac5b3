"""Every page type renders through real HTTP with its blocks."""

from __future__ import annotations

import datetime

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_project_page_shows_aim_pdsa_decision_measures_and_contacts(client, site_tree):
    project = factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo,
        title="Trygg hemgång i Eksjö",
        themes=[site_tree.transitions],
        tags=["trygg hemgång"],
        pdsa_cycles__0__pdsa_cycle__decision="abandon",
        pdsa_cycles__0__pdsa_cycle__title="Broschyr vid utskrivning",
        measures__0__measure__data_points__0__value=4.2,
        measures__0__measure__data_points__1__value=3.1,
        change_ideas__0__change_idea__title="Samordnad planering före utskrivning",
        contacts__0__contact__name="Karin Exempel",
        attachments__0__document__title="PDSA-mall",
    )
    response = client.get(project.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Trygg hemgång i Eksjö" in html
    assert "Minska antalet utskrivningsklara dagar" in html  # aim
    assert "Broschyr vid utskrivning" in html  # PDSA cycle
    assert "Utskrivningsklara dagar per vårdtillfälle" in html  # measure
    assert "4.2" in html or "4,2" in html  # a data point in the table
    assert "Samordnad planering före utskrivning" in html  # change idea
    assert "Karin Exempel" in html  # contact
    assert "PDSA-mall" in html  # attachment
    assert "Vårdövergångar" in html  # theme
    assert "Eksjö kommun" in html  # municipality


def test_training_material_page_shows_module_goals_body_and_downloads(client, site_tree):
    page = factories.TrainingMaterialPageFactory(
        parent=site_tree.eksjo,
        title="Esthercoach – grundkurs",
        themes=[site_tree.self_care],
        learning_goals__0__goal="Kan leda ett Esthercafé",
        body__0__heading__text="Så går dagen till",
        body__1__esther_voice__text="Fråga mig vad som är viktigt för mig.",
        downloads__0__document__title="Kursmaterial del 1",
    )
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Esthercoach – grundkurs",
        "Esthercoach – del 1",
        "Kan leda ett Esthercafé",
        "Så går dagen till",
        "Fråga mig vad som är viktigt för mig.",
        "Kursmaterial del 1",
    ):
        assert expected in html


def test_case_story_page_shows_story_quote_and_outcome(client, site_tree):
    page = factories.CaseStoryPageFactory(
        parent=site_tree.nassjo,
        title="Esther slipper berätta allt tre gånger",
        themes=[site_tree.transitions],
        story__0__esther_voice__text="Förr fick jag berätta allt för varje ny person.",
        story__1__image__caption="Hemma i köket",
        outcome="<p>Inga återinläggningar på ett halvår.</p>",
        what_changed="<p>En fast kontakt i hemsjukvården.</p>",
    )
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Esther slipper berätta allt tre gånger",
        "Förr fick jag berätta allt för varje ny person.",
        "Jag fick vara med och bestämma.",
        "Inga återinläggningar på ett halvår.",
        "En fast kontakt i hemsjukvården.",
        "Hemma i köket",
    ):
        assert expected in html


def test_lead_image_is_rendered_with_its_alt_text(client, site_tree):
    image = factories.ImageFactory(alt_text="En väg mellan sjukhus och hem")
    page = factories.CaseStoryPageFactory(
        parent=site_tree.eksjo, themes=[site_tree.transitions], lead_image=image
    )
    html = client.get(page.url).content.decode()
    assert 'alt="En väg mellan sjukhus och hem"' in html


def test_related_work_prefers_shared_themes_then_tags(client, site_tree):
    page = factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo, themes=[site_tree.transitions, site_tree.self_care], tags=["sip"]
    )
    both_themes = factories.CaseStoryPageFactory(
        parent=site_tree.nassjo,
        title="Delar två teman",
        themes=[site_tree.transitions, site_tree.self_care],
    )
    one_theme = factories.CaseStoryPageFactory(
        parent=site_tree.nassjo,
        title="Delar ett tema",
        themes=[site_tree.transitions],
        date=datetime.date(2025, 1, 1),
    )
    only_tag = factories.TrainingMaterialPageFactory(
        parent=site_tree.nassjo,
        title="Delar bara en tagg",
        themes=[factories.ThemeFactory(slug="annat")],
        tags=["sip"],
    )
    unrelated = factories.CaseStoryPageFactory(
        parent=site_tree.nassjo,
        title="Helt orelaterad",
        themes=[factories.ThemeFactory(slug="ovrigt")],
    )
    related = list(page.related_pages())
    assert [p.pk for p in related] == [both_themes.pk, one_theme.pk, only_tag.pk]
    assert unrelated.pk not in [p.pk for p in related]
    html = client.get(page.url).content.decode()
    assert "Delar två teman" in html and "Helt orelaterad" not in html


def test_unknown_page_is_a_404(client, site_tree):
    response = client.get("/sv/finns-inte/")
    assert response.status_code == 404


def test_unpublished_page_is_a_404(client, site_tree):
    page = factories.CaseStoryPageFactory(parent=site_tree.eksjo, themes=[site_tree.transitions])
    page.unpublish()
    assert client.get(page.url or f"/sv/{site_tree.eksjo.slug}/{page.slug}/").status_code == 404
