"""On PostgreSQL a rebuild fills new tables beside the live index and swaps them in.

Searches meanwhile answer from the whole old index, a failed rebuild leaves it as it was, and
what editors publish, change or withdraw during a rebuild is in the index after it. The tests
run committed (``migration_data``), as a deployment does: a rebuild inside a transaction empties
and refills the live tables instead. SQLite has no such rebuild; it is skipped there.
"""

from __future__ import annotations

import io
import threading
import time
from collections import deque
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from search import service
from search.backends.database import DatabaseBackend
from search.backends.database_rebuild import LOCK_KEY, SUFFIX
from search.management.commands import rebuild_search_index
from search.models import SearchEntry
from search.query import SearchQuery
from tests import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the rebuild beside the live tables is PostgreSQL's"
)
TABLES = ("search_searchentry", "search_searchterm", "search_searchfacet", "search_searchword")


def titles_found(text: str) -> list[str]:
    results = service.search(SearchQuery(text=text, language="sv"))
    return sorted(hit.page.title for hit in results.hits)


def in_another_connection(work: Callable[[], object]) -> object:
    """Run ``work`` as another request would: its own thread, connection and commits."""
    result: list[object] = []

    def run() -> None:
        try:
            result.append(work())
        except Exception as error:  # handed back to the test
            result.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if isinstance(result[0], Exception):
        raise result[0]
    return result[0]


@pytest.fixture
def projects(migration_data, site_tree, monkeypatch):
    monkeypatch.setattr(rebuild_search_index, "BATCH", 3)  # several batches, several swaps' worth
    pages = [
        factories.ImprovementProjectPageFactory(
            parent=site_tree.eksjo, title=f"Trygg hemgång {number}", slug=f"trygg-hemgang-{number}"
        )
        for number in range(8)
    ]
    call_command("rebuild_search_index", stdout=io.StringIO())
    return pages


def after_first_batch(monkeypatch, action: Callable[[], None]) -> None:
    """Run ``action`` once, after the rebuild has written its first batch."""
    original = DatabaseBackend.add_documents
    calls: list[int] = []

    def add_documents(self, documents, tables=None):
        original(self, documents, tables)
        calls.append(len(documents))
        if len(calls) == 1 and tables is not None:
            action()

    monkeypatch.setattr(DatabaseBackend, "add_documents", add_documents)


def catalog() -> dict[str, list[tuple]]:
    """The index tables' indexes, constraints and id sequences, as PostgreSQL lists them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [list(TABLES)],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [list(TABLES)],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE 'search_search%%'"
            " ORDER BY 1"
        )
        sequences = cursor.fetchall()
    return {"indexes": indexes, "constraints": constraints, "sequences": sequences}


def leftover_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE %s", [f"%{SUFFIX}"])
        return [row[0] for row in cursor.fetchall()]


def test_searches_answer_from_the_whole_index_while_a_rebuild_runs(projects, monkeypatch):
    seen: list[list[str]] = []
    after_first_batch(
        monkeypatch, lambda: seen.append(in_another_connection(lambda: titles_found("hemgång")))
    )

    call_command("rebuild_search_index", stdout=io.StringIO())

    everything = sorted(page.title for page in projects)
    assert seen == [everything]  # mid-rebuild: the old index, whole
    assert titles_found("hemgång") == everything


def test_a_rebuild_that_fails_leaves_the_index_as_it_was(projects, monkeypatch):
    def refuse() -> None:
        raise RuntimeError("the disk is full")

    after_first_batch(monkeypatch, refuse)
    before = catalog()

    with pytest.raises(RuntimeError, match="disk is full"):
        call_command("rebuild_search_index", stdout=io.StringIO())

    assert titles_found("hemgång") == sorted(page.title for page in projects)
    assert leftover_tables() == []
    assert catalog() == before


def test_what_changes_during_a_rebuild_is_in_the_new_index(projects, site_tree, monkeypatch):
    withdrawn, edited = projects[0], projects[1]

    def editors_at_work() -> None:
        factories.ImprovementProjectPageFactory(
            parent=site_tree.eksjo, title="Trygg hemgång nyss publicerad", slug="nyss"
        )
        withdrawn.unpublish()
        edited.title = "Trygg hemgång med nytt namn"
        edited.save_revision().publish()

    after_first_batch(monkeypatch, lambda: in_another_connection(editors_at_work))

    call_command("rebuild_search_index", stdout=io.StringIO())

    expected = sorted(
        [page.title for page in projects[2:]]
        + ["Trygg hemgång med nytt namn", "Trygg hemgång nyss publicerad"]
    )
    assert titles_found("hemgång") == expected
    assert SearchEntry.objects.count() == len(expected)


def test_the_new_tables_take_the_live_ones_names_and_keep_working(projects, site_tree):
    before = catalog()

    call_command("rebuild_search_index", stdout=io.StringIO())

    assert catalog() == before  # same index, constraint and sequence names, all validated
    assert leftover_tables() == []
    # New entries after the swap take ids from the renamed sequence, past the rebuilt rows.
    later = factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo, title="Trygg hemgång efteråt", slug="efterat"
    )
    later.save_revision().publish()  # indexed when it commits, as an editor's publish is
    assert "Trygg hemgång efteråt" in titles_found("hemgång")
    call_command("rebuild_search_index", stdout=io.StringIO())  # and again
    assert len(titles_found("hemgång")) == 9


def test_a_second_rebuild_at_the_same_time_is_refused(projects):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        with pytest.raises(CommandError, match="another rebuild"):
            call_command("rebuild_search_index", stdout=io.StringIO())
    finally:
        other.close()
    assert titles_found("hemgång") == sorted(page.title for page in projects)


def test_nothing_changed_meanwhile_means_nothing_reindexed_at_the_swap(projects, monkeypatch):
    """The swap holds a lock that makes searches wait: it re-indexes only what changed."""
    reindexed: list[int] = []
    original = DatabaseBackend.index_pages

    def index_pages(self, pages):
        pages = list(pages)
        reindexed.extend(page.pk for page in pages)
        original(self, pages)

    monkeypatch.setattr(DatabaseBackend, "index_pages", index_pages)
    call_command("rebuild_search_index", stdout=io.StringIO())  # right after the fixture's

    assert reindexed == []
    assert titles_found("hemgång") == sorted(page.title for page in projects)


def new_tables_indexed() -> bool:
    """Whether each new table has as many indexes as its live one has without foreign keys."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, count(*) FROM pg_indexes WHERE tablename = ANY(%s) GROUP BY 1",
            [[*TABLES, *(f"{table}{SUFFIX}" for table in TABLES)]],
        )
        counts = dict(cursor.fetchall())
    return all(counts.get(f"{table}{SUFFIX}", 0) == counts.get(table, 0) for table in TABLES)


def test_the_new_tables_indexes_are_built_while_the_engine_finishes(projects, monkeypatch):
    """With an engine, the documents run out while its last chunks are indexed and its new
    indices refreshed and swapped in; PostgreSQL builds the new tables' indexes meanwhile."""

    class EngineStillIndexing:
        name = "engine"
        saw_the_tables_indexed = False

        def rebuild(self, documents, total, stdout):
            deque(documents, maxlen=0)
            deadline = time.monotonic() + 10
            while not self.saw_the_tables_indexed and time.monotonic() < deadline:
                self.saw_the_tables_indexed = new_tables_indexed()
                time.sleep(0.05)

    engine = EngineStillIndexing()
    monkeypatch.setattr(rebuild_search_index, "configured_backend", lambda: engine)

    call_command("rebuild_search_index", stdout=io.StringIO())

    assert engine.saw_the_tables_indexed
    assert leftover_tables() == []
    assert titles_found("hemgång") == sorted(page.title for page in projects)
