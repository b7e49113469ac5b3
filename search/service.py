"""The search service: one entry point for the HTML page, the JSON API and the tests.

It picks the configured backend, falls back to the database backend (with a logged warning) when
the search engine cannot answer, adds editors' picks and records anonymous analytics.
"""

from __future__ import annotations

import datetime
import logging
import time
from functools import lru_cache

from django.conf import settings
from django.db.models import F
from django.utils import timezone, translation
from django.utils.html import escape

from cms.core.pagecache import per_generation
from cms.knowledge.listing import live_knowledge_pages
from cms.knowledge.models import KnowledgePage
from search import indexing
from search.backends.base import BackendUnavailable, SearchBackend
from search.backends.database import DatabaseBackend
from search.models import SearchLogEntry
from search.query import SearchQuery
from search.results import Hit, SearchResults, hit_pages

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def configured_backend() -> SearchBackend:
    """The backend named by settings.SEARCH_BACKEND ("database" or "opensearch")."""
    if settings.SEARCH_BACKEND == "opensearch":
        from search.backends.opensearch import OpenSearchBackend

        return OpenSearchBackend.from_settings()
    return DatabaseBackend()


def database_backend() -> DatabaseBackend:
    return DatabaseBackend()


def search(query: SearchQuery) -> SearchResults:
    """Answer a query from the configured backend, or the database when the engine is down.

    Not counted here: the views count a search in the log once its response is sent
    (``search.views``), so that the log's write is not part of the visitor's wait.
    """
    started = time.perf_counter()
    backend = configured_backend()
    try:
        results = backend.search(query)
    except BackendUnavailable as error:
        logger.warning("Search engine unavailable (%s); answering from the database", error)
        results = database_backend().search(query)
        results.fallback = True
    else:
        if backend.name != "database":
            indexing.catch_up_soon(backend)
    if query.page == 1 and query.text:
        _add_editors_picks(query, results)
    results.warnings = query.warnings
    results.elapsed_ms = (time.perf_counter() - started) * 1000
    return results


def autocomplete(prefix: str, language: str, limit: int = 8) -> list[dict]:
    try:
        return configured_backend().autocomplete(prefix, language, limit)
    except BackendUnavailable as error:
        logger.warning("Search engine unavailable for autocomplete (%s)", error)
        return database_backend().autocomplete(prefix, language, limit)


@per_generation
def _promoted_queries() -> frozenset[str]:
    """The queries editors have picks for; most searches have none and need no lookup."""
    from wagtail.contrib.search_promotions.models import Query as PromotedQuery

    return frozenset(
        PromotedQuery.objects.filter(editors_picks__isnull=False).values_list(
            "query_string", flat=True
        )
    )


def _add_editors_picks(query: SearchQuery, results: SearchResults) -> None:
    """Editors' picks for this exact query go first, whichever backend answered."""
    from wagtail.contrib.search_promotions.models import Query as PromotedQuery

    if query.text.lower() not in _promoted_queries():
        return
    promoted_query = PromotedQuery.objects.filter(query_string=query.text.lower()).first()
    if promoted_query is None:
        return
    with translation.override(query.language):
        picks = list(
            promoted_query.editors_picks.filter(page__in=live_knowledge_pages().values("pk"))
            .order_by("sort_order")
            .values_list("page_id", "description")
        )
        pages = hit_pages(KnowledgePage.objects.all()).in_bulk([page_id for page_id, _ in picks])
    promoted = [
        Hit(
            page=pages[page_id],
            score=0.0,
            highlight=escape(description or pages[page_id].summary),
            promoted=True,
        )
        for page_id, description in picks
    ]
    promoted_ids = {hit.page.pk for hit in promoted}
    results.hits = promoted + [hit for hit in results.hits if hit.page.pk not in promoted_ids]


def record_search(query: SearchQuery, total: int, day: datetime.date | None = None) -> None:
    """Count the search, and whether it found nothing; stores no user, IP or session."""
    day = day or timezone.localdate()
    normalised = query.text.lower()[:200]
    counts = {
        "searches": F("searches") + 1,
        "zero_results": F("zero_results") + (1 if total == 0 else 0),
    }
    row = SearchLogEntry.objects.filter(day=day, language=query.language, query=normalised)
    # One UPDATE in the usual case (the query was already searched today): one round trip
    # less on every search than get_or_create + update (docs/benchmarks.md).
    if not row.update(**counts):
        SearchLogEntry.objects.get_or_create(day=day, language=query.language, query=normalised)
        row.update(**counts)
