"""How the engine's search time grows with the corpus, up to sizes the page import cannot reach.

``python -m bench.engine_scale --sizes 1000,10000,100000`` builds the same corpus as the main
benchmark (``bench/corpus.py``), turns each generated page straight into the search documents
the site would index for it (the Swedish page, and its English translation or English alias:
two documents per page, as on the site), loads them with the backend's own ``rebuild`` into an
index of their own on the benchmark's OpenSearch node, and times the site's own query body
(``OpenSearchBackend._search``: all words, the facet counts, highlights) for
the 16 benchmark queries.

Why this exists: importing pages through Wagtail runs at a few pages per second on the benchmark
machine (docs/benchmarks.md), so 100,000 pages through the import would take hours. This part
skips the pages, not the engine: it answers "does the engine's time grow with the corpus?" and
says nothing about the site around it (page loads, rendering), which does not depend on the
corpus size. Figures are the engine's own ``took`` and the round trip from Python.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import os
import statistics
import time

from bench import corpus, services
from bench.run import QUERIES, RESULTS

ROUNDS = 8


def documents(size: int):
    """The site's search documents for a corpus of ``size`` pages, without creating pages."""
    from search.documents import SearchDocument, html_to_text

    vocabulary = corpus.load_vocabulary()
    builder = corpus.CorpusBuilder(vocabulary)
    themes = {theme: theme.replace("-", " ") for theme in vocabulary.themes}
    for index in range(size):
        page, english = builder.build(index)
        for page_id, locale, source in (
            (index * 2 + 1, "sv", page),
            (index * 2 + 2, "en", english or page),  # its translation, or its alias
        ):
            language = "en" if source is english else "sv"
            yield SearchDocument(
                page_id=page_id,
                locale=locale,
                language=language,
                title=source["title"],
                summary=source["summary"],
                summary_en=page["summary_en"],
                body="\n".join(_texts(source, html_to_text)),
                themes=tuple(page["themes"]),
                theme_names=" ".join(themes[slug] for slug in page["themes"]),
                municipality=page["parent"],
                municipality_name=page["parent"],
                type=page["type"],
                status=page.get("status", ""),
                decisions=tuple(cycle["decision"] for cycle in page.get("pdsa_cycles", [])),
                tags=tuple(page["tags"]),
                date=datetime.date.fromisoformat(page["date"]),
                url_path=f"/{locale}/{page['parent']}/{source['slug']}/",
            )


def _texts(page: dict, html_to_text) -> list[str]:
    """Every text of a corpus page, as ``build_document`` collects a page's fields."""
    texts: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            if value and not value[:4].isdigit():  # dates and other codes are not text
                texts.append(html_to_text(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in ("type", "date", "start_date", "end_date", "decision", "kind"):
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for name in ("aim", "background", "what_matters_to_esther", "results", "lessons_learned",
                 "module", "what_changed", "outcome", "quote", "change_ideas", "pdsa_cycles",
                 "measures", "learning_goals", "body", "story"):  # fmt: skip
        walk(page.get(name))
    return texts


def measure(size: int, searches: bool = True) -> dict:
    from search.backends.opensearch import OpenSearchBackend
    from search.query import SearchQuery

    backend = OpenSearchBackend.from_settings()
    backend.prefix = f"scale{size}"
    marker = RESULTS / f"engine-scale-{size}-loaded.json"
    stamp = _index_stamp()
    loaded = json.loads(marker.read_text()) if marker.exists() else {}
    if loaded.get("index") == stamp:  # loaded by an earlier run: the index is kept on the node
        load_seconds = loaded["load_seconds"]
    else:
        started = time.perf_counter()
        backend.rebuild(documents(size), size * 2, stdout=io.StringIO())
        load_seconds = time.perf_counter() - started
        marker.write_text(json.dumps({"load_seconds": load_seconds, "index": stamp}))
    # Timed on one segment per index: while the engine still merges a fresh load's segments,
    # the same query's time moved by a third between runs.
    backend.engine.indices.forcemerge(
        index=",".join(backend.alias(code) for code in ("sv", "en")),
        max_num_segments=1,
        request_timeout=600,
    )
    if not searches:
        return {"size": size, "documents": size * 2, "load_seconds": load_seconds}
    took: list[float] = []
    round_trip: list[float] = []
    totals: list[int] = []
    queries = [SearchQuery(text=text, language="sv") for text in QUERIES]
    for round_number in range(ROUNDS + 1):
        for query in queries:
            started = time.perf_counter()
            response = backend._search(query, query.text, "sv")
            elapsed = (time.perf_counter() - started) * 1000
            if round_number:  # the first round warms the engine's caches
                took.append(float(response["took"]))
                round_trip.append(elapsed)
                totals.append(response["hits"]["total"]["value"])
    return {
        "size": size,
        "documents": size * 2,
        "load_seconds": load_seconds,
        "took_p50_ms": _pct(took, 50),
        "took_p95_ms": _pct(took, 95),
        "round_trip_p50_ms": _pct(round_trip, 50),
        "round_trip_p95_ms": _pct(round_trip, 95),
        "mean_total_hits": statistics.mean(totals),
    }


def _index_stamp() -> str:
    """The index settings and mappings the loaded index must have: a changed mapping (say, the
    highlighted fields' offsets) means loading again, or the figures would be of the old one."""
    from search.backends.opensearch import LANGUAGES, index_body

    bodies = {language: index_body(language) for language in LANGUAGES}
    return hashlib.sha256(json.dumps(bodies, sort_keys=True).encode()).hexdigest()[:16]


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engine_scale", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--load-only", action="store_true", help="load the indexes now, time the searches later"
    )
    options = parser.parse_args()
    services.start_services(engine=True)
    os.environ.update(services.site_env(1000, "opensearch"))

    import django

    django.setup()
    RESULTS.mkdir(parents=True, exist_ok=True)
    for size in (int(value) for value in options.sizes.split(",")):
        print(f"[engine-scale {size}] {size * 2} documents …", flush=True)
        result = measure(size, searches=not options.load_only)
        (RESULTS / f"engine-scale-{size}.json").write_text(json.dumps(result, indent=1))
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
