"""What a search answers: the typed output of the search service, with its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from cms.core.languages import with_text_locale
from cms.knowledge.facets import Facet
from cms.knowledge.models import KnowledgePage

# The columns a hit shows (the search page, the JSON) and Wagtail needs for its URL and type.
HIT_FIELDS = (
    "title",
    "url_path",
    "locale__language_code",
    "alias_of",
    "content_type",
    "summary",
    "summary_en",
    "date",
    "municipality__slug",
    "municipality__name",
    "municipality__name_en",
)


def hit_pages(pages: QuerySet[KnowledgePage]) -> QuerySet[KnowledgePage]:
    """The hits' pages with only what a hit shows, in one query for every backend: the page's
    own columns, its organisation, its locale and its text's language.

    Why ``only``: a knowledge page row is 47 columns, and building ten of them was a third of
    loading the hits (docs/benchmarks.md, "Sixth round"). A template that reaches past these
    would cost a query per hit: tests/search/test_http.py counts a search's queries for 2 and
    for 20 hits.
    """
    return with_text_locale(pages.select_related("municipality", "locale").only(*HIT_FIELDS))


@dataclass
class Hit:
    page: KnowledgePage
    score: float
    highlight: str  # HTML-safe: text escaped, matches wrapped in <mark>
    promoted: bool = False

    def as_json(self) -> dict[str, Any]:
        page = self.page
        return {
            "id": page.pk,
            "title": page.title,
            "url": page.url,
            "type": page.kind,
            "summary": page.summary,
            "summary_en": page.summary_en,
            "municipality": page.municipality.slug if page.municipality_id else None,
            "date": page.date.isoformat(),
            "language": page.locale.language_code,
            "score": round(self.score, 4),
            "highlight": self.highlight,
            "promoted": self.promoted,
        }


@dataclass
class SearchResults:
    total: int
    hits: list[Hit]
    facets: list[Facet]
    page: int
    page_size: int
    suggestion: str | None = None
    elapsed_ms: float = 0.0
    backend: str = ""
    engine_took_ms: float | None = None
    fallback: bool = False
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "pages": self.page_count,
            "hits": [hit.as_json() for hit in self.hits],
            "facets": {
                facet.name: [
                    {
                        "value": value.value,
                        "label": value.label,
                        "count": value.count,
                        "selected": value.selected,
                    }
                    for value in facet.values
                ]
                for facet in self.facets
            },
            "suggestion": self.suggestion,
            "elapsed_ms": round(self.elapsed_ms, 2),
            "engine_took_ms": self.engine_took_ms,
            "backend": self.backend,
            "fallback": self.fallback,
            "warnings": list(self.warnings),
        }
