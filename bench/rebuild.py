"""Rebuild an index in this process and print its throughput and peak memory as JSON.

Run as ``python -m bench.rebuild ours|stock`` with the site's environment. Why a process of its
own: peak resident memory (``ru_maxrss``) is per process, so the figure is the rebuild's alone.
``ours`` is ``manage.py rebuild_search_index`` (the database index, plus the engine's when
``SEARCH_BACKEND=opensearch``); ``stock`` is Wagtail's ``update_index`` for the stock search.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time


def main(which: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from cms.knowledge.models import KnowledgePage

    pages = KnowledgePage.objects.live().public().count()
    command = "rebuild_search_index" if which == "ours" else "update_index"
    started = time.perf_counter()
    call_command(command, stdout=io.StringIO())
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "pages": pages,
        "seconds": seconds,
        "pages_per_s": pages / seconds,
        "peak_rss_mb": peak_mb,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
