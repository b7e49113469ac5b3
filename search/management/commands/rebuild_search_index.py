"""Rebuild the search indexes from the live pages, with progress output."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.utils import timezone

from search.backends.base import BackendUnavailable
from search.backends.database import DatabaseBackend
from search.documents import build_document
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
        self.stdout.write(f"Database index: {total} pages")
        database.clear()
        batch = []
        for done, page in enumerate(pages.iterator(chunk_size=BATCH), start=1):
            batch.append(build_document(page))
            if len(batch) == BATCH or done == total:
                database.add_documents(batch)
                batch = []
                progress(done, total, self.stdout)
        engine = configured_backend()
        if engine.name != database.name:
            started = timezone.now()
            try:
                engine.rebuild(pages, stdout=self.stdout)
                # What was live when the rebuild began is in the new index now.
                PendingIndexChange.objects.filter(queued_at__lt=started).delete()
            except BackendUnavailable as error:
                raise CommandError(
                    f"The database index is rebuilt, but the search engine's is not: {error}"
                ) from error
        self.stdout.write(self.style.SUCCESS("Search index rebuilt."))
