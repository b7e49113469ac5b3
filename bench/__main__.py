"""``python -m bench``: run the benchmarks, write docs/benchmarks.md (README "Benchmarks")."""

from __future__ import annotations

import argparse

from bench import report, run, services


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated")
    parser.add_argument("--backends", default="database,opensearch", help="database,opensearch")
    parser.add_argument("--rounds", type=int, default=8, help="passes over the 16 queries")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per URL")
    parser.add_argument("--connections", type=int, default=6, help="wrk connections")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument(
        "--no-page-views", dest="page_views", action="store_false", help="skip the wrk runs"
    )
    parser.add_argument(
        "--rebuild-stock-database-index",
        dest="reuse_stock_index",
        action="store_false",
        help="also time Wagtail's update_index on the database backend (the import fills it)",
    )
    parser.add_argument("--report-only", action="store_true", help="rewrite the report only")
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="import the sizes' corpora (resuming an import cut off), measure nothing",
    )
    options = parser.parse_args()
    backends = [name.strip() for name in options.backends.split(",") if name.strip()]
    if options.import_only:
        services.start_services(engine=False)
        for size in (int(value) for value in options.sizes.split(",")):
            print(run.prepare(size, services.site_env(size, "database")))
        return
    if not options.report_only:
        services.start_services(engine="opensearch" in backends)
        for size in (int(value) for value in options.sizes.split(",")):
            for backend in backends:
                run.run_one(size, backend, options)
    print(report.write(report.load_results()))


if __name__ == "__main__":
    main()
