"""The embedded backend: an analysed inverted index in the site's own database.

Why not Wagtail's database search backend: it cannot stem Swedish, split compounds or apply the
glossary, and its results cannot be used as a subquery, so facets and paging would need every
hit fetched into Python. Here the index is two plain tables (``SearchEntry``, ``SearchTerm``)
filled by ``search.analysis``; matching, scoring, facet counts and paging are SQL, identical on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Expression,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Length
from django.utils import timezone, translation
from django.utils.html import escape

from cms.core.languages import active_locale_id
from cms.core.pagecache import per_generation
from cms.knowledge.facets import DIMENSIONS, Facet, Filters, compute_facets
from cms.knowledge.listing import live_knowledge_pages
from cms.knowledge.models import KnowledgePage
from search import analysis
from search.backends.base import SearchBackend
from search.documents import SearchDocument, build_document
from search.facet_keys import IncompleteFacetKeys, facet_keys, facets_from_keys, key_prefix
from search.glossary import Equivalent, equivalents
from search.models import SearchEntry, SearchFacet, SearchTerm, SearchWord
from search.query import SearchQuery, Sort
from search.results import Hit, SearchResults, hit_pages

FIELD_BOOSTS = {
    "title": 3.0,
    "summary": 2.0,
    "theme_names": 2.0,
    "tags": 2.0,
    "municipality_name": 1.5,
    "summary_en": 1.5,
    "body": 1.0,
}
# The body first: its term counts start a document's weights (``DatabaseBackend._analyse``).
FIELD_BOOSTS_BODY_FIRST = sorted(FIELD_BOOSTS.items(), key=lambda item: item[0] != "body")
SNIPPET_LENGTH = 220
# Matches up to this many pages are fetched as ids once per search (see _materialise).
MATERIALISE_LIMIT = 20_000


@dataclass(frozen=True)
class IndexTables:
    """The names of the index's four tables: the live ones, or a rebuild's new ones."""

    entry: str
    term: str
    facet: str
    word: str

    def __iter__(self) -> Iterator[str]:
        return iter((self.entry, self.term, self.facet, self.word))


# A document with its weighted index terms and its words (``DatabaseBackend._analyse``).
Analysed = tuple[SearchDocument, Counter[str], set[str]]

LIVE_TABLES = IndexTables(
    *(model._meta.db_table for model in (SearchEntry, SearchTerm, SearchFacet, SearchWord))
)


@dataclass(frozen=True)
class Clause:
    """One part of the query; it matches when any alternative's terms are all present."""

    words: tuple[str, ...]
    alternatives: tuple[frozenset[str], ...]
    whole_words: frozenset[str] = frozenset()  # stems of the words as typed, not their parts

    @property
    def terms(self) -> set[str]:
        return set().union(*self.alternatives) if self.alternatives else set()


def _terms(words: Iterable[str], language: str) -> frozenset[str]:
    terms: set[str] = set()
    for word in words:
        terms |= analysis.analyse_word(word, language)
    return frozenset(terms)


def _glossary_phrase_at(
    stems: list[tuple[str, str]], position: int
) -> tuple[int, Equivalent] | None:
    """The glossary entry whose Swedish or English phrase starts at ``position``, if any."""
    for entry in equivalents():
        for phrase, language in ((entry.swedish, "sv"), (entry.english, "en")):
            phrase_stems = tuple(analysis.stem(word, language) for word in phrase)
            column = 0 if language == "sv" else 1
            window = tuple(pair[column] for pair in stems[position : position + len(phrase)])
            if phrase_stems and window == phrase_stems:
                return len(phrase), entry
    return None


def parse_clauses(text: str) -> list[Clause]:
    """Split a query into clauses: glossary phrases first, then single words.

    A glossary phrase (in either language) becomes one clause whose alternatives are the Swedish
    and the English form; any other word may match as Swedish or as English.
    """
    tokens = analysis.words(text)
    stems = [(analysis.stem(token, "sv"), analysis.stem(token, "en")) for token in tokens]
    clauses: list[Clause] = []
    position = 0
    while position < len(tokens):
        found = _glossary_phrase_at(stems, position)
        if found:
            size, entry = found
            alternatives = (_terms(entry.swedish, "sv"), _terms(entry.english, "en"))
            whole = {analysis.stem(word, "sv") for word in entry.swedish} | {
                analysis.stem(word, "en") for word in entry.english
            }
        else:
            size = 1
            alternatives = tuple(
                {_terms(tokens[position : position + 1], language) for language in ("sv", "en")}
                - {frozenset()}
            )
            whole = set(stems[position])
        if alternatives:
            clauses.append(
                Clause(tuple(tokens[position : position + size]), alternatives, frozenset(whole))
            )
        position += size
    return clauses


class InIds(Expression):
    """``column IN (ids)`` with the ids as one parameter, not one placeholder per id.

    Why: a search filters by up to MATERIALISE_LIMIT matching ids in about ten queries, and
    Django's ``__in`` builds and psycopg re-parses a placeholder per id each time: at 10,000
    pages that was a third of a database search (docs/benchmarks.md). PostgreSQL takes the ids
    as one array, SQLite as one JSON text.
    """

    output_field = BooleanField()

    def __init__(self, column: Expression, ids: Iterable[int]) -> None:
        super().__init__()
        self.column = column
        self.ids = [int(pk) for pk in ids]

    def get_source_expressions(self) -> list[Expression]:
        return [self.column]

    def set_source_expressions(self, expressions: list[Expression]) -> None:
        (self.column,) = expressions

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        column, params = compiler.compile(self.column)
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, self.ids]
        return f"{column} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.ids)]


@per_generation
def _term_statistics(terms: tuple[str, ...]) -> tuple[int, Counter[str]]:
    """The number of indexed pages and how many contain each term, for the idf weights.

    Kept per process while no content changes: counting a common term's postings was a fifth
    of a search at 10,000 pages (docs/benchmarks.md), and people repeat queries. A page indexed
    just after a change may leave the weights a little stale until the next one; they only
    rank, they never decide what matches.
    """
    frequencies = Counter(
        dict(
            SearchTerm.objects.filter(term__in=terms)
            .order_by()
            .values("term")
            .annotate(n=Count("pk"))
            .values_list("term", "n")
        )
    )
    return max(SearchEntry.objects.count(), 1), frequencies


def _has_term(term: str) -> Exists:
    return Exists(SearchTerm.objects.filter(entry__page=OuterRef("pk"), term=term))


def _clause_filter(clause: Clause) -> Q:
    condition = Q()
    for alternative in clause.alternatives:
        every = Q()
        for term in sorted(alternative):
            every &= Q(_has_term(term))
        condition |= every
    return condition


def term_weight(boosted_count: float) -> float:
    """A term's stored weight: its boosted count, dampened (the tenth use of a word in a page
    says less than the first)."""
    return 1 + math.log(boosted_count)


@lru_cache(maxsize=4096)
def _weight_text(boosted_count: float) -> str:
    """``term_weight`` as COPY text. Memoised: a batch has a few dozen distinct counts among its
    hundreds of thousands of terms, and the logarithm and its text were half of writing them."""
    return repr(term_weight(boosted_count))


class DatabaseBackend(SearchBackend):
    name = "database"

    # Indexing ----------------------------------------------------------------------------------

    @transaction.atomic
    def index_pages(self, pages: Iterable[KnowledgePage]) -> None:
        """Replace these pages' entries: their old entries go, the new ones come in bulk."""
        documents = [build_document(page) for page in pages]
        self.remove_pages(document.page_id for document in documents)
        self.add_documents(documents)

    @staticmethod
    def _analyse(document: SearchDocument) -> tuple[Counter[str], set[str]]:
        """Weighted index terms and the words ("did you mean") of one document.

        The terms of a field are counted by ``Counter`` over the words' memoised terms, in C;
        the body's counts are the weights' start (its boost is 1), so only the short fields
        are added in Python. A Python loop over every word was a sixth of a rebuild.
        """
        weights: Counter[str] = Counter()
        words: set[str] = set()
        for field, boost in FIELD_BOOSTS_BODY_FIRST:
            value = getattr(document, field)
            text = " ".join(value) if isinstance(value, tuple) else value
            language = "en" if field == "summary_en" else document.language
            tokens = analysis.words(text)
            words.update(tokens)
            terms = Counter(chain.from_iterable(map(analysis.word_terms, tokens, repeat(language))))
            if not weights and boost == 1:
                weights = terms
            else:
                for term, count in terms.items():
                    weights[term] += boost * count
        return weights, words

    @staticmethod
    def _entry_text(document: SearchDocument) -> str:
        return f"{document.summary}\n{document.summary_en}\n{document.body}"

    @transaction.atomic
    def add_documents(
        self, documents: list[SearchDocument], tables: IndexTables | None = None
    ) -> None:
        """Index pages known not to be in the index (a rebuild after ``clear``, or after
        ``remove_pages``) in a few bulk statements instead of several per page: the rebuild's
        round trips were most of its time (docs/benchmarks.md).

        ``tables`` names other tables of the same shape to write to (PostgreSQL only): a
        rebuild fills new tables beside the live ones (``search.backends.database_rebuild``).
        """
        if not documents:
            return
        analysed = [(document, *self._analyse(document)) for document in documents]
        seen: set[str] = set().union(*(words for _, _, words in analysed))
        vocabulary = sorted({word[:100] for word in seen if len(word) > 2})
        if connection.vendor == "postgresql":
            self._add_with_copy(analysed, vocabulary, tables or LIVE_TABLES)
        elif tables is None:
            self._add_with_orm(analysed, vocabulary)
        else:
            raise ValueError("only PostgreSQL writes an index into other tables")

    def _add_with_copy(
        self, analysed: list[Analysed], vocabulary: list[str], tables: IndexTables
    ) -> None:
        """``add_documents`` on PostgreSQL: the entries take their ids from their table's
        sequence, so every row can go in by COPY."""
        entry_ids = next_ids(tables.entry, len(analysed))
        # COPY: hundreds of terms per page, and building a model instance for each cost more
        # than the database's work. The rows go as blocks of COPY text: psycopg's per-row
        # ``write_row`` was a fifth of a rebuild. Terms are stems of word characters
        # (``analysis.TOKEN_RE``): no tab, newline or backslash to escape.
        now = timezone.now().isoformat()
        _copy(
            tables.entry,
            ("id", "page_id", "language", "text", "updated_at"),
            "".join(
                f"{entry_id}\t{document.page_id}\t{_copy_escaped(document.language)}\t"
                f"{_copy_escaped(self._entry_text(document))}\t{now}\n"
                for entry_id, (document, _, _) in zip(entry_ids, analysed, strict=True)
            ),
        )
        _copy(
            tables.term,
            ("entry_id", "term", "weight"),
            "".join(
                f"{entry_id}\t{term[:100]}\t{_weight_text(weight)}\n"
                for entry_id, (_, weights, _) in zip(entry_ids, analysed, strict=True)
                for term, weight in weights.items()
            ),
        )
        _copy(
            tables.facet,
            ("entry_id", "key"),
            "".join(
                f"{entry_id}\t{_copy_escaped(key)}\n"
                for entry_id, (document, _, _) in zip(entry_ids, analysed, strict=True)
                for key in facet_keys(document)
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(tables.word)} (word) "
                "SELECT unnest(%s::varchar[]) ON CONFLICT DO NOTHING",
                [vocabulary],
            )

    def _add_with_orm(self, analysed: list[Analysed], vocabulary: list[str]) -> None:
        """``add_documents`` on SQLite."""
        entries = SearchEntry.objects.bulk_create(
            SearchEntry(
                page_id=document.page_id,
                language=document.language,
                text=self._entry_text(document),
            )
            for document, _, _ in analysed
        )
        SearchTerm.objects.bulk_create(
            (
                SearchTerm(entry_id=entry.pk, term=term[:100], weight=term_weight(weight))
                for entry, (_, weights, _) in zip(entries, analysed, strict=True)
                for term, weight in weights.items()
            ),
            batch_size=5_000,
        )
        SearchFacet.objects.bulk_create(
            (
                SearchFacet(entry_id=entry.pk, key=key)
                for entry, (document, _, _) in zip(entries, analysed, strict=True)
                for key in facet_keys(document)
            ),
            batch_size=5_000,
        )
        SearchWord.objects.bulk_create(
            (SearchWord(word=word) for word in vocabulary), ignore_conflicts=True, batch_size=5_000
        )

    def remove_pages(self, page_ids: Iterable[int]) -> None:
        entries = SearchEntry.objects.filter(page_id__in=list(page_ids))
        # Raw deletes, the entries' rows first: the collector would load every row to cascade.
        for model in (SearchTerm, SearchFacet):
            model.objects.filter(entry__in=entries)._raw_delete(using=model.objects.db)
        entries._raw_delete(using=SearchEntry.objects.db)

    def clear(self) -> None:
        """Empty the index, for a rebuild that refills the live tables (SQLite, or inside a
        transaction; on PostgreSQL a rebuild fills new tables instead:
        ``search.backends.database_rebuild``).

        Raw deletes: Django's collector would load every entry to cascade to its terms, which
        took longer than indexing (docs/benchmarks.md). Nothing else references these tables.
        """
        with transaction.atomic():
            for model in (SearchTerm, SearchFacet, SearchEntry, SearchWord):
                model.objects.all()._raw_delete(using=model.objects.db)

    # Searching ---------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        with translation.override(query.language):
            base = live_knowledge_pages()
            clauses = parse_clauses(query.text)
            matching, ids = self._materialise(base, self._match(base, clauses), clauses)
            suggestion = None
            if clauses and not (ids if ids is not None else matching.exists()):
                suggestion = self.suggest(query.text, clauses)
                if suggestion:
                    clauses = parse_clauses(suggestion)
                    matching, ids = self._materialise(base, self._match(base, clauses), clauses)
            filtered = query.filters.apply(matching)
            # Unfiltered, the matching ids already are the total: no COUNT over them again.
            total = (
                len(ids) if ids is not None and not query.filters.is_active else filtered.count()
            )
            facets = self._facets(matching, ids, query.filters, total)
            ordered = self._order(filtered, clauses, query.sort)
            page_hits = list(ordered[query.offset : query.offset + query.page_size])
            # Highlight words containing what was typed ("dialys" in "egenvårdsdialysen"), not
            # every word that shares a compound part with it ("vård" in "hemsjukvården").
            typed = set().union(*(clause.whole_words for clause in clauses)) if clauses else set()
            snippets = self._snippets([page.pk for page in page_hits], typed)
            hits = [
                Hit(
                    page=page,
                    score=float(getattr(page, "score", 0.0) or 0.0),
                    highlight=snippets.get(page.pk) or escape(page.summary),
                )
                for page in page_hits
            ]
        return SearchResults(
            total=total,
            hits=hits,
            facets=facets,
            page=query.page,
            page_size=query.page_size,
            suggestion=suggestion,
            backend=self.name,
        )

    @staticmethod
    def _facets(
        matching: QuerySet, ids: list[int] | None, filters: Filters, total: int
    ) -> list[Facet]:
        """Count the facets from the matches' facet keys (``search.facet_keys``).

        Without filters, the keys of the matching ids (when ``_materialise`` fetched them)
        are counted without touching the page tables at all. An index written before facet
        keys existed (until ``rebuild_search_index``) is counted through the page tables
        instead, as the listings are.
        """

        def counted(scope: Filters, dimension: str | None = None) -> list[tuple[str, int]]:
            """Key counts over the matches that pass ``scope``, of one dimension or all."""
            if ids is not None and not scope.is_active:
                rows = SearchFacet.objects.filter(InIds(F("entry__page_id"), ids))
            else:
                rows = SearchFacet.objects.filter(
                    entry__page__in=scope.apply(matching).values("pk")
                )
            if dimension:
                rows = rows.filter(key__startswith=key_prefix(dimension))
            return list(
                rows.order_by().values("key").annotate(n=Count("pk")).values_list("key", "n")
            )

        apart = {
            dimension: counted(filters.without(dimension), dimension)
            for dimension in DIMENSIONS
            if getattr(filters, dimension)
        }
        try:
            return facets_from_keys(counted(filters), apart, filters, total)
        except IncompleteFacetKeys:
            return compute_facets(matching, filters)

    @staticmethod
    def _materialise(
        base: QuerySet, matching: QuerySet, clauses: list[Clause]
    ) -> tuple[QuerySet, list[int] | None]:
        """Run the term matching once and filter by its page ids: the facets, the total and
        the page of hits are about ten queries, and each one re-ran every term's EXISTS
        (docs/benchmarks.md). Above MATERIALISE_LIMIT ids the list would cost more than it
        saves, and the matching stays a subquery. The ids come back too (None when not
        materialised): whether anything matched, and how many, need no further query."""
        if not clauses:
            return matching, None
        ids = list(matching.values_list("pk", flat=True)[: MATERIALISE_LIMIT + 1])
        if len(ids) > MATERIALISE_LIMIT:
            return matching, None
        return base.filter(InIds(F("pk"), ids)), ids

    def _match(self, base: QuerySet, clauses: list[Clause]) -> QuerySet:
        matching = base
        for clause in clauses:
            matching = matching.filter(_clause_filter(clause))
        return matching

    def _order(self, queryset: QuerySet, clauses: list[Clause], sort: Sort) -> QuerySet:
        queryset = hit_pages(queryset)
        terms = sorted(set().union(*(clause.terms for clause in clauses))) if clauses else []
        if not terms:
            return queryset.annotate(score=Value(0.0, output_field=FloatField())).order_by(
                "-date", "-pk"
            )
        total_entries, frequencies = _term_statistics(tuple(terms))
        # One correlated sum per page over its matching terms, each weighted by its idf: a
        # subquery per term made ordering 9,000 matches cost over a second (docs/benchmarks.md).
        idf = Case(
            *(
                When(term=term, then=Value(math.log(1 + total_entries / (1 + frequencies[term]))))
                for term in terms
            ),
            output_field=FloatField(),
        )
        score = Coalesce(
            Subquery(
                SearchTerm.objects.filter(entry=OuterRef("search_entry"), term__in=terms)
                .order_by()
                .values("entry")
                .annotate(score=Sum(F("weight") * idf))
                .values("score"),
                output_field=FloatField(),
            ),
            Value(0.0),
        )
        queryset = queryset.annotate(score=score)
        if sort is Sort.NEWEST:
            return queryset.order_by("-date", "-pk")
        return queryset.order_by(F("score").desc(), "-date", "-pk")

    def _snippets(self, page_ids: list[int], terms: set[str]) -> dict[int, str]:
        entries = SearchEntry.objects.filter(page_id__in=page_ids).values_list("page_id", "text")
        return {page_id: highlight(text, terms) for page_id, text in entries}

    def suggest(self, text: str, clauses: list[Clause]) -> str | None:
        """A corrected query when some words match nothing in the index ("did you mean")."""
        corrected = text
        changed = False
        # Known in the visitor's language: an English page mentioning "egenvårdsdialys" makes
        # the misspelt "egenvårdsdialis" stem alike in English, which says nothing to a
        # Swedish visitor who finds nothing.
        in_scope = SearchTerm.objects.filter(entry__page__locale_id=active_locale_id())
        for clause in clauses:
            for word in clause.words:
                whole = {analysis.stem(word, "sv"), analysis.stem(word, "en")}
                if in_scope.filter(term__in=whole).exists():
                    continue
                candidates = list(
                    SearchWord.objects.annotate(length=Length("word"))
                    .filter(
                        word__startswith=word[:1],
                        length__gte=len(word) - 2,
                        length__lte=len(word) + 2,
                    )
                    .values_list("word", flat=True)[:5000]
                )
                match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
                if match:
                    corrected = re.sub(
                        rf"\b{re.escape(word)}\b", match[0], corrected, flags=re.IGNORECASE
                    )
                    changed = True
        return corrected if changed else None

    def autocomplete(self, prefix: str, language: str, limit: int = 8) -> list[dict]:
        prefix = prefix.strip()
        if len(prefix) < 2:
            return []
        with translation.override(language):
            pages = (
                live_knowledge_pages()
                .filter(Q(title__istartswith=prefix) | Q(title__icontains=f" {prefix}"))
                .order_by("title")[:limit]
            )
            return [{"title": page.title, "url": page.url} for page in pages]


def next_ids(table: str, count: int) -> list[int]:
    """``count`` ids from the sequence of ``table``'s ``id`` column (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table: str, columns: tuple[str, ...], data: str) -> None:
    """Rows into ``table`` as one block of PostgreSQL COPY text."""
    with connection.cursor() as cursor:
        name = connection.ops.quote_name(table)
        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(data)


def _copy_escaped(value: str) -> str:
    """A value as COPY text: a slug should hold no backslash, tab or line break, but a facet
    key comes from whatever an editor or an import stored."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def highlight(text: str, terms: set[str], length: int = SNIPPET_LENGTH) -> str:
    """An escaped excerpt around the first matching word, with matches wrapped in <mark>."""
    tokens = list(re.finditer(r"\w+", text))

    def matches(word: str) -> bool:
        return bool((analysis.analyse_word(word, "sv") | analysis.analyse_word(word, "en")) & terms)

    first = next((token for token in tokens if matches(token.group(0))), None)
    if first is None:
        excerpt_start = 0
    else:
        excerpt_start = max(0, first.start() - length // 3)
        space = text.rfind(" ", 0, excerpt_start)
        excerpt_start = space + 1 if space >= 0 else excerpt_start
    excerpt_end = min(len(text), excerpt_start + length)
    excerpt = text[excerpt_start:excerpt_end]
    parts: list[str] = []
    cursor = 0
    for token in re.finditer(r"\w+", excerpt):
        parts.append(escape(excerpt[cursor : token.start()]))
        word = token.group(0)
        parts.append(f"<mark>{escape(word)}</mark>" if matches(word) else escape(word))
        cursor = token.end()
    parts.append(escape(excerpt[cursor:]))
    prefix = "… " if excerpt_start > 0 else ""
    suffix = " …" if excerpt_end < len(text) else ""
    return (prefix + "".join(parts) + suffix).replace("\n", " ")
