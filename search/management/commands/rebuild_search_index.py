"""Rebuild the search indexes from the live pages, with progress output."""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterator
from contextlib import closing

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from search.backends.base import BackendUnavailable
from search.backends.database import DatabaseBackend
from search.backends.database_rebuild import NewIndex, RebuildRunning, rebuilt_index
from search.background import BackgroundWriter
from search.documents import SearchDocument, build_document
from search.indexing import BATCH, indexable_pages
from search.models import PendingIndexChange
from search.service import configured_backend


def progress(done: int, total: int, out=sys.stdout, width: int = 30) -> None:
    """A one-line progress bar, redrawn in place (``ending=""``: Django's wrapper adds newlines)."""
    filled = width * done // max(total, 1)
    line = f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
    if done == total:
        line += "\n"
    if isinstance(out, OutputWrapper):
        out.write(line, ending="")
    else:
        out.write(line)
    out.flush()


class Command(BaseCommand):
    help = "Rebuild the database search index (and the search engine's, if configured)."

    def handle(self, *args, **options):
        pages = indexable_pages()
        total = pages.count()
        database = DatabaseBackend()
        engine = configured_backend()
        with_engine = engine.name != database.name
        self.stdout.write(f"Database index: {total} pages")
        engine_error = None
        try:
            # Searches keep the old database index until the new one is complete (PostgreSQL).
            # The writer thread stops before the new tables are swapped in or dropped.
            with (
                rebuilt_index(database) as index,
                closing(
                    self.indexed_in_database(
                        pages, total, database, index, show_progress=not with_engine
                    )
                ) as documents,
            ):
                if not with_engine:
                    deque(documents, maxlen=0)
                else:
                    started = timezone.now()
                    try:
                        engine.rebuild(documents, total, stdout=self.stdout)
                        # What was live when the rebuild began is in the new index now.
                        PendingIndexChange.objects.filter(queued_at__lt=started).delete()
                    except BackendUnavailable as error:
                        deque(documents, maxlen=0)  # the fallback index is completed all the same
                        engine_error = error
        except RebuildRunning as error:
            raise CommandError(f"{error}; try again when it has finished") from error
        if engine_error is not None:
            raise CommandError(
                f"The database index is rebuilt, but the search engine's is not: {engine_error}"
            ) from engine_error
        self.stdout.write(self.style.SUCCESS("Search index rebuilt."))

    def indexed_in_database(
        self,
        pages: QuerySet,
        total: int,
        database: DatabaseBackend,
        index: NewIndex,
        show_progress: bool,
    ) -> Iterator[SearchDocument]:
        """Each page's document, added to the database index in batches as it is passed on.

        Why one pass: the engine's rebuild used to load and build every page again after the
        database's, and building a document is most of a rebuild's Python time
        (docs/benchmarks.md). The last batch is written when the pages run out, not at the
        count taken before, so a page unpublished meanwhile cannot hold back the batch. Once
        it is in, the new tables' indexes are built in the background while the caller (the
        engine's rebuild) finishes.
        """
        batch: list[SearchDocument] = []
        done = 0
        with BackgroundWriter[None]("database-index", background=writes_in_background()) as writer:
            for done, page in enumerate(pages.iterator(chunk_size=BATCH), start=1):
                document = build_document(page)
                batch.append(document)
                if len(batch) == BATCH:
                    writer.submit(database.add_documents, batch, index.tables)
                    batch = []
                    if show_progress:
                        progress(done, max(total, done), self.stdout)
                yield document
            if batch:
                writer.submit(database.add_documents, batch, index.tables)
        index.build_in_background()
        if show_progress:
            progress(done, done, self.stdout)


def writes_in_background() -> bool:
    """Whether the database index may be written from a second connection while pages load.

    PostgreSQL stores a batch (COPY, index upkeep, commit) in its own process, on the other
    core, while Python builds the next one: 2,000 pages 6.1 -> 5.2 s (docs/benchmarks.md). Not
    on SQLite, whose writer locks the database the page query is reading, nor inside a
    transaction (a test's), whose pages a second connection cannot see.
    """
    return connection.vendor == "postgresql" and not connection.in_atomic_block
