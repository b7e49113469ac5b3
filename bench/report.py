"""The figures table: printed, and written to docs/benchmarks.md between markers.

Only the generated part between ``<!-- bench:start -->`` and ``<!-- bench:end -->`` is replaced,
so the hand-written analysis around it (profiles, before/after, what was not measured) stays.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import machine
from bench.run import RESULTS

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _f(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.2f}×"


def load_results() -> list[dict]:
    results = [json.loads(path.read_text()) for path in sorted(RESULTS.glob("*-*.json"))]
    results = [r for r in results if "search" in r]
    return sorted(results, key=lambda r: (r["backend"], r["size"]))


def load_engine_scale() -> list[dict]:
    """``bench.engine_scale`` results (their "-loaded" markers hold no search figures)."""
    results = [json.loads(path.read_text()) for path in RESULTS.glob("engine-scale-*.json")]
    return sorted((r for r in results if "took_p95_ms" in r), key=lambda r: r["size"])


def load_views() -> list[dict]:
    views = [json.loads(path.read_text()) for path in sorted(RESULTS.glob("views-*.json"))]
    return sorted(views, key=lambda r: (r["backend"], r["size"]))


def render(results: list[dict], info: dict[str, str]) -> str:
    lines = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} RAM, Python "
        f"{info['python']}; load average when the report was written "
        f"{info['load_average_at_start']} (other work shares the machine). "
        f"Commit: `{info['commit']}`.",
        "",
        "### Search latency (one request at a time, the series in turns; 16 queries × rounds; ms)",
        "",
        "| backend | pages | ours HTML p50 / p95 | stock HTML p50 / p95 | p95 ratio | "
        "ours JSON p50 / p95 | stock JSON (API v2) p50 / p95 | p95 ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s = r["search"]
        oh, sh, oj, sj = s["ours_html"], s["stock_html"], s["ours_json"], s["stock_json"]
        lines.append(
            f"| {r['backend']} | {r['size']:,} | {_f(oh['p50_ms'])} / {_f(oh['p95_ms'])} | "
            f"{_f(sh['p50_ms'])} / {_f(sh['p95_ms'])} | {_ratio(oh['p95_ms'], sh['p95_ms'])} | "
            f"{_f(oj['p50_ms'])} / {_f(oj['p95_ms'])} | {_f(sj['p50_ms'])} / {_f(sj['p95_ms'])} "
            f"| {_ratio(oj['p95_ms'], sj['p95_ms'])} |"
        )
    english = [r for r in results if "ours_html_en" in r["search"]]
    if english:
        lines += [
            "",
            "### The search page for English visitors (`/en/search/`, the same queries; ms)",
            "",
            "English pages are a fifth translations and four fifths aliases of Swedish work. "
            "Stock search has no languages: its figures are the table's above.",
            "",
            "| backend | pages | ours HTML, English p50 / p95 | stock HTML p50 / p95 | p95 ratio |",
            "|---|---:|---:|---:|---:|",
        ]
        for r in english:
            oe, sh = r["search"]["ours_html_en"], r["search"]["stock_html"]
            lines.append(
                f"| {r['backend']} | {r['size']:,} | {_f(oe['p50_ms'])} / {_f(oe['p95_ms'])} | "
                f"{_f(sh['p50_ms'])} / {_f(sh['p95_ms'])} | {_ratio(oe['p95_ms'], sh['p95_ms'])} |"
            )
    engine = [r for r in results if r["backend"] == "opensearch"]
    if engine:
        lines += [
            "",
            "### OpenSearch: our end-to-end time over the engine's `took` (JSON API, ms)",
            "",
            "| pages | end-to-end p50 / p95 | overhead p50 / p95 "
            "| in the search service p50 / p95 |",
            "|---:|---:|---:|---:|",
        ]
        for r in engine:
            oj = r["search"]["ours_json"]
            lines.append(
                f"| {r['size']:,} | {_f(oj['p50_ms'])} / {_f(oj['p95_ms'])} | "
                f"{_f(oj['overhead_p50_ms'])} / {_f(oj['overhead_p95_ms'])} | "
                f"{_f(oj.get('service_overhead_p50_ms'))} / "
                f"{_f(oj.get('service_overhead_p95_ms'))} |"
            )
    viewed = load_views()
    if viewed:
        lines += [
            "",
            "### Page views (wrk, requests/s; cached = page cache on, anonymous)",
            "",
            "| backend | pages | static file | project cached | theme cached | "
            "project ratio | theme ratio | project uncached | theme uncached |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in viewed:
            v = r["views"]
            static = v["static"]["rps"]
            lines.append(
                f"| {r['backend']} | {r['size']:,} | {static:.0f} | {v['project']['rps']:.0f} | "
                f"{v['theme']['rps']:.0f} | {_ratio(v['project']['rps'], static)} | "
                f"{_ratio(v['theme']['rps'], static)} | {v['project_uncached']['rps']:.0f} | "
                f"{v['theme_uncached']['rps']:.0f} |"
            )
    lines += [
        "",
        "### Import and index rebuild",
        "",
        "| backend | pages | of them translated | import minutes | import pages/s | "
        "live pages indexed | our rebuild pages/s | our rebuild peak RSS MB | "
        "stock `update_index` pages/s | stock peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ours, stock = r["rebuild_ours"], r.get("rebuild_stock") or {}
        imported = r["import"]
        lines.append(
            f"| {r['backend']} | {r['size']:,} | {imported.get('translations', 0):,} | "
            f"{_f(imported['seconds'] / 60)} | {_f(imported['pages_per_s'])} | "
            f"{ours['pages']:,} | {_f(ours['pages_per_s'])} | {_f(ours['peak_rss_mb'], 0)} | "
            f"{_f(stock.get('pages_per_s'))} | {_f(stock.get('peak_rss_mb'), 0)} |"
        )
    lines += ["", "### Search p95 growth with corpus size (ours, HTML page)", ""]
    lines += ["| backend | pages | p95 ms | × the smallest size |", "|---|---:|---:|---:|"]
    for backend in sorted({r["backend"] for r in results}):
        rows = [r for r in results if r["backend"] == backend]
        base = rows[0]["search"]["ours_html"]["p95_ms"]
        for r in rows:
            p95 = r["search"]["ours_html"]["p95_ms"]
            lines.append(f"| {backend} | {r['size']:,} | {_f(p95)} | {_ratio(p95, base)} |")
    scale = load_engine_scale()
    if scale:
        lines += [
            "",
            "### OpenSearch alone: growth to 100,000 pages (`python -m bench.engine_scale`)",
            "",
            "The same corpus as search documents loaded straight into the engine (two per page: "
            "Swedish, and English translation or alias), the site's own query body; no pages, "
            "no HTTP, no rendering.",
            "",
            "| pages | documents | load s | engine `took` p50 / p95 ms | round trip p50 / p95 ms "
            "| mean hits | `took` p95 × the smallest |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        base = scale[0]["took_p95_ms"]
        for r in scale:
            lines.append(
                f"| {r['size']:,} | {r['documents']:,} | {_f(r['load_seconds'], 0)} | "
                f"{_f(r['took_p50_ms'])} / {_f(r['took_p95_ms'])} | "
                f"{_f(r['round_trip_p50_ms'])} / {_f(r['round_trip_p95_ms'])} | "
                f"{_f(r['mean_total_hits'], 0)} | {_ratio(r['took_p95_ms'], base)} |"
            )
    return "\n".join(lines) + "\n"


def write(results: list[dict]) -> str:
    table = render(results, machine.describe())
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{START}\n{table}{END}{tail}", encoding="utf-8")
    return table
