"""The database backend passes the search contract."""

import io

from django.core.management import call_command
from django.test import TestCase

from search.backends.database import DatabaseBackend
from search.models import SearchFacet
from tests.search.contract import SearchContract, ask


class DatabaseBackendContract(SearchContract, TestCase):
    @classmethod
    def make_backend(cls):
        return DatabaseBackend()


class FacetKeysMissing(TestCase):
    """An index written before facet keys existed still counts facets, through the page tables."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        call_command("rebuild_search_index", stdout=io.StringIO())

    def test_pages_without_keys_are_counted_through_the_page_tables(self):
        backend = DatabaseBackend()
        complete = ask(backend, "q=vårdövergång&page_size=50")
        self.assertGreater(complete.total, 5)

        # One matching page indexed without keys, then every page.
        SearchFacet.objects.filter(entry__page=complete.hits[0].page).delete()
        partial = ask(backend, "q=vårdövergång&page_size=50")
        self.assertEqual(facet_values(partial), facet_values(complete))
        SearchFacet.objects.all().delete()
        without_keys = ask(backend, "q=vårdövergång&page_size=50")
        self.assertEqual(facet_values(without_keys), facet_values(complete))


def facet_values(results) -> list[tuple]:
    return [(facet.name, facet.values) for facet in results.facets]
