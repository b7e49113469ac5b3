"""Facet keys: every facet value of an indexed page as one ``dimension:value`` string.

Both backends store a page's keys in their index when they index it (the engine in a keyword
field, the database in ``SearchFacet`` rows) and count a search's facets from them: one
``GROUP BY`` or one ``terms`` aggregation over the matches for every dimension at once. Counted
the other way, once per dimension through the page tables, facets were 40 % of a database
search and six aggregation passes of an engine search at 10,000 pages and more
(docs/benchmarks.md, "Sixth round").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cms.knowledge.facets import DIMENSIONS, Facet, Filters, facet
from search.documents import SearchDocument

# The SearchDocument attribute behind each filter dimension of cms.knowledge.facets.Filters (the
# engine's keyword fields have the same names).
FACET_FIELDS = {
    "theme": "themes",
    "municipality": "municipality",
    "type": "type",
    "status": "status",
    "decision": "decisions",
    "year": "year",
}
KeyCounts = Iterable[tuple[str, int]]
SEPARATOR = ":"


class IncompleteFacetKeys(Exception):
    """The matches' keys do not add up: an index written by a version without facet keys."""


def facet_keys(document: SearchDocument) -> list[str]:
    """The page's facet values as keys, each once (a project may end several PDSA cycles with
    the same decision); empty values (no municipality, no status) have none."""
    keys: list[str] = []
    for dimension, field in FACET_FIELDS.items():
        value = getattr(document, field)
        values = value if isinstance(value, tuple | list) else (value,)
        keys += [f"{key_prefix(dimension)}{item}" for item in values if item not in ("", None)]
    return list(dict.fromkeys(keys))


def key_prefix(dimension: str) -> str:
    return f"{dimension}{SEPARATOR}"


def split_key(key: str) -> tuple[str, str]:
    """``("theme", "egenvard")`` for ``"theme:egenvard"``."""
    dimension, _, value = key.partition(SEPARATOR)
    return dimension, value


def facets_from_keys(
    every: KeyCounts, apart: Mapping[str, KeyCounts], filters: Filters, total: int
) -> list[Facet]:
    """Facets from key counts, with the values and labels ``compute_facets`` gives.

    ``every`` is counted over the matches with all active filters (``total`` pages), ``apart``
    over the matches without each filtered dimension's own filter: a facet shows what choosing
    another of its values would give. Every page has exactly one type, so the type keys of
    ``every`` must add up to ``total``; when they do not, the index holds pages indexed before
    facet keys existed, and counting from it would show too few (``IncompleteFacetKeys``).
    """
    counts: dict[str, dict[str, int]] = {dimension: {} for dimension in DIMENSIONS}
    for key, count in every:
        dimension, value = split_key(key)
        if dimension in counts:
            counts[dimension][value] = count
    if sum(counts["type"].values()) != total:
        raise IncompleteFacetKeys(
            f"{sum(counts['type'].values())} of {total} matching pages have facet keys"
        )
    for dimension, key_counts in apart.items():
        counts[dimension] = {split_key(key)[1]: count for key, count in key_counts}
    return [
        facet(dimension, counts[dimension], {str(value) for value in getattr(filters, dimension)})
        for dimension in DIMENSIONS
    ]
