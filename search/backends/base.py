"""The contract every search backend fulfils."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from cms.knowledge.models import KnowledgePage
from search.query import SearchQuery
from search.results import SearchResults


class BackendUnavailable(Exception):
    """The engine could not answer (down, timed out, refused); the service falls back."""


class SearchBackend(ABC):
    name: str

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResults:
        """Answer a query: hits for the requested page, facets, suggestion."""

    @abstractmethod
    def autocomplete(self, prefix: str, language: str, limit: int = 8) -> list[dict]:
        """Title suggestions for a prefix: [{"title", "url"}]."""

    @abstractmethod
    def index_pages(self, pages: Iterable[KnowledgePage]) -> None:
        """Add or replace these (live) pages in the index."""

    @abstractmethod
    def remove_pages(self, page_ids: Iterable[int]) -> None:
        """Remove these pages from the index (unpublished, deleted)."""
