"""The OpenSearch backend against a real node (started by ./bin/test via scripts/search-engine).

These tests never skip: if the node is not running they fail, saying how to start it.
"""

from __future__ import annotations

import datetime
import io
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import QueryDict
from django.test import TestCase, override_settings

from cms.knowledge.models import CaseStoryPage, KnowledgePage
from search import service
from search.backends.opensearch import OpenSearchBackend
from search.models import PendingIndexChange
from search.query import LANGUAGES, SearchQuery
from tests.search.contract import SearchContract, ask, slugs

pytestmark = pytest.mark.search_engine

ENGINE_URL = os.environ.get("SEARCH_ENGINE_URL", "http://127.0.0.1:9250")
SCRIPT = Path(settings.BASE_DIR) / "scripts" / "search-engine"
ENGINE_SETTINGS = {
    "SEARCH_BACKEND": "opensearch",
    "SEARCH_ENGINE_URL": ENGINE_URL,
    "SEARCH_INDEX_PREFIX": "esther-test",
}


def publish_story(test: TestCase) -> CaseStoryPage:
    """Publish a new story the way an editor would, running the on-commit index updates."""
    original = CaseStoryPage.objects.get(slug="hem-efter-fallet")
    story = CaseStoryPage(
        title="Hjärtsviktsskolan i Habo",
        slug="hjartsviktsskolan-i-habo",
        summary="Esther lär sig känna igen tecken på hjärtsvikt i tid.",
        date=datetime.date(2025, 2, 1),
        municipality=original.municipality,
        story=[{"type": "paragraph", "value": "<p>Hjärtsviktsskolan hjälpte mig.</p>"}],
    )
    original.get_parent().add_child(instance=story)
    story.themes.set(original.themes.all())
    with test.captureOnCommitCallbacks(execute=True):
        story.save_revision().publish()
    return story


class EngineMixin:
    """Makes the engine the configured backend for a TestCase, and checks it is running."""

    @classmethod
    def setUpClass(cls):
        cls._settings = override_settings(**ENGINE_SETTINGS)
        cls._settings.enable()
        service.configured_backend.cache_clear()
        backend = OpenSearchBackend.from_settings()
        try:
            backend.engine.info()
        except Exception as error:
            cls._settings.disable()
            raise AssertionError(
                f"No search engine at {ENGINE_URL} ({error}). Start it: scripts/search-engine start"
            ) from error
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        service.configured_backend.cache_clear()
        cls._settings.disable()

    @classmethod
    def make_backend(cls):
        return OpenSearchBackend.from_settings()

    @classmethod
    def build_index(cls):
        call_command("rebuild_search_index", stdout=io.StringIO())
        cls.make_backend().refresh()

    @property
    def backend(self) -> OpenSearchBackend:
        return self.make_backend()


class OpenSearchContract(EngineMixin, SearchContract, TestCase):
    def test_engine_reports_its_own_time(self):
        results = ask(self.backend, "q=dialys")
        self.assertEqual(results.backend, "opensearch")
        self.assertIsNotNone(results.engine_took_ms)


class OpenSearchIndexSync(EngineMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        cls.build_index()

    def _publish_new_story(self) -> CaseStoryPage:
        story = publish_story(self)
        self.backend.refresh()
        return story

    def test_published_page_becomes_searchable_and_unpublished_disappears(self):
        self.assertEqual(ask(self.backend, "q=hjärtsviktsskolan").total, 0)
        story = self._publish_new_story()
        self.assertEqual(slugs(ask(self.backend, "q=hjärtsviktsskolan")), [story.slug])
        with self.captureOnCommitCallbacks(execute=True):
            story.unpublish()
        self.backend.refresh()
        self.assertEqual(ask(self.backend, "q=hjärtsviktsskolan").total, 0)

    def test_deleted_page_leaves_the_index(self):
        story = self._publish_new_story()
        story.delete()
        self.backend.refresh()
        self.assertEqual(ask(self.backend, "q=hjärtsviktsskolan").total, 0)

    def test_moved_page_is_found_at_its_new_place(self):
        story = CaseStoryPage.objects.get(slug="hem-efter-fallet")
        new_parent = KnowledgePage.objects.get(slug="trygg-hemgang-skora-aldre").get_parent()
        with self.captureOnCommitCallbacks(execute=True):
            story.move(new_parent, pos="last-child")
        self.backend.refresh()
        hit = next(
            h for h in ask(self.backend, "q=fallet&page_size=50").hits if h.page.pk == story.pk
        )
        self.assertTrue(hit.page.url.startswith(new_parent.url))

    def test_rebuild_swaps_the_alias_to_a_new_index(self):
        engine = self.backend.engine
        alias = self.backend.alias("sv")
        before = set(engine.indices.get_alias(name=alias))
        total_before = ask(self.backend, "q=vårdövergång").total
        call_command("rebuild_search_index", stdout=io.StringIO())
        self.backend.refresh()
        after = set(engine.indices.get_alias(name=alias))
        self.assertEqual(len(after), 1)
        self.assertFalse(before & after)
        for old in before:
            self.assertFalse(engine.indices.exists(index=old))
        self.assertEqual(ask(self.backend, "q=vårdövergång").total, total_before)


class EngineOutage(EngineMixin, TestCase):
    """Stops the real node: searches must still be answered, and edits must not be lost."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        cls.build_index()

    def test_engine_outage_falls_back_and_catches_up_afterwards(self):
        # The test stops the node the script manages: it must be the one the tests search.
        managed = subprocess.run(
            [str(SCRIPT), "url"], check=True, capture_output=True, text=True
        ).stdout.strip()
        self.assertEqual(
            managed.rstrip("/"),
            ENGINE_URL.rstrip("/"),
            "scripts/search-engine manages another node than SEARCH_ENGINE_URL: run these tests "
            "against the default node (./bin/test starts it) or point the script's "
            "SEARCH_ENGINE_PORT and SEARCH_ENGINE_STATE_DIR at the node under test",
        )
        subprocess.run([str(SCRIPT), "stop"], check=True, stdout=subprocess.DEVNULL)
        try:
            with self.assertLogs("search.service", level="WARNING") as logs:
                results = service.search(SearchQuery.from_params({"q": ["dialys"]}))
            self.assertTrue(results.fallback)
            self.assertEqual(results.backend, "database")
            self.assertIn("egenvardsdialys-dialysenheterna", slugs(results))
            self.assertIn("unavailable", logs.output[0])
            response = self.client.get("/sv/sok/", {"q": "dialys"})
            self.assertEqual(response.status_code, 200)
            self.assertIn("Egenvårdsdialys", response.content.decode())
            autocomplete = self.client.get("/sv/api/autocomplete/", {"q": "Egen"})
            self.assertEqual(autocomplete.status_code, 200)

            # An editor publishes while the engine is down: queued, found via the database.
            story = publish_story(self)
            self.assertTrue(PendingIndexChange.objects.filter(page_id=story.pk).exists())
            self.assertIn(story.slug, slugs(service.search(SearchQuery(text="hjärtsviktsskolan"))))
        finally:
            subprocess.run([str(SCRIPT), "start"], check=True, stdout=subprocess.DEVNULL)
        call_command("sync_search_index", stdout=io.StringIO())
        self.backend.refresh()
        self.assertFalse(PendingIndexChange.objects.exists())
        self.assertEqual(slugs(ask(self.backend, "q=hjärtsviktsskolan")), [story.slug])


class IndexFromAnOlderVersion(EngineMixin, TestCase):
    """An index built before the ``facets`` field cannot count facets: the database answers."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        cls.build_index()

    def test_search_falls_back_until_the_index_is_rebuilt(self):
        query = SearchQuery.from_params(QueryDict("q=dialys"))
        current = self.backend.search(query)
        self.assertTrue(current.total)
        engine = self.backend.engine
        for language in LANGUAGES:
            # The documents as an older version indexed them: without facet keys.
            engine.update_by_query(
                index=self.backend.alias(language),
                body={"script": {"source": "ctx._source.remove('facets')"}},
                refresh=True,
            )
        with self.assertLogs("search.service", level="WARNING") as logs:
            results = service.search(query)
        self.assertTrue(results.fallback)
        self.assertEqual(results.backend, "database")
        self.assertIn("rebuild_search_index", logs.output[0])
        types = {facet.name: facet for facet in results.facets}["type"]
        self.assertEqual(sum(value.count for value in types.values), results.total)

        call_command("rebuild_search_index", stdout=io.StringIO())
        self.backend.refresh()
        rebuilt = service.search(query)
        self.assertFalse(rebuilt.fallback)
        self.assertEqual(rebuilt.backend, "opensearch")
        self.assertEqual(rebuilt.total, current.total)
        self.assertEqual(
            [(facet.name, facet.values) for facet in rebuilt.facets],
            [(facet.name, facet.values) for facet in current.facets],
        )
