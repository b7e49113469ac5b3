"""A rebuild of the database index fills new tables beside the live ones and swaps them in.

Why: a rebuild used to empty the index and refill it, so for its minutes the database backend
(a small site's search, and the engine's fallback) answered from part of the archive, and a
rebuild that failed midway left it so. On PostgreSQL the rebuild now writes four new tables;
searches read the old ones until the new ones are complete, and a failure drops the new ones
and leaves the old index as it was. The new tables get their indexes and constraints after the
load, built once instead of kept up for every row (docs/benchmarks.md, "Seventh round"), on a
thread of their own as soon as the last row is in: with an engine, its last chunks, refresh and
alias swap are still running then, and PostgreSQL builds meanwhile ("Ninth round").

Pages published, changed or withdrawn while the rebuild ran are indexed in the live tables as
usual; the swap re-indexes them in the new ones, under a lock that makes searches and index
writes wait for the few milliseconds it takes. The swapped-in tables carry the live ones'
names, and their indexes, constraints and sequences too, so migrations find what they expect.

SQLite, and a rebuild inside a transaction (a test's), empty and refill the live tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

from search.backends.database import LIVE_TABLES, DatabaseBackend, IndexTables, next_ids
from search.background import BackgroundWriter
from search.indexing import indexable_pages
from search.models import SearchEntry

SUFFIX = "_rebuilt"
# pg_advisory_lock's key: one rebuild at a time, since they would share the new tables' names.
LOCK_KEY = 0x657374686572  # "esther"


class RebuildRunning(Exception):
    """Another rebuild of the database index is running."""


@dataclass(frozen=True)
class Definition:
    """An index or constraint of a live table, as PostgreSQL states it, to build on a new table."""

    name: str
    body: str  # what follows the name: "PRIMARY KEY (id)", "USING btree (term, entry_id)"
    index: bool = False  # a plain index; otherwise a constraint
    unique: bool = False
    foreign: bool = False  # a foreign key: added once the rows are final

    def create(self, table: str, name: str) -> str:
        if self.index:
            unique = "UNIQUE " if self.unique else ""
            return f"CREATE {unique}INDEX {_quote(name)} ON {_quote(table)} {self.body}"
        return f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {self.body}"

    def rename(self, table: str, name: str) -> str:
        """Give the definition built as ``name`` on ``table`` its live name."""
        if self.index:
            return f"ALTER INDEX {_quote(name)} RENAME TO {_quote(self.name)}"
        renamed = f"RENAME CONSTRAINT {_quote(name)} TO {_quote(self.name)}"
        return f"ALTER TABLE {_quote(table)} {renamed}"


@dataclass
class NewIndex:
    """Where a rebuild writes, and the work that readies its new tables once they are loaded.

    ``tables`` is None where the rebuild writes the live tables, emptied first (SQLite, a
    rebuild inside a transaction); then there is nothing to ready.
    """

    tables: IndexTables | None
    definitions: dict[str, list[Definition]] = field(default_factory=dict)
    builder: BackgroundWriter[None] | None = None
    _started: bool = False

    def build_in_background(self) -> None:
        """Start building the new tables' indexes and statistics; call when every row is in."""
        if self.tables is None or self.builder is None or self._started:
            return
        self._started = True
        self.builder.submit(_ready, self.tables, self.definitions)

    def wait_until_built(self) -> None:
        """Build them (if nobody started to) and wait until they are."""
        self.build_in_background()
        if self.builder is not None:
            self.builder.finish()


@contextmanager
def rebuilt_index(database: DatabaseBackend) -> Iterator[NewIndex]:
    """The tables a rebuild writes to; leaving the block normally puts them in service."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        database.clear()
        yield NewIndex(tables=None)
        return
    with _exclusive(), BackgroundWriter[None]("index-tables") as builder:
        tables = IndexTables(*(f"{table}{SUFFIX}" for table in LIVE_TABLES))
        _drop(tables)  # left by a rebuild that was killed
        definitions = {live: _definitions(live) for live in LIVE_TABLES}
        try:
            for live, new in zip(LIVE_TABLES, tables, strict=True):
                _execute(
                    f"CREATE TABLE {_quote(new)} "
                    f"(LIKE {_quote(live)} INCLUDING DEFAULTS INCLUDING IDENTITY)"
                )
            # The words' key serves the load itself: a word already present is skipped.
            _build(tables.word, definitions[LIVE_TABLES.word])
            # Entries the live index gets from now on have higher ids: pages indexed meanwhile.
            (watermark,) = next_ids(LIVE_TABLES.entry, 1)
            index = NewIndex(tables, definitions, builder)
            yield index
            index.wait_until_built()
            _swap(database, tables, definitions, watermark)
        finally:
            # A build still running holds its table: the drop waits for it, then its next
            # statement fails on the builder's thread, where nobody waits for it any more.
            _drop(tables)


def _ready(tables: IndexTables, definitions: dict[str, list[Definition]]) -> None:
    """The loaded tables' indexes and constraints (but the foreign keys), and statistics."""
    for live, new in zip(LIVE_TABLES, tables, strict=True):
        if live != LIVE_TABLES.word:
            _build(new, definitions[live])
        _execute(f"ANALYZE {_quote(new)}")


@contextmanager
def _exclusive() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise RebuildRunning("another rebuild of the search index is running")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _definitions(table: str) -> list[Definition]:
    """The table's constraints, then its other indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype = 'f' FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY conname",
            [table],
        )
        constraints = [
            Definition(name, body, foreign=foreign) for name, body, foreign in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT i.relname, x.indisunique, pg_get_indexdef(x.indexrelid) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY i.relname",
            [table],
        )
        indexes = [
            Definition(name, statement[statement.index(" USING ") + 1 :], index=True, unique=unique)
            for name, unique, statement in cursor.fetchall()
        ]
    return constraints + indexes


def _built_with_the_rows(definitions: list[Definition]) -> list[Definition]:
    return [definition for definition in definitions if not definition.foreign]


def _temporary_name(table: str, position: int) -> str:
    return f"{table[:50]}_{position}"


def _build(table: str, definitions: list[Definition]) -> None:
    for position, definition in enumerate(_built_with_the_rows(definitions)):
        _execute(definition.create(table, _temporary_name(table, position)))


def _swap(
    database: DatabaseBackend,
    tables: IndexTables,
    definitions: dict[str, list[Definition]],
    watermark: int,
) -> None:
    with transaction.atomic():
        _execute(f"LOCK TABLE {', '.join(map(_quote, LIVE_TABLES))} IN ACCESS EXCLUSIVE MODE")
        # Indexed in the live tables since the rebuild began: published or edited meanwhile.
        changed = set(
            SearchEntry.objects.filter(pk__gt=watermark).values_list("page_id", flat=True)
        )
        for live, new in zip(LIVE_TABLES, tables, strict=True):
            live_sequence, new_sequence = _sequence(live), _sequence(new)
            _execute(f"DROP TABLE {_quote(live)}")
            _execute(f"ALTER TABLE {_quote(new)} RENAME TO {_quote(live)}")
            if live_sequence and new_sequence:
                _execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {_unqualified(live_sequence)}")
            for position, definition in enumerate(_built_with_the_rows(definitions[live])):
                _execute(definition.rename(live, _temporary_name(new, position)))
        # The new tables carry the live names now: the backend writes to them.
        indexable = set(indexable_pages().values_list("pk", flat=True))
        indexed = set(SearchEntry.objects.values_list("page_id", flat=True))
        database.remove_pages(indexed - indexable)  # withdrawn or deleted meanwhile
        database.index_pages(indexable_pages().filter(pk__in=(indexable - indexed) | changed))
        foreign_keys = [
            (live, definition)
            for live in LIVE_TABLES
            for definition in definitions[live]
            if definition.foreign
        ]
        for live, definition in foreign_keys:
            _execute(f"{definition.create(live, definition.name)} NOT VALID")
    # Checked once the lock is released: checking reads every row, and searches need not wait.
    for live, definition in foreign_keys:
        _execute(f"ALTER TABLE {_quote(live)} VALIDATE CONSTRAINT {_quote(definition.name)}")


def _sequence(table: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, attname) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = 'id'",
            [table, table],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _unqualified(name: str) -> str:
    """``public.search_searchterm_id_seq`` → ``search_searchterm_id_seq`` (already quoted)."""
    return name.rsplit(".", 1)[-1]


def _drop(tables: IndexTables) -> None:
    _execute(f"DROP TABLE IF EXISTS {', '.join(map(_quote, tables))}")


def _execute(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
