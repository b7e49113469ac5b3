"""The filtered, counted, paginated list of work shown on listing, theme and section pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from wagtail.models import PageViewRestriction

from cms.core.languages import active_locale_id, with_text_locale
from cms.core.pagecache import per_generation
from cms.knowledge.facets import DIMENSIONS, Facet, Filters, compute_facets
from cms.knowledge.models.base import KnowledgePage

PAGE_SIZE = 12


@dataclass
class Listing:
    filters: Filters
    facets: list[Facet]
    results: PaginatorPage
    total: int

    @property
    def pagination_query(self) -> str:
        """The active filters as a query string, for the pager's links."""
        return self.filters.query_string()


@per_generation
def _private_paths() -> tuple[str, ...]:
    """Tree paths of the sections with a view restriction (password, sign-in, groups)."""
    return tuple(PageViewRestriction.objects.values_list("page__path", flat=True))


def live_knowledge_pages() -> QuerySet[KnowledgePage]:
    """Published, public work in the visitor's language.

    ``.public()`` as Wagtail has it, with the restricted sections remembered between requests
    instead of read on every listing and search.
    """
    private = Q()
    for path in _private_paths():
        private |= Q(path__startswith=path)
    pages = KnowledgePage.objects.live().filter(locale_id=active_locale_id())
    return pages.exclude(private) if private else pages


def parse_page_number(raw: str | None) -> int:
    """Any page parameter becomes a usable page number; the paginator clamps it to the range."""
    try:
        return max(1, int(raw or 1))
    except (TypeError, ValueError):
        return 1


def build_listing(
    request: HttpRequest,
    base: QuerySet[KnowledgePage] | None = None,
    fixed: dict[str, tuple] | None = None,
) -> Listing:
    """Apply the request's filters (plus any the page fixes, e.g. its theme) and count facets.

    Fixed dimensions are neither shown as facets nor overridable from the query string.
    """
    fixed = fixed or {}
    base = live_knowledge_pages() if base is None else base
    filters = Filters.from_params(request.GET).known_only().with_fixed(**fixed)
    shown_dimensions = [dimension for dimension in DIMENSIONS if dimension not in fixed]
    facets = compute_facets(base, filters, shown_dimensions)
    matching = with_text_locale(
        filters.apply(base)
        .select_related("municipality", "lead_image", "content_type")
        .order_by("-date", "-pk")
    )
    paginator = Paginator(matching, PAGE_SIZE)
    results = paginator.get_page(parse_page_number(request.GET.get("page")))
    display_filters = filters.without_all(fixed) if fixed else filters
    return Listing(filters=display_filters, facets=facets, results=results, total=paginator.count)
