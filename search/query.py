"""What a search asks for: the typed input of the search service.

``SearchQuery.from_params`` is the one place where request parameters become a query, shared by
the HTML page, the JSON endpoint and the tests, so malformed input is handled the same way
everywhere: clamped or dropped, and reported back in ``warnings``, never an error.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from enum import StrEnum

from cms.knowledge.facets import Filters

MAX_QUERY_LENGTH = 200
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
MAX_PAGE = 1000
LANGUAGES = ("sv", "en")


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"


def clean_text(raw: str) -> str:
    """Normalise user text: NFC, no control characters, single spaces, bounded length."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(char if unicodedata.category(char)[0] != "C" else " " for char in text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def _int(raw: str | None, default: int, low: int, high: int) -> tuple[int, bool]:
    """Parse an integer parameter, clamped to [low, high]; the flag says whether it was changed."""
    if raw is None or raw == "":
        return default, False
    try:
        value = int(str(raw).strip())
    except ValueError:
        return default, True
    clamped = min(max(value, low), high)
    return clamped, clamped != value


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    language: str = "sv"
    filters: Filters = field(default_factory=Filters)
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params, language: str = "sv") -> SearchQuery:
        """Build a query from a QueryDict (or a dict of lists); never raises on bad input."""
        get = params.get
        warnings: list[str] = []
        raw_text = get("q") or ""
        text = clean_text(str(raw_text))
        if len(str(raw_text)) > MAX_QUERY_LENGTH:
            warnings.append(f"query shortened to {MAX_QUERY_LENGTH} characters")
        sort_raw = (get("sort") or Sort.RELEVANCE.value).strip()
        try:
            sort = Sort(sort_raw)
        except ValueError:
            sort = Sort.RELEVANCE
            warnings.append(f"sort={sort_raw[:30]}")
        page, page_changed = _int(get("page"), 1, 1, MAX_PAGE)
        if page_changed:
            warnings.append("page")
        size, size_changed = _int(get("page_size"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        if size_changed:
            warnings.append("page_size")
        filters = Filters.from_params(params).known_only()
        warnings.extend(filters.ignored)
        if language not in LANGUAGES:
            language = "sv"
        return cls(
            text=text,
            language=language,
            filters=filters,
            sort=sort,
            page=page,
            page_size=size,
            warnings=tuple(warnings),
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def with_page(self, page: int) -> SearchQuery:
        return replace(self, page=page)
