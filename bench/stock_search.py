"""Stock Wagtail search, as ``wagtail start`` generates it, for comparison with ours.

The view is Wagtail's project template (``wagtail/project_template/search/views.py``) with only
the template name changed; the template extends the site's ``base.html`` like the generated one
does, so both searches pay for the same page chrome. It searches ``WAGTAILSEARCH_BACKENDS
["default"]``, which ``bench.settings`` points at the same engine our backend uses.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest
from django.template.response import TemplateResponse
from wagtail.models import Page


def search(request: HttpRequest) -> TemplateResponse:
    search_query = request.GET.get("query", None)
    page = request.GET.get("page", 1)
    if search_query:
        search_results = Page.objects.live().search(search_query)
    else:
        search_results = Page.objects.none()
    paginator = Paginator(search_results, 10)
    try:
        search_results = paginator.page(page)
    except PageNotAnInteger:
        search_results = paginator.page(1)
    except EmptyPage:
        search_results = paginator.page(paginator.num_pages)
    return TemplateResponse(
        request,
        "bench/stock_search.html",
        {"search_query": search_query, "search_results": search_results},
    )
