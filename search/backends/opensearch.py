"""The search engine backend: OpenSearch 2.x, answering the same contract as the database backend.

Layout: one alias per language (``{prefix}-sv``, ``{prefix}-en``), each pointing at one concrete
index ``{alias}-{timestamp}``. Writes go through the alias; ``rebuild`` fills a fresh index and
swaps the alias in one atomic call, so searches keep working during a rebuild.

Analysis mirrors ``search.analysis`` (the database backend's analyser) so both backends find the
same pages: the same compound word list, stop words and minimum token length; compounds are
split at index time only. A text field can be Swedish-analysed (the field itself) and
English-analysed (``<field>.en``); a query searches each field with the analyzer of the language
its text is in (``QUERY_FIELDS``), and each language's index analyses a field only the ways its
queries read it. The glossary (sv↔en) is a ``synonym_graph`` filter
at the end of both search analyzers, where its rules are stemmed like the text they must match,
so "vårdövergångarna" and "care transitions" both reach it. It is read when an index is created:
glossary edits take effect with the next ``rebuild_search_index``.

Semantics follow the database backend: every query word must match (``operator: and``), filters
are OR within a dimension and AND across, each facet is counted with the *other* filters applied
(``post_filter`` + filtered aggregations), and a query that matches nothing gets a "did you mean"
correction that is searched instead. Any engine problem becomes ``BackendUnavailable``, on which
the service answers from the database.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from itertools import islice
from typing import Any, TextIO

from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import escape
from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException, TransportError
from opensearchpy.helpers import bulk

from cms.core.languages import active_locale_id, locale_codes
from cms.knowledge.facets import (
    DIMENSIONS,
    Facet,
    Filters,
)
from cms.knowledge.listing import live_knowledge_pages
from cms.knowledge.models import KnowledgePage
from search import analysis
from search.backends.base import BackendUnavailable, SearchBackend
from search.backends.database import FIELD_BOOSTS
from search.background import BackgroundWriter
from search.documents import SearchDocument, build_document
from search.facet_keys import (
    FACET_FIELDS,
    IncompleteFacetKeys,
    facet_keys,
    facets_from_keys,
    key_prefix,
)
from search.glossary import equivalents
from search.query import LANGUAGES, MAX_PAGE, MAX_PAGE_SIZE, SearchQuery, Sort
from search.results import Hit, SearchResults, hit_pages

# Keyword field behind each filter dimension of cms.knowledge.facets.Filters.
FILTER_FIELDS = FACET_FIELDS
FACET_SIZE = 500
# The keyword field holding a page's facet keys (search.facet_keys), and the aggregation over it
# that counts every dimension the visitor does not filter on (facet_aggregations).
FACET_KEYS_FIELD = "facets"
FACETS = "facets"
# Snippet sources by preference, for pages in each language (as QUERY_FIELDS below).
HIGHLIGHT_FIELDS = {
    "sv": ("summary", "summary_en.en", "body"),
    "en": ("summary.en", "summary_en.en", "body.en"),
}
# Text fields whose positions are stored with character offsets, so that highlighting reads them
# instead of analysing the hits' text again: that analysis was over half the engine's time for
# a search (docs/benchmarks.md), for about a third more index on disk.
OFFSET_FIELDS = frozenset({"summary", "summary_en", "body"})
SNIPPET_LENGTH = 200
# The deepest page SearchQuery allows must stay answerable (the engine's default stops at 10,000).
MAX_RESULT_WINDOW = MAX_PAGE * MAX_PAGE_SIZE
BULK_CHUNK = 200
BULK_TIMEOUT = 60.0
AUTOCOMPLETE_MAX = 50


# Index definition --------------------------------------------------------------------------------


def _glossary_words(words: tuple[str, ...], language: str) -> str:
    """A glossary term as the analyzer sees it: its stop words and one-letter words left out.

    The engine parses each synonym rule with the analyzer's own filters, and a word dropped
    inside a rule makes the rule unparsable.
    """
    stop = analysis.STOP_WORDS[language]
    return " ".join(
        word for word in words if word not in stop and len(word) >= analysis.MIN_TOKEN_LENGTH
    )


def glossary_rules(language: str) -> list[str]:
    """Synonym rules "swedish, english" (both directions) for one search analyzer."""
    rules: list[str] = []
    for entry in equivalents():
        swedish = _glossary_words(entry.swedish, language)
        english = _glossary_words(entry.english, language)
        if swedish and english and swedish != english:
            rules.append(f"{swedish}, {english}")
    return rules


def glossary_swedish_words() -> list[str]:
    """Swedish glossary words, kept from English stemming in the English analyzer.

    English stemming of Swedish words conflates them with misspellings ("egenvårdsdialys" and
    "egenvårdsdialis" both become "egenvårdsdiali"), which would make a misspelt query match the
    glossary and hide the "did you mean" the database backend gives.
    """
    return sorted({word for entry in equivalents() for word in entry.swedish})


# Snowball 3's Swedish rule for definite "-et"/"-ets" ("sjukhuset", "länets" → "sjukhus", "län"),
# which the engine's older Snowball stemmer lacks but the database backend's snowballstemmer 3.x
# applies: strip it after a vowel + consonant, unless the stem ends in one of the rule's
# exceptions. The stripped word is marked as a keyword so the stemmer does not strip a second
# suffix ("ansvaret" → "ansvar", not "ansv"), as Snowball removes only one.
SWEDISH_VOWELS = "aeiouyäåö"
DEFINITE_ET_EXCEPTIONS = (
    "fab|h|pak|rak|stak|kom|iet|cit|dit|alit|ilit|mit|nit|pit|rit|sit|tit|uit|ivit|kvit|xit"
)
DEFINITE_ET_PATTERN = (
    rf"^(.+[{SWEDISH_VOWELS}][^{SWEDISH_VOWELS}])(?<!{DEFINITE_ET_EXCEPTIONS})ets?$"
)


def analysis_settings() -> dict[str, Any]:
    """Analyzers for both languages; ``*_index`` at index time, ``*_search`` at query time.

    Compounds are split at index time only: a query for "dialys" then finds
    "egenvårdsdialys", while a query for "egenvårdsdialys" still means that word and not
    "any page mentioning vård".
    """
    return {
        "char_filter": {
            # The standard tokenizer keeps "dagarna.Vi" (paragraphs joined without a space) or
            # "se:här" as one word; the database backend's tokenizer splits them.
            "word_break": {
                "type": "pattern_replace",
                "pattern": r"(?<=\p{L})[.:](?=\p{L})",
                "replacement": " ",
            },
        },
        "filter": {
            "min_length": {"type": "length", "min": analysis.MIN_TOKEN_LENGTH},
            "drop_all": {"type": "length", "max": 0},
            # scandinavian_normalization (ä/ö → æ/ø, "aa" → å; å stays distinct from a) comes
            # after the decompounder, the stop words and the stemmer: all three are written
            # with ä/ö, and the Swedish stemmer counts ä/ö (not æ/ø) as vowels, so normalising
            # first would leave "kvällar" or "hände" unstemmed.
            "sv_decompound": {
                "type": "dictionary_decompounder",
                "word_list": list(analysis.COMPOUND_PARTS),
                "min_subword_size": analysis.MIN_SUBWORD_LENGTH,
                "min_word_size": analysis.MIN_SUBWORD_LENGTH * 2,
                "only_longest_match": False,
            },
            "sv_stop": {"type": "stop", "stopwords": sorted(analysis.STOP_WORDS["sv"])},
            "sv_definite_et_keyword": {
                "type": "keyword_marker",
                "keywords_pattern": DEFINITE_ET_PATTERN,
            },
            "sv_definite_et": {
                "type": "pattern_replace",
                "pattern": DEFINITE_ET_PATTERN,
                "replacement": "$1",
            },
            "sv_stemmer": {"type": "stemmer", "language": "swedish"},
            "sv_glossary": {
                "type": "synonym_graph",
                "synonyms": glossary_rules("sv"),
                "lenient": True,
            },
            "en_possessive": {"type": "stemmer", "language": "possessive_english"},
            "en_stop": {"type": "stop", "stopwords": sorted(analysis.STOP_WORDS["en"])},
            "en_swedish_terms": {"type": "keyword_marker", "keywords": glossary_swedish_words()},
            "en_stemmer": {"type": "stemmer", "language": "english"},
            "en_glossary": {
                "type": "synonym_graph",
                "synonyms": glossary_rules("en"),
                "lenient": True,
            },
        },
        "analyzer": {
            "sv_index": _custom(
                "lowercase",
                "min_length",
                "sv_decompound",
                "sv_stop",
                "sv_definite_et_keyword",
                "sv_definite_et",
                "sv_stemmer",
                "scandinavian_normalization",
            ),
            "sv_search": _custom(
                "lowercase",
                "min_length",
                "sv_stop",
                "sv_definite_et_keyword",
                "sv_definite_et",
                "sv_stemmer",
                "scandinavian_normalization",
                "sv_glossary",
            ),
            "en_index": _custom(
                "lowercase",
                "min_length",
                "en_possessive",
                "en_stop",
                "en_swedish_terms",
                "en_stemmer",
            ),
            "en_search": _custom(
                "lowercase",
                "min_length",
                "en_possessive",
                "en_stop",
                "en_swedish_terms",
                "en_stemmer",
                "en_glossary",
            ),
            # Surface words, for "did you mean" and title autocomplete.
            "plain": _custom("lowercase"),
            # No terms at all: a field this language's index never searches (``_text_field``).
            "unread": {"type": "custom", "tokenizer": "keyword", "filter": ["drop_all"]},
        },
    }


def _custom(*filters: str) -> dict[str, Any]:
    return {
        "type": "custom",
        "char_filter": ["word_break"],
        "tokenizer": "standard",
        "filter": list(filters),
    }


def _text_field(name: str, read: frozenset[str]) -> dict[str, Any]:
    """A text field analysed as Swedish, with an English-analysed ``.en`` sub-field, each only
    if ``read`` (its index's queries and highlights) names it; every text goes to ``spelling``.

    A Swedish analysis nobody reads is still a field, with no terms (``unread``): one search
    asks both indices with both languages' clauses, and a field that is not indexed at all
    fails the query in the index that lacks it.
    """
    positions = {"index_options": "offsets"} if name in OFFSET_FIELDS else {}
    field: dict[str, Any] = {
        "type": "text",
        "analyzer": "sv_index",
        "search_analyzer": "sv_search",
        "copy_to": "spelling",
        **positions,
    }
    if name not in read:
        field.update(analyzer="unread", index_options="docs", norms=False)
    subfields: dict[str, Any] = {}
    if f"{name}.en" in read:
        subfields["en"] = {
            "type": "text",
            "analyzer": "en_index",
            "search_analyzer": "en_search",
            **positions,
        }
    if name == "title":  # autocomplete's tie-break (``OpenSearchBackend.autocomplete``)
        subfields["raw"] = {"type": "keyword", "ignore_above": 256}
    if subfields:
        field["fields"] = subfields
    return field


def read_fields(language: str) -> frozenset[str]:
    """The analysed fields the queries and highlights of ``language``'s index read."""
    return frozenset(QUERY_FIELDS[language]) | frozenset(HIGHLIGHT_FIELDS[language])


def mappings(language: str) -> dict[str, Any]:
    """The mappings of ``language``'s index.

    A text field is analysed only the ways that index is searched (``QUERY_FIELDS``): the
    Swedish index has no English analysis of a Swedish body, the English index no Swedish
    analysis of an English one. Both were built for every page, and analysing text is most of
    the engine's work in a rebuild (docs/benchmarks.md, "Eighth round").
    """
    read = read_fields(language)
    return {
        "dynamic": "strict",
        "properties": {
            **{name: _text_field(name, read) for name in FIELD_BOOSTS},
            "title_suggest": {"type": "search_as_you_type", "analyzer": "plain"},
            "spelling": {"type": "text", "analyzer": "plain"},
            "page_id": {"type": "integer"},
            "locale": {"type": "keyword"},
            "language": {"type": "keyword"},
            "themes": {"type": "keyword"},
            "municipality": {"type": "keyword"},
            "type": {"type": "keyword"},
            "status": {"type": "keyword"},
            "decisions": {"type": "keyword"},
            "year": {"type": "integer"},
            FACET_KEYS_FIELD: {"type": "keyword"},
            "date": {"type": "date"},
            "url_path": {"type": "keyword", "index": False},
        },
    }


def index_body(language: str) -> dict[str, Any]:
    """Settings and mappings of a new concrete index for ``language`` (the glossary is read
    now)."""
    return {
        "settings": {
            # One shard: a small corpus, and term statistics (hence scores) are not split.
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "max_result_window": MAX_RESULT_WINDOW,
            "analysis": analysis_settings(),
        },
        "mappings": mappings(language),
    }


def document_source(document: SearchDocument) -> dict[str, Any]:
    """The engine's copy of a SearchDocument; empty keywords are left out, not indexed as ""."""
    return {
        "page_id": document.page_id,
        "locale": document.locale,
        "language": document.language,
        "title": document.title,
        "title_suggest": document.title,
        "summary": document.summary,
        "summary_en": document.summary_en,
        "body": document.body,
        "theme_names": document.theme_names,
        "tags": list(document.tags),
        "municipality_name": document.municipality_name,
        "themes": list(document.themes),
        "municipality": document.municipality or None,
        "type": document.type,
        "status": document.status or None,
        "decisions": list(document.decisions),
        "year": document.year,
        FACET_KEYS_FIELD: facet_keys(document),
        "date": document.date.isoformat(),
        "url_path": document.url_path,
    }


# Query building ---------------------------------------------------------------------------------


# The analysed fields searched for pages in each language. Every field is indexed both ways
# (``name`` Swedish-, ``name.en`` English-analysed), but text is searched with the analyzer of
# the language it is written in: on a Swedish page only the English summary is English (as in
# the database backend); on an English page theme and organisation names are still Swedish.
# The wrong language's analyzer would, say, keep "the" as a Swedish word found in every English
# summary, or stem a Swedish misspelling onto the right word and hide "did you mean".
QUERY_FIELDS = {
    "sv": ("title", "summary", "summary_en.en", "theme_names", "tags", "municipality_name", "body"),
    "en": (
        "title.en",
        "summary.en",
        "summary_en.en",
        "theme_names",
        "theme_names.en",
        "tags.en",
        "municipality_name",
        "body.en",
    ),
}


def query_fields(language: str) -> list[str]:
    """QUERY_FIELDS for pages in ``language``, with the database backend's field boosts."""
    return [
        f"{name}^{FIELD_BOOSTS[name.split('.')[0]]:g}"
        for name in QUERY_FIELDS[index_language(language)]
    ]


def has_words(text: str) -> bool:
    """Whether the text has a word either analyzer keeps (the database backend's test).

    Text without one ("((", "x") is searched as an empty query, listing everything, as there.
    """
    return any(
        analysis.analyse_word(word, "sv") or analysis.analyse_word(word, "en")
        for word in analysis.words(text)
    )


def searched_languages(visitor_language: str) -> tuple[str, ...]:
    """The languages of the pages a visitor searches: Swedish visitors search Swedish pages;
    English ones both, as few pages are translated yet (the rest are English aliases of
    Swedish pages)."""
    return LANGUAGES if index_language(visitor_language) == "en" else ("sv",)


def text_query_in(text: str, languages: tuple[str, ...]) -> dict[str, Any]:
    """``text_query`` on pages in ``languages``, each searched in the language its text is in.

    For English visitors the English words of a query meet the Swedish pages' English summary
    and, through the glossary, their Swedish text. Only the languages searched get a clause: a
    Swedish visitor's search paid for an English half that could match nothing.
    """
    if len(languages) == 1:
        return text_query(text, languages[0])
    return {
        "bool": {
            "should": [
                {
                    "bool": {
                        "filter": [{"term": {"language": language}}],
                        "must": [text_query(text, language)],
                    }
                }
                for language in languages
            ],
            "minimum_should_match": 1,
        }
    }


def text_query(text: str, language: str) -> dict[str, Any]:
    """Every word must match, in any field, as Swedish or as English.

    ``cross_fields`` treats the fields sharing an analyzer as one big field, so "dialys Eksjö"
    matches a page with "dialys" in the body and Eksjö as its municipality, as in the database
    backend.
    """
    return {
        "multi_match": {
            "query": text,
            "type": "cross_fields",
            "operator": "and",
            "fields": query_fields(language),
            # A glossary phrase means its words, not an exact phrase (as in the database backend).
            "auto_generate_synonyms_phrase_query": False,
        }
    }


def filter_clauses(filters: Filters, skip: str | None = None) -> list[dict[str, Any]]:
    """One ``terms`` clause per active dimension (OR within it), all required (AND across)."""
    return [
        {"terms": {FILTER_FIELDS[dimension]: list(getattr(filters, dimension))}}
        for dimension in DIMENSIONS
        if dimension != skip and getattr(filters, dimension)
    ]


def facet_aggregations(filters: Filters) -> dict[str, Any]:
    """Each dimension counted over the text matches with every *other* active filter applied.

    A dimension the visitor does not filter on is counted with all the active filters, so all
    such dimensions share one ``terms`` aggregation over ``facets`` (``FACETS``); only a
    dimension with a filter of its own is counted apart, without that filter. A search without
    filters, the usual one, makes one pass over its matches instead of six.
    """
    every_key = {"terms": {"field": FACET_KEYS_FIELD, "size": FACET_SIZE * len(DIMENSIONS)}}
    aggregations: dict[str, Any] = {
        FACETS: {
            "filter": {"bool": {"filter": filter_clauses(filters)}},
            "aggs": {"values": every_key},
        }
    }
    for dimension in DIMENSIONS:
        if getattr(filters, dimension):
            own_keys = {
                "field": FACET_KEYS_FIELD,
                "include": f"{key_prefix(dimension)}.*",
                "size": FACET_SIZE,
            }
            aggregations[dimension] = {
                "filter": {"bool": {"filter": filter_clauses(filters, skip=dimension)}},
                "aggs": {"values": {"terms": own_keys}},
            }
    # Pages matching the text before any filter: "did you mean" is only offered when this is 0.
    aggregations["text_matches"] = {"filter": {"match_all": {}}}
    return aggregations


def sort_clause(sort: Sort, has_text: bool) -> list[Any]:
    newest = [{"date": "desc"}, {"page_id": "desc"}]
    if sort is Sort.NEWEST or not has_text:
        return newest
    return ["_score", *newest]


def highlight_fields(languages: tuple[str, ...]) -> list[str]:
    """The snippet sources of pages in ``languages``, by preference, each field once."""
    return list(
        dict.fromkeys(name for language in languages for name in HIGHLIGHT_FIELDS[language])
    )


# Which returned fragment becomes a hit's snippet, whichever languages were searched.
SNIPPET_PREFERENCE = highlight_fields(LANGUAGES)


def highlight_request(languages: tuple[str, ...]) -> dict[str, Any]:
    """Highlights only in fields written in a searched language: the others never match."""
    return {
        "encoder": "html",  # the text is escaped; only our <mark> tags are HTML
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "fragment_size": SNIPPET_LENGTH,
        "number_of_fragments": 1,
        "fields": {name: {} for name in highlight_fields(languages)},
    }


def search_body(query: SearchQuery, text: str, locale_code: str) -> dict[str, Any]:
    text = text if has_words(text) else ""
    languages = searched_languages(query.language)
    scope: dict[str, Any] = {"bool": {"filter": [{"term": {"locale": locale_code}}]}}
    if text:
        scope["bool"]["must"] = [text_query_in(text, languages)]
    body: dict[str, Any] = {
        "query": scope,
        "post_filter": {"bool": {"filter": filter_clauses(query.filters)}},
        "aggs": facet_aggregations(query.filters),
        "sort": sort_clause(query.sort, bool(text)),
        "from": query.offset,
        "size": query.page_size,
        "track_total_hits": True,
        "track_scores": True,
        "_source": False,
    }
    if text:
        body["highlight"] = highlight_request(languages)
    return body


def spelling_body(text: str) -> dict[str, Any]:
    """Corrections for words that occur nowhere in the indexed text (surface forms).

    A request of its own, sent only when a query matched nothing: asked with every search, the
    suggester was a tenth of the engine's time for a correction almost no search uses
    (docs/benchmarks.md, "Fifth round").
    """
    return {"size": 0, "track_total_hits": False, "suggest": spelling_suggester(text)}


def spelling_suggester(text: str) -> dict[str, Any]:
    return {
        "text": text,
        "spelling": {
            "term": {
                "field": "spelling",
                "suggest_mode": "missing",
                "min_word_length": 4,
                "max_edits": 2,
                "prefix_length": 1,
                # The database backend's difflib cut-off.
                "accuracy": 0.75,
                "size": 1,
            }
        },
    }


def corrected_text(text: str, suggest: dict[str, Any] | None) -> str | None:
    """The query with each misspelt word replaced by the engine's best candidate, if any."""
    entries = (suggest or {}).get("spelling", [])
    replacements = [
        (entry["offset"], entry["length"], entry["options"][0]["text"])
        for entry in entries
        if entry.get("options")
    ]
    if not replacements:
        return None
    corrected = text
    for offset, length, word in sorted(replacements, reverse=True):
        corrected = corrected[:offset] + word + corrected[offset + length :]
    return corrected if corrected != text else None


# Errors -----------------------------------------------------------------------------------------


@contextmanager
def engine_errors(action: str) -> Iterator[None]:
    """Turn any client or engine error into BackendUnavailable, so the service can fall back."""
    try:
        yield
    except OpenSearchException as error:
        # A transport error's str() repeats its cause; its ``error`` part is the useful bit.
        detail = error.error if isinstance(error, TransportError) else error
        raise BackendUnavailable(
            f"OpenSearch {action} failed: {type(error).__name__}: {detail}"
        ) from error


# The backend ------------------------------------------------------------------------------------


class OpenSearchBackend(SearchBackend):
    name = "opensearch"

    def __init__(self, client: OpenSearch | None, prefix: str = "esther") -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_settings(cls) -> OpenSearchBackend:
        """A backend for settings.SEARCH_ENGINE_URL.

        No retries: a slow or dead engine must cost a visitor at most one timeout before the
        database answers. Without a URL every call raises BackendUnavailable (never a 500).
        """
        url = settings.SEARCH_ENGINE_URL
        client = None
        if url:
            client = OpenSearch(
                hosts=[url],
                timeout=settings.SEARCH_ENGINE_TIMEOUT,
                max_retries=0,
                retry_on_timeout=False,
                # One kept-open connection per request thread (gunicorn gthread); urllib3's
                # default of one made every concurrent search open and discard a connection
                # ("Connection pool is full" in the load test).
                pool_maxsize=16,
            )
        return cls(client, prefix=settings.SEARCH_INDEX_PREFIX)

    @property
    def engine(self) -> OpenSearch:
        if self.client is None:
            raise BackendUnavailable("SEARCH_ENGINE_URL is not set")
        return self.client

    # Names ------------------------------------------------------------------------------------

    def alias(self, language: str) -> str:
        return f"{self.prefix}-{index_language(language)}"

    def new_index_names(self) -> dict[str, str]:
        """A concrete index name per language, ``{alias}-{timestamp}``, one timestamp for all."""
        stamp = f"{timezone.now():%Y%m%d%H%M%S%f}"
        return {language: f"{self.alias(language)}-{stamp}" for language in LANGUAGES}

    def search_aliases(self, language: str) -> list[str]:
        """The indices of the languages a visitor searches (``searched_languages``)."""
        return [self.alias(code) for code in searched_languages(language)]

    # Index management -------------------------------------------------------------------------

    def ensure_indices(self) -> None:
        """Create any missing language index with its alias (a fresh engine, a first publish)."""
        with engine_errors("index check"):
            missing = [
                language
                for language in LANGUAGES
                if not self.engine.indices.exists_alias(name=self.alias(language))
            ]
            if not missing:
                return
            names = self.new_index_names()
            for language in missing:
                self.engine.indices.create(
                    index=names[language],
                    body={**index_body(language), "aliases": {self.alias(language): {}}},
                )

    def refresh(self) -> None:
        """Make recent writes searchable now (tests; normal writes become visible within 1s)."""
        with engine_errors("refresh"):
            self.engine.indices.refresh(
                index=",".join(self.alias(code) for code in LANGUAGES), ignore_unavailable=True
            )

    def rebuild(
        self, documents: Iterable[SearchDocument], total: int, stdout: TextIO = sys.stdout
    ) -> None:
        """Index every document into new indices, then swap the aliases to them in one step.

        Until the swap, searches (and signal-driven writes) use the old indices; if anything
        fails, the new indices are deleted and the old ones stay in service. ``total`` is for
        the progress bar: ``documents`` is usually a generator (rebuild_search_index builds
        each page's document once for both indexes).
        """
        stdout.write(f"OpenSearch index ({self.prefix}): {total} pages")
        with engine_errors("rebuild"):
            new = self.new_index_names()
            bodies = {language: index_body(language) for language in new}  # reads the glossary
            names = ",".join(new.values())
            try:
                # The indices are created while the first chunk of documents is built.
                with ThreadPoolExecutor(1, thread_name_prefix="create-indices") as creator:
                    created = creator.submit(self._create_indices, new, bodies)
                    self._load(documents, new, total, stdout, created)
                created.result()  # no documents: nothing waited for it
                self.engine.indices.put_settings(
                    index=names, body={"index": {"refresh_interval": None}}
                )
                # Making 100,000s of fresh documents searchable takes longer than a search may
                # (SEARCH_ENGINE_TIMEOUT): at 200,000 documents the 2 s default failed it.
                self.engine.indices.refresh(index=names, request_timeout=BULK_TIMEOUT)
                old = self._swap_aliases(new)
            except Exception:
                with suppress(OpenSearchException):
                    self.engine.indices.delete(index=names, ignore_unavailable=True)
                raise
            if old:
                self.engine.indices.delete(
                    index=",".join(old), ignore_unavailable=True, request_timeout=BULK_TIMEOUT
                )
        stdout.write(f"  aliases now on {', '.join(new.values())}")

    def _create_indices(self, names: dict[str, str], bodies: dict[str, dict[str, Any]]) -> None:
        for language, index in names.items():
            # Nobody searches the new indices before the swap: no periodic refreshes while
            # they fill (each one writes a segment the engine must later merge).
            settings = {**bodies[language]["settings"], "refresh_interval": "-1"}
            self.engine.indices.create(
                index=index,
                body={**bodies[language], "settings": settings},
                request_timeout=BULK_TIMEOUT,
            )

    def _load(
        self,
        documents: Iterable[SearchDocument],
        indices: dict[str, str],
        total: int,
        stdout: TextIO,
        created: Future[None],
    ) -> None:
        """Send the documents in chunks, building the next chunk while the engine indexes one.

        Why a sending thread (``BackgroundWriter``): building documents is Python's work and
        indexing them the engine's, on other cores; sent one after the other, each waited for
        the other (docs/benchmarks.md, "Rebuild"). Two chunks are indexed at once: the engine
        indexes one request's documents for a shard on one thread, so with one request in
        flight it used about one core ("Eighth round"). The documents are built here, in the
        caller's thread: building one reads the database, and the caller decides where the
        database index is written. Nothing is sent before the indices exist (``created``).
        """
        # Imported here: the command module imports the service, which imports this module.
        from search.management.commands.rebuild_search_index import progress

        actions = (
            index_action(document, indices[index_language(document.language)])
            for document in documents
        )
        done = 0
        with BackgroundWriter[int]("bulk", outstanding=3, threads=2) as sender:
            while chunk := list(islice(actions, BULK_CHUNK)):
                created.result()  # raises the creation's error, if any
                for indexed in sender.submit(self._send_chunk, chunk):
                    done += indexed
                    progress(done, max(total, done), stdout)
            done += sum(sender.finish())
        progress(done, done, stdout)

    def _send_chunk(self, actions: list[dict[str, Any]]) -> int:
        """One bulk request; any document the engine refuses fails the rebuild (BulkIndexError)."""
        indexed, _ = bulk(
            self.engine, actions, chunk_size=len(actions), request_timeout=BULK_TIMEOUT
        )
        return indexed

    def _swap_aliases(self, new: dict[str, str]) -> list[str]:
        """Point each alias at its new index in one atomic call; return the indices replaced."""
        actions: list[dict[str, Any]] = []
        old: list[str] = []
        for language, index in new.items():
            alias = self.alias(language)
            current: list[str] = []
            if self.engine.indices.exists_alias(name=alias):
                current = list(self.engine.indices.get_alias(name=alias))
            elif self.engine.indices.exists(index=alias):
                # A concrete index squatting on the alias name (a write to a missing alias
                # auto-created it): replace it.
                actions.append({"remove_index": {"index": alias}})
            actions += [{"remove": {"index": name, "alias": alias}} for name in current]
            actions.append({"add": {"index": index, "alias": alias}})
            old += current
        self.engine.indices.update_aliases(body={"actions": actions}, request_timeout=BULK_TIMEOUT)
        return old

    # Writing ----------------------------------------------------------------------------------

    def index_pages(self, pages: Iterable[KnowledgePage]) -> None:
        """Index the pages that are live and public; remove the others (e.g. moved to private)."""
        pages = list(pages)
        if not pages:
            return
        indexable = set(
            KnowledgePage.objects.filter(pk__in=[page.pk for page in pages])
            .live()
            .public()
            .values_list("pk", flat=True)
        )
        documents = [build_document(page) for page in pages if page.pk in indexable]
        self.ensure_indices()
        with engine_errors("indexing"):
            bulk(
                self.engine,
                (index_action(document, self.alias(document.language)) for document in documents),
                require_alias=True,  # never auto-create an unmapped index under the alias name
            )
        hidden = [page.pk for page in pages if page.pk not in indexable]
        if hidden:
            self.remove_pages(hidden)

    def remove_pages(self, page_ids: Iterable[int]) -> None:
        """Delete from both language indices: the caller no longer knows the page's language."""
        page_ids = list(page_ids)
        if not page_ids:
            return
        self.ensure_indices()
        with engine_errors("removal"):
            bulk(
                self.engine,
                (
                    {"_op_type": "delete", "_index": self.alias(language), "_id": str(page_id)}
                    for page_id in page_ids
                    for language in LANGUAGES
                ),
                ignore_status=(404,),
            )

    # Searching --------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        with translation.override(query.language):
            language_code = locale_codes()[active_locale_id()]
            response = self._search(query, query.text, language_code)
            took = response.get("took", 0)
            suggestion = None
            if query.text and not response["aggregations"]["text_matches"]["doc_count"]:
                spelling = self._request(query.language, spelling_body(query.text))
                took += spelling.get("took", 0)
                suggestion = corrected_text(query.text, spelling.get("suggest"))
                if suggestion:
                    response = self._search(query, suggestion, language_code)
                    took += response.get("took", 0)
            total = response["hits"]["total"]["value"]
            facets = build_facets(response["aggregations"], query.filters, total)
            hits = self._hits(response)
        return SearchResults(
            total=total,
            hits=hits,
            facets=facets,
            page=query.page,
            page_size=query.page_size,
            suggestion=suggestion,
            backend=self.name,
            engine_took_ms=float(took),
        )

    def _search(self, query: SearchQuery, text: str, language_code: str) -> dict[str, Any]:
        return self._request(query.language, search_body(query, text, language_code))

    def _request(self, language: str, body: dict[str, Any]) -> dict[str, Any]:
        """One search request to the indices a visitor of ``language`` searches."""
        with engine_errors("search"):
            response = self.engine.search(
                index=",".join(self.search_aliases(language)),
                body=body,
                ignore_unavailable=True,
            )
        if not response["_shards"]["total"]:
            raise BackendUnavailable("no search index yet: run manage.py rebuild_search_index")
        return response

    def _hits(self, response: dict[str, Any]) -> list[Hit]:
        """Pages for the engine's hits, in engine order, minus any no longer live."""
        raw = response["hits"]["hits"]
        pages = live_pages([int(hit["_id"]) for hit in raw])
        return [
            Hit(
                page=pages[page_id],
                score=float(hit.get("_score") or 0.0),
                highlight=snippet(hit.get("highlight", {})) or escape(pages[page_id].summary),
            )
            for hit in raw
            if (page_id := int(hit["_id"])) in pages
        ]

    def autocomplete(self, prefix: str, language: str, limit: int = 8) -> list[dict]:
        """Live titles with a word starting with the prefix (the last word may be partial)."""
        prefix = prefix.strip()
        if len(prefix) < 2 or limit < 1:
            return []
        limit = min(limit, AUTOCOMPLETE_MAX)
        with translation.override(language):
            language_code = locale_codes()[active_locale_id()]
            body = {
                "query": {
                    "bool": {
                        "must": [
                            {
                                "multi_match": {
                                    "query": prefix,
                                    "type": "bool_prefix",
                                    "operator": "and",
                                    "fields": [
                                        "title_suggest",
                                        "title_suggest._2gram",
                                        "title_suggest._3gram",
                                    ],
                                }
                            }
                        ],
                        "filter": [{"term": {"locale": language_code}}],
                    }
                },
                "sort": ["_score", {"title.raw": "asc"}],
                # A few spare in case some hits were unpublished since they were indexed.
                "size": limit + 5,
                "_source": False,
            }
            with engine_errors("autocomplete"):
                response = self.engine.search(
                    index=",".join(self.search_aliases(language)),
                    body=body,
                    ignore_unavailable=True,
                )
            ids = [int(hit["_id"]) for hit in response["hits"]["hits"]]
            pages = live_pages(ids)
            return [
                {"title": pages[page_id].title, "url": pages[page_id].url}
                for page_id in ids
                if page_id in pages
            ][:limit]


# Helpers ----------------------------------------------------------------------------------------


def index_language(language: str) -> str:
    """The index a page's language is stored in (any other locale goes with Swedish)."""
    return language if language in LANGUAGES else LANGUAGES[0]


def index_action(document: SearchDocument, index: str) -> dict[str, Any]:
    return {
        "_op_type": "index",
        "_index": index,
        "_id": str(document.page_id),
        "_source": document_source(document),
    }


def live_pages(page_ids: list[int]) -> dict[int, KnowledgePage]:
    """Live, public pages in the active language, by id (call inside translation.override)."""
    if not page_ids:
        return {}
    # No ORDER BY: the hits keep the engine's order, and compiling Page's default ordering
    # (the tree path) was a fifth of this query's Python time.
    return hit_pages(live_knowledge_pages()).order_by().in_bulk(page_ids)


def snippet(highlight: dict[str, list[str]]) -> str | None:
    """The first highlighted fragment, by field preference; already escaped by the engine."""
    for field in SNIPPET_PREFERENCE:
        fragments = highlight.get(field)
        if fragments:
            return fragments[0].replace("\n", " ")
    return None


def build_facets(aggregations: dict[str, Any], filters: Filters, total: int) -> list[Facet]:
    """Facets with the values and labels compute_facets gives, from the engine's key counts.

    An index built before the ``facets`` field cannot count facets until
    ``rebuild_search_index`` runs; until then the database answers (``BackendUnavailable``).
    """

    def counted(aggregation: dict[str, Any]) -> list[tuple[str, int]]:
        return [(bucket["key"], bucket["doc_count"]) for bucket in aggregation["values"]["buckets"]]

    apart = {
        dimension: counted(aggregations[dimension])
        for dimension in DIMENSIONS
        if dimension in aggregations
    }
    try:
        return facets_from_keys(counted(aggregations[FACETS]), apart, filters, total)
    except IncompleteFacetKeys as error:
        raise BackendUnavailable(
            f"the search index lacks facet keys ({error}): run manage.py rebuild_search_index"
        ) from error
