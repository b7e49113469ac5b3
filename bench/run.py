"""One benchmark run: for each size, import the corpus once, then for each backend rebuild the
indexes and measure search, engine overhead and page views over HTTP against gunicorn.

Results go to ``build/bench/results/<size>-<backend>.json`` (one file per size and backend, so
sizes can be run at different times) and the report is rewritten from every file present.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

from bench import corpus, load, services
from bench.services import BUILD, PYTHON, ROOT

RESULTS = BUILD / "results"
# Words and phrases coaches search for: the demo's tags and glossary, Swedish and English.
QUERIES = (
    "hemgång",
    "läkemedel",
    "vårdövergång",
    "egenvård",
    "trygg hemgång",
    "fallprevention",
    "närstående",
    "psykisk hälsa",
    "samverkan",
    "esthercoach",
    "pdsa",
    "utskrivning",
    "hemsjukvård",
    "rehabilitering",
    "care transition",
    "äldre patienter",
)


def import_corpus(size: int, env: dict[str, str]) -> dict:
    """Import through ``manage.py import_content``, the demo's own path; once per database.

    One ``import_content`` per corpus file of pages (with the shared taxonomy, glossary and
    structure files, which the later parts find unchanged), each its own transaction. Why: 100k
    pages take hours at the import's few pages a second, longer than the machine may stay up,
    and a part that is cut off rolls back whole, so the import resumes at the first part not
    marked done in ``import-<size>-parts.json``. Each part's wall time, CPU time (the import
    process, not PostgreSQL) and the load average around it are kept, so a part that shared
    the cores with other work can be told apart.
    """
    marker = RESULTS / f"import-{size}.json"
    if marker.exists():
        return json.loads(marker.read_text())
    folder = corpus.write_corpus(size, BUILD / "corpus" / str(size))
    # Every size is imported with both searches on the database, whichever backend is measured
    # first, so import rates compare across sizes; the engines' indexes are rebuilt afterwards.
    env = {**env, "SEARCH_BACKEND": "database", "BENCH_STOCK_BACKEND": "database"}
    parts_file = RESULTS / f"import-{size}-parts.json"
    parts: dict[str, dict] = json.loads(parts_file.read_text()) if parts_file.exists() else {}
    shared = [str(folder / name) for name in (*corpus.COPIED_DEMO_FILES, corpus.STRUCTURE_FILE)]
    RESULTS.mkdir(parents=True, exist_ok=True)
    for part in corpus.page_files(folder):
        if part.name in parts:
            continue
        print(f"[{size}] importing {part.name} …", flush=True)
        parts[part.name] = _timed_import(env, [*shared, str(part)])
        parts_file.write_text(json.dumps(parts, indent=1))
    seconds = sum(part["seconds"] for part in parts.values())
    result = {
        "pages": size,
        "translations": len(range(0, size, corpus.TRANSLATE_EVERY)),
        "seconds": seconds,
        "pages_per_s": size / seconds,
        "parts": len(parts),
        "cpu_seconds": sum(part["cpu_seconds"] for part in parts.values()),
    }
    marker.write_text(json.dumps(result))
    return result


def _timed_import(env: dict[str, str], files: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    services.manage(env, "import_content", *files)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": seconds,
        "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "finished": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }


def rebuild(env: dict[str, str], which: str) -> dict:
    output = subprocess.run(
        [PYTHON, "-m", "bench.rebuild", which],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def page_urls(size: int) -> dict[str, str]:
    """A generated project page and a theme page; the static file WhiteNoise serves."""
    vocabulary = corpus.load_vocabulary()
    builder = corpus.CorpusBuilder(vocabulary)
    project = next(builder.page(i) for i in range(size) if builder.page(i)["type"] == "project")
    structure = json.loads((corpus.DEMO / corpus.STRUCTURE_FILE).read_text(encoding="utf-8"))
    section = next(page for page in structure["pages"] if page["key"] == project["parent"])
    manifest = json.loads((BUILD / "static" / "staticfiles.json").read_text())
    return {
        "project": f"/sv/{section['slug']}/{project['slug']}/",
        "theme": f"/sv/teman/{vocabulary.themes[0]}/",
        "static": f"/static/{manifest['paths']['core/css/site.css']}",
    }


def search_paths() -> dict[str, list[str]]:
    quoted = [quote(query) for query in QUERIES]
    return {
        "ours_html": [f"/sv/sok/?q={q}" for q in quoted],
        # The partners' view: English translations and the aliases of Swedish-only work.
        "ours_html_en": [f"/en/search/?q={q}" for q in quoted],
        "ours_json": [f"/sv/api/search/?q={q}" for q in quoted],
        "stock_html": [f"/bench/stock-search/?query={q}" for q in quoted],
        "stock_json": [f"/api/v2/pages/?search={q}" for q in quoted],
    }


def prepare(size: int, env: dict[str, str]) -> dict:
    """The size's database, migrated and with its corpus imported; returns the import figures."""
    services.ensure_database(size)
    services.manage(env, "migrate", "--verbosity", "0")  # an imported size may predate a change
    return import_corpus(size, env)


def run_one(size: int, backend: str, options) -> dict:
    env = services.site_env(size, backend)
    result: dict = {"size": size, "backend": backend, "import": prepare(size, env)}
    if not (BUILD / "static" / "staticfiles.json").exists():
        services.manage(env, "collectstatic", "--noinput")
    # The Swedish URLs (/sv/sok/) and texts come from the compiled catalogues, which are build
    # output: a checkout that has not run bin/setup has none.
    services.manage(env, "compile_translations")
    print(f"[{size} {backend}] rebuilding our index …", flush=True)
    result["rebuild_ours"] = rebuild(env, "ours")
    if backend == "opensearch" or not options.reuse_stock_index:
        print(f"[{size} {backend}] rebuilding Wagtail's index (stock) …", flush=True)
        result["rebuild_stock"] = rebuild(env, "stock")
    cache_dir = Path(env["PAGE_CACHE_DIR"])
    subprocess.run(["rm", "-rf", str(cache_dir)], check=True)
    with services.gunicorn(env, options.workers) as base:
        print(f"[{size} {backend}] search latency …", flush=True)
        measured = load.measure_side_by_side(base, search_paths(), options.rounds)
        result["search"] = {name: latency.summary() for name, latency in measured.items()}
        if options.page_views:
            print(f"[{size} {backend}] page views …", flush=True)
            result["views"] = measure_views(base, size, options)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{size}-{backend}.json").write_text(json.dumps(result, indent=1))
    if "views" in result:
        # Kept apart so a later run with --no-page-views does not drop them from the report.
        views = {"size": size, "backend": backend, "views": result["views"]}
        (RESULTS / f"views-{size}-{backend}.json").write_text(json.dumps(views, indent=1))
    return result


def measure_views(base: str, size: int, options) -> dict:
    urls = page_urls(size)
    views: dict = {"urls": urls}
    for name, path in urls.items():
        load.measure_latency(base, [path], rounds=1)  # fill the page cache
        views[name] = load.measure_throughput(base + path, options.seconds, options.connections)
    # The same pages rendered every time: a CSRF cookie makes the page cache step aside.
    for name in ("project", "theme"):
        views[f"{name}_uncached"] = load.measure_throughput(
            base + urls[name],
            options.seconds,
            options.connections,
            headers={"Cookie": "csrftoken=benchbenchbenchbenchbenchbench12"},
        )
    return views
