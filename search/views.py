"""The search page, the JSON search API and autocomplete: thin layers over search.service."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from cms.knowledge.facets import DIMENSIONS
from search import service
from search.query import SearchQuery, clean_text

AUTOCOMPLETE_LIMIT = 8


def _language() -> str:
    return (get_language() or "sv").split("-")[0]


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    query = SearchQuery.from_params(request.GET, language=_language())
    results = service.search(query) if (query.text or query.filters.is_active) else None
    return render(
        request,
        "search/search_page.html",
        {"query": query, "results": results, "filter_query": query.filters.query_string()},
    )


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
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@require_GET
def autocomplete_api(request: HttpRequest) -> JsonResponse:
    prefix = clean_text(request.GET.get("q", ""))[:50]
    suggestions = service.autocomplete(prefix, _language(), AUTOCOMPLETE_LIMIT)
    return JsonResponse({"q": prefix, "suggestions": suggestions})
