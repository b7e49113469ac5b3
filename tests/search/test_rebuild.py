"""rebuild_search_index on the database backend, and the background writer it uses.

The rebuild writes each batch of the database index from a second connection while the next
batch is built (PostgreSQL, outside a transaction); these tests run it as a deployment does,
committed (``migration_data``: a transactional database), so on PostgreSQL that path is the
one tested.
"""

from __future__ import annotations

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection

from search import service
from search.background import BackgroundWriter
from search.management.commands import rebuild_search_index
from search.models import SearchEntry, SearchFacet, SearchTerm
from search.query import SearchQuery
from tests import factories


def test_writes_run_in_order_on_one_other_thread_with_at_most_two_outstanding():
    seen: list[tuple[int, str]] = []

    def write(number: int) -> int:
        time.sleep(0.01)
        seen.append((number, threading.current_thread().name))
        return number * 10

    results: list[int] = []
    with BackgroundWriter[int]("test-writer") as writer:
        for number in range(5):
            results += writer.submit(write, number)
            assert len(writer._pending) < 2  # the caller waited for the oldest
        results += writer.finish()
    assert results == [0, 10, 20, 30, 40]
    assert [number for number, _ in seen] == [0, 1, 2, 3, 4]
    assert {name for _, name in seen} != {threading.current_thread().name}
    assert all(name.startswith("test-writer") for _, name in seen)


def test_with_two_threads_two_writes_run_at_once_and_results_keep_their_order():
    both_running = threading.Barrier(2)  # each of the first two writes waits for the other
    threads: set[str] = set()

    def write(number: int) -> int:
        if number < 2:
            both_running.wait(timeout=5)
        else:
            time.sleep(0.01)
        threads.add(threading.current_thread().name)
        return number

    results: list[int] = []
    with BackgroundWriter[int]("pair", outstanding=3, threads=2) as writer:
        for number in range(6):
            results += writer.submit(write, number)
        results += writer.finish()
    assert results == [0, 1, 2, 3, 4, 5]
    assert len(threads) == 2


def test_a_failed_write_raises_in_the_caller_and_later_writes_are_dropped():
    done: list[int] = []
    release = threading.Event()

    def write(number: int) -> None:
        if number == 0:
            release.wait(5)
            raise ValueError("the database refused batch 0")
        done.append(number)

    with pytest.raises(ValueError, match="refused batch 0"), BackgroundWriter("w") as writer:
        writer.submit(write, 0)
        release.set()
        writer.submit(write, 1)  # two outstanding: waits for batch 0, which fails
        writer.submit(write, 2)
    assert 2 not in done


def test_leaving_the_block_normally_waits_for_every_write():
    done: list[int] = []

    def write(number: int) -> None:
        time.sleep(0.02)
        done.append(number)

    with BackgroundWriter("w", outstanding=3) as writer:
        for number in (1, 2, 3):  # the last is still queued at the end of the block
            writer.submit(write, number)
    assert done == [1, 2, 3]


def test_without_background_each_write_runs_at_once_in_the_caller():
    threads: list[str] = []
    with BackgroundWriter[int]("inline", background=False) as writer:
        assert writer.submit(lambda: threads.append(threading.current_thread().name) or 1) == [1]
        assert writer.finish() == []
    assert threads == [threading.current_thread().name]


def test_a_rebuild_indexes_every_live_page_once_across_batches(
    migration_data, site_tree, monkeypatch
):
    monkeypatch.setattr(rebuild_search_index, "BATCH", 3)  # several batches in flight
    titles = [f"Trygg hemgång {number}" for number in range(8)]
    for number, title in enumerate(titles):
        factories.ImprovementProjectPageFactory(
            parent=site_tree.eksjo, title=title, slug=f"trygg-hemgang-{number}"
        )
    factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo, title="Utkast om hemgång", slug="utkast", live=False
    )
    # A slug no form accepts, stored all the same: a facet key is copied in as it is.
    odd = factories.ThemeFactory(slug="tab\there\\and-a\nline")
    first = factories.ImprovementProjectPageFactory._meta.model.objects.get(slug="trygg-hemgang-0")
    first.themes.add(odd)
    first.save()
    # The second connection is used where it can see the committed pages: PostgreSQL here.
    assert rebuild_search_index.writes_in_background() is (connection.vendor == "postgresql")

    call_command("rebuild_search_index", stdout=io.StringIO())
    call_command("rebuild_search_index", stdout=io.StringIO())  # again: replaces, never adds

    assert SearchEntry.objects.count() == 8
    assert SearchEntry.objects.values("page").distinct().count() == 8
    assert SearchTerm.objects.filter(entry__page__title=titles[-1]).exists()
    assert SearchFacet.objects.filter(entry__page=first, key=f"theme:{odd.slug}").exists()
    assert SearchFacet.objects.filter(key="type:project").count() == 8
    results = service.search(SearchQuery(text="hemgång", language="sv"))
    assert sorted(hit.page.title for hit in results.hits) == sorted(titles)
