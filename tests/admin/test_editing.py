"""Editors can open every edit form, and validation messages say what to fix."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from tests import factories
from tests.admin_forms import project_form, story_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("redaktor", "r@example.se", "pw-for-tests")
    client.force_login(user)
    return client


@pytest.fixture
def pages(site_tree):
    return [
        factories.ImprovementProjectPageFactory(
            parent=site_tree.eksjo, themes=[site_tree.transitions]
        ),
        factories.TrainingMaterialPageFactory(parent=site_tree.eksjo, themes=[site_tree.self_care]),
        factories.CaseStoryPageFactory(parent=site_tree.nassjo, themes=[site_tree.transitions]),
        site_tree.home,
        site_tree.eksjo,
        site_tree.themes_index,
        site_tree.listing,
    ]


def test_edit_view_loads_for_every_page_type(editor, pages):
    for page in pages:
        response = editor.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert response.status_code == 200, type(page).__name__


@pytest.mark.parametrize(
    "model", ["improvementprojectpage", "trainingmaterialpage", "casestorypage"]
)
def test_create_view_loads_under_a_section(editor, site_tree, model):
    url = reverse("wagtailadmin_pages:add", args=["knowledge", model, site_tree.eksjo.pk])
    assert editor.get(url).status_code == 200


def test_snippet_edit_views_load(editor, site_tree):
    for model, obj in (("theme", site_tree.transitions), ("organisation", site_tree.eksjo_org)):
        url = reverse(f"wagtailsnippets_taxonomy_{model}:edit", args=[obj.pk])
        assert editor.get(url).status_code == 200


def test_image_upload_form_requires_alt_text(editor):
    response = editor.get(reverse("wagtailimages:add"))
    assert response.status_code == 200
    assert 'name="alt_text"' in response.content.decode()


def test_creating_a_project_with_end_before_start_explains_the_problem(editor, site_tree):
    url = reverse(
        "wagtailadmin_pages:add", args=["knowledge", "improvementprojectpage", site_tree.eksjo.pk]
    )
    form = project_form(site_tree, start_date="2024-05-01", end_date="2024-01-01")
    response = editor.post(url, form)
    assert response.status_code == 200  # the form is shown again, nothing is created
    # The editor sees the message in the admin's language (Swedish by default).
    message = gettext("The project cannot end before it starts.")
    assert message != "The project cannot end before it starts."
    assert message in response.content.decode()


def test_municipality_defaults_to_the_section(editor, site_tree):
    url = reverse(
        "wagtailadmin_pages:add", args=["knowledge", "casestorypage", site_tree.nassjo.pk]
    )
    form = story_form(site_tree)
    response = editor.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    from cms.knowledge.models import CaseStoryPage

    assert (
        CaseStoryPage.objects.get(slug="en-berattelse", locale__language_code="sv").municipality
        == site_tree.nassjo_org
    )
