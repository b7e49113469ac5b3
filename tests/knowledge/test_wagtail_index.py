"""Wagtail's own search index (the admin's search, ``update_index``) of knowledge pages."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend

from cms.knowledge.models import ImprovementProjectPage
from cms.taxonomy.models import KnowledgeTag, Theme
from tests import factories


def _relation_queries(count: int) -> int:
    """Queries reading themes or tags while ``count`` project pages are loaded and added to
    Wagtail's index in bulk, as ``update_index`` and the importer do. (The index's own writes
    may be one per page, depending on the backend.)"""
    pks = list(ImprovementProjectPage.objects.values_list("pk", flat=True)[:count])
    tables = (Theme._meta.db_table, KnowledgeTag._meta.db_table)
    with CaptureQueriesContext(connection) as queries:
        pages = list(ImprovementProjectPage.get_indexed_objects().filter(pk__in=pks))
        get_search_backend().add_bulk(ImprovementProjectPage, pages)
    return sum(
        1
        for query in queries
        if query["sql"].startswith("SELECT") and any(table in query["sql"] for table in tables)
    )


def test_bulk_indexing_reads_themes_and_tags_once_per_batch_not_per_page(site_tree):
    for number in range(6):
        project = factories.ImprovementProjectPageFactory(
            parent=site_tree.eksjo, slug=f"projekt-{number}"
        )
        project.themes.set([site_tree.transitions, site_tree.self_care])
        project.tags.add("trygg hemgång", f"tagg {number}")
        project.save_revision().publish()

    assert _relation_queries(2) == _relation_queries(6) == 2
    indexed = ImprovementProjectPage.get_indexed_objects().get(slug="projekt-5")
    assert {theme.slug for theme in indexed.themes.all()} == {"vardovergangar", "egenvard"}
    assert {tag.name for tag in indexed.tags.all()} == {"trygg hemgång", "tagg 5"}
