"""The search page, the JSON search API and autocomplete: thin layers over search.service."""

from __future__ import annotations

import logging
from functools import partial

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from cms.knowledge.facets import DIMENSIONS
from search import service
from search.query import SearchQuery, clean_text
from search.results import SearchResults

AUTOCOMPLETE_LIMIT = 8
logger = logging.getLogger(__name__)


def _language() -> str:
    return (get_language() or "sv").split("-")[0]


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    query = SearchQuery.from_params(request.GET, language=_language())
    searching = query.text or query.filters.is_active
    results = service.search(query) if searching else None
    response = render(
        request,
        "search/search_page.html",
        {"query": query, "results": results, "filter_query": query.filters.query_string()},
    )
    return _recorded_after_sending(response, query, results)


@require_GET
def search_api(request: HttpRequest) -> JsonResponse:
    language = request.GET.get("language") or _language()
    query = SearchQuery.from_params(request.GET, language=language)
    results = service.search(query)
    payload = results.as_json()
    payload["query"] = {
        "q": query.text,
        "language": query.language,
        "sort": query.sort.value,
        "filters": {
            name: [value for key, value in query.filters.as_params() if key == name]
            for name in DIMENSIONS
        },
    }
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    return _recorded_after_sending(response, query, results)


def _recorded_after_sending(
    response: HttpResponse, query: SearchQuery, results: SearchResults | None
) -> HttpResponse:
    """Count the search in the log once the response has been sent.

    Why after: the log's write waits for the database to commit it to disk, a few milliseconds
    the visitor had no reason to wait for (docs/benchmarks.md). The WSGI server calls the
    response's ``close()`` after its last byte, and ``close()`` runs the response's closers
    (Django's own mechanism for releasing a response's resources); Django's test client calls
    it too, so tests see the count at once.
    """
    if results is not None and query.text:
        response._resource_closers.append(partial(_record, query, results.total))
    return response


def _record(query: SearchQuery, total: int) -> None:
    try:
        service.record_search(query, total)
    except Exception:  # close() would swallow it silently: say what was lost
        logger.exception("Could not count the search %r in the search log", query.text)


@require_GET
def autocomplete_api(request: HttpRequest) -> JsonResponse:
    prefix = clean_text(request.GET.get("q", ""))[:50]
    suggestions = service.autocomplete(prefix, _language(), AUTOCOMPLETE_LIMIT)
    return JsonResponse({"q": prefix, "suggestions": suggestions})
