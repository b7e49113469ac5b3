"""Text analysis for the database backend, mirroring the search engine's analyzers.

Swedish: lower case (å, ä, ö kept as letters of their own), compound splitting against the
domain's word list (so "egenvårdsdialys" is found by "dialys"), Snowball stemming. English:
lower case, Snowball stemming. The same word list feeds the engine's ``dictionary_decompounder``
so both backends split the same compounds.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import snowballstemmer

TOKEN_RE = re.compile(r"[0-9a-zà-öø-ÿ]+", re.IGNORECASE)
MIN_TOKEN_LENGTH = 2
MIN_SUBWORD_LENGTH = 4

# Parts that long Swedish compounds in this domain are built from. Keep in sync with nothing:
# the search engine's decompounder reads this same list (search.analysis.COMPOUND_PARTS).
COMPOUND_PARTS = (
    "vård",
    "dialys",
    "egen",
    "övergång",
    "kontrakt",
    "patient",
    "hem",
    "gång",
    "omsorg",
    "sjukhus",
    "hälsa",
    "psykisk",
    "planering",
    "plan",
    "läkemedel",
    "genomgång",
    "utskrivning",
    "klar",
    "dagar",
    "coach",
    "café",
    "möte",
    "video",
    "digital",
    "kommun",
    "region",
    "barn",
    "ungdom",
    "psykiatri",
    "skola",
    "elev",
    "äldre",
    "hjälp",
    "medel",
    "tjänst",
    "sjuk",
    "sköterska",
    "läkare",
    "team",
    "kunskap",
    "styrning",
    "kompetens",
    "utbildning",
    "förbättring",
    "arbete",
    "samverkan",
    "samordnad",
    "trygg",
    "närstående",
    "anhörig",
    "boende",
    "korttid",
    "primär",
    "central",
    "akut",
    "mottagning",
    "rapport",
    "överrapportering",
    "återinläggning",
    "inläggning",
    "palliativ",
    "livs",
    "kvalitet",
    "mätning",
    "diabetes",
    "hjärt",
    "svikt",
    "njur",
    "fall",
    "risk",
    "nutrition",
    "rehab",
    "rehabilitering",
)
STOP_WORDS = {
    "sv": {
        "och",
        "i",
        "att",
        "det",
        "som",
        "en",
        "på",
        "är",
        "av",
        "för",
        "med",
        "till",
        "den",
        "har",
        "de",
        "inte",
        "om",
        "ett",
        "men",
        "var",
        "jag",
        "sig",
        "så",
        "vi",
        "kan",
        "hade",
        "från",
        "vid",
        "eller",
        "när",
        "efter",
        "hur",
        "vad",
    },
    "en": {
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "is",
        "are",
        "was",
        "by",
        "at",
        "as",
        "be",
        "it",
        "that",
        "this",
        "from",
        "how",
        "what",
    },
}
STEMMER_NAMES = {"sv": "swedish", "en": "english"}


_per_thread = threading.local()


def _stemmer(language: str):
    """One stemmer per thread and language.

    A snowballstemmer object keeps the word it is working on in itself, so one shared by
    gunicorn's request threads garbles words or raises IndexError when two stem at once (found by
    the load test; tests/search/test_analysis_threads.py).
    """
    stemmers = getattr(_per_thread, "stemmers", None)
    if stemmers is None:
        stemmers = _per_thread.stemmers = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(STEMMER_NAMES[language])
    return stemmers[language]


def words(text: str) -> list[str]:
    """Lower-cased word tokens; digits kept (years, counts), punctuation dropped."""
    return TOKEN_RE.findall(text.lower()) if text else []


def compound_parts(word: str) -> list[str]:
    """Known parts inside a longer word ("egenvårdsdialys" → egen, vård, dialys)."""
    if len(word) < MIN_SUBWORD_LENGTH * 2:
        return []
    return [part for part in COMPOUND_PARTS if part in word and part != word]


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """Memoised: a corpus repeats the same few thousand words, and stemming was most of the
    time a rebuild spent in Python (docs/benchmarks.md)."""
    return _stemmer(language).stemWord(word)


def analyse_word(word: str, language: str) -> set[str]:
    """All index terms for one word: its stem, and for Swedish the stems of its parts."""
    word = word.lower()
    if len(word) < MIN_TOKEN_LENGTH or word in STOP_WORDS[language]:
        return set()
    terms = {stem(word, language)}
    if language == "sv":
        terms.update(stem(part, "sv") for part in compound_parts(word))
    return terms


@lru_cache(maxsize=200_000)
def word_terms(word: str, language: str) -> tuple[str, ...]:
    """A word's index terms, in a fixed order (the indexer's ``analyse_word``). Memoised per
    word: the compound-part scan costs more than the stemming it feeds."""
    return tuple(sorted(analyse_word(word, language)))
