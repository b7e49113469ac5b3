"""A renamed or deleted theme, or a renamed organisation, reaches the pages' index entries.

Their names are searched text and their slugs facet keys and filter values in every search
index, yet editing them publishes no page.
"""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import TestCase

from cms.knowledge.models import KnowledgePage
from cms.taxonomy.models import Organisation, Theme
from search.backends.database import DatabaseBackend
from search.models import SearchEntry, SearchFacet
from tests.search.contract import ask, slugs


class TaxonomyChanges(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        call_command("rebuild_search_index", stdout=io.StringIO())

    def setUp(self):
        self.backend = DatabaseBackend()

    def facet_counts(self, params: str, dimension: str) -> dict[str, int]:
        results = ask(self.backend, params)
        facet = {facet.name: facet for facet in results.facets}[dimension]
        return {value.value: value.count for value in facet.values}

    def test_a_renamed_theme_is_found_and_counted_by_its_new_name_and_slug(self):
        theme = Theme.objects.get(slug="aldres-vard")
        pages = set(
            KnowledgePage.objects.live().filter(themes=theme).values_list("slug", flat=True)
        )
        before = self.facet_counts("q=vårdövergång", "theme")["aldres-vard"]
        self.assertGreater(before, 0)

        theme.slug = "aldreomsorg"
        theme.name = "Seniorvårdsnätverket"
        with self.captureOnCommitCallbacks(execute=True):
            theme.save()

        self.assertEqual(self.facet_counts("q=vårdövergång", "theme")["aldreomsorg"], before)
        self.assertFalse(SearchFacet.objects.filter(key="theme:aldres-vard").exists())
        found = ask(self.backend, "q=seniorvårdsnätverket&page_size=50")
        self.assertTrue(found.total)
        self.assertLessEqual(set(slugs(found)), pages)

    def test_a_deleted_theme_leaves_the_facet_keys(self):
        theme = Theme.objects.get(slug="aldres-vard")
        with self.captureOnCommitCallbacks(execute=True):
            theme.delete()
        self.assertFalse(SearchFacet.objects.filter(key="theme:aldres-vard").exists())
        # The counts still add up: no page is counted through a key its page no longer has.
        results = ask(self.backend, "q=vårdövergång")
        types = {facet.name: facet for facet in results.facets}["type"]
        self.assertEqual(sum(value.count for value in types.values), results.total)

    def test_an_unrelated_edit_reindexes_nothing(self):
        theme = Theme.objects.get(slug="aldres-vard")
        entries = set(SearchEntry.objects.filter(page__themes=theme).values_list("pk", flat=True))
        theme.description = "En ny beskrivning."
        with self.captureOnCommitCallbacks(execute=True):
            theme.save()
        # Indexing a page again replaces its entry; these are the same rows.
        after = set(SearchEntry.objects.filter(page__themes=theme).values_list("pk", flat=True))
        self.assertEqual(after, entries)
        theme.name_en = "Older people's care"
        with self.captureOnCommitCallbacks(execute=True):
            theme.save()
        renamed = set(SearchEntry.objects.filter(page__themes=theme).values_list("pk", flat=True))
        self.assertFalse(renamed & entries)

    def test_a_renamed_organisation_is_found_by_its_new_name(self):
        organisation = Organisation.objects.get(slug="eksjo")
        self.assertEqual(ask(self.backend, "q=höglandsstaden").total, 0)
        organisation.name = "Höglandsstaden Eksjö"
        with self.captureOnCommitCallbacks(execute=True):
            organisation.save()
        found = ask(self.backend, "q=höglandsstaden&page_size=50")
        self.assertTrue(found.total)
        self.assertEqual({hit.page.municipality_id for hit in found.hits}, {organisation.pk})
