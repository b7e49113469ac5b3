"""The analysis is safe to call from several threads at once (gunicorn's gthread workers).

Regression: one shared snowballstemmer object per language garbled words, or raised IndexError
(a 500 on the search page), when two request threads stemmed at the same time; found by the
load test (loadtest/run) while searches were answered from the database.
"""

from __future__ import annotations

from search import analysis
from tests.concurrency import run_in_threads

WORDS = [
    "egenvårdsdialysen",
    "hemgångarna",
    "hjärtsviktsskolan",
    "läkemedelsgenomgångar",
    "organisational",
    "conditional",
    "medications",
    "relational",
    "a",
    "patientkontrakten",
]


# The stemming itself, not a memo in front of it (stem() may be lru_cached; a miss does this).
stem_uncached = getattr(analysis.stem, "__wrapped__", analysis.stem)


def test_stemming_from_many_threads_gives_the_single_threaded_answer():
    expected = {
        (word, language): stem_uncached(word, language)
        for word in WORDS
        for language in ("sv", "en")
    }
    errors: list[BaseException] = []
    wrong: list[tuple[str, str, str]] = []

    def work() -> None:
        try:
            for _ in range(300):
                for (word, language), stem in expected.items():
                    got = stem_uncached(word, language)
                    if got != stem:
                        wrong.append((word, language, got))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    run_in_threads(work, threads=6, switch=1e-6)  # as often as possible: races show at once
    assert not errors, errors[:3]
    assert not wrong, wrong[:5]
