"""English aliases of untranslated Swedish pages are searchable as soon as they exist.

wagtail-localize creates them (on import, and when an editor creates a page in the admin), and
Wagtail saves them live without "publishing" them, so the search index has to notice the save.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from cms.browse.models import SectionPage
from cms.interchange.importer import Importer
from cms.knowledge.models import CaseStoryPage
from cms.taxonomy.models import Theme
from tests.admin_forms import story_form
from tests.interchange.test_importer import TAXONOMY, page_tree, write

pytestmark = pytest.mark.django_db


def english_titles(client, text: str) -> list[str]:
    return [hit["title"] for hit in client.get("/en/api/search/", {"q": text}).json()["hits"]]


def test_a_story_published_in_the_admin_is_found_in_english_at_once(
    tmp_path, client, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Importer().run([write(tmp_path, TAXONOMY, page_tree())])
    section = SectionPage.objects.get(slug="eksjo", locale__language_code="sv")
    add_url = reverse("wagtailadmin_pages:add", args=("knowledge", "casestorypage", section.pk))
    form = story_form(
        SimpleNamespace(transitions=Theme.objects.get(slug="egenvard")),
        title="Fallprevention på Höglandet",
        slug="fallprevention-hoglandet",
        **{"action-publish": "1"},
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(add_url, form)

    assert response.status_code == 302, response.content[:500]
    english = CaseStoryPage.objects.get(locale__language_code="en")
    assert english.alias_of_id and english.live
    assert english_titles(client, "fallprevention") == ["Fallprevention på Höglandet"]
