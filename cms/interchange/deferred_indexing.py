"""Index an import's objects once, at its end, instead of on every save.

Why: a page import saves each page three or four times (created, revision, published, its alias
in the other language). Every save re-indexed the page in Wagtail's search index (the admin's
search) and its reference index ("usage" of images and documents), and every publish in ours.
That was most of the import's time (docs/benchmarks.md, "Import"). Inside
:func:`deferred_indexing` saves only note what changed; when the block ends without an error,
Wagtail's search index gets the objects in one bulk call per model and batch, the reference
index once per object, and ours in batches when the transaction commits
(:func:`search.indexing.deferred`). If the block fails, the import's transaction rolls back and
there is nothing to index.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models.signals import post_save
from modelsearch import index
from modelsearch.backends import get_search_backends
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

from search import indexing

logger = logging.getLogger(__name__)
BATCH = 500


@contextmanager
def deferred_indexing() -> Iterator[None]:
    changed: dict[type, set] = defaultdict(set)

    def note(sender, instance, raw: bool = False, **kwargs) -> None:
        if not raw:
            changed[sender].add(instance.pk)

    searched = [
        model for model in index.get_indexed_models() if getattr(model, "search_auto_update", True)
    ]
    for model in searched:
        post_save.disconnect(post_save_signal_handler, sender=model)
    post_save.connect(note, weak=False, dispatch_uid="deferred-indexing")
    try:
        with disable_reference_index_auto_update(), indexing.deferred():
            yield
    finally:
        post_save.disconnect(dispatch_uid="deferred-indexing")
        for model in searched:
            post_save.connect(post_save_signal_handler, sender=model)
    _update_search_index({model: pks for model, pks in changed.items() if model in searched})
    _update_reference_index(changed)


def _update_search_index(changed: dict[type, set]) -> None:
    """What modelsearch's signal handler does per save, once per model and batch."""
    backends = list(get_search_backends(with_auto_update=True))
    for model, pks in changed.items():
        ordered = sorted(pks)
        for start in range(0, len(ordered), BATCH):
            batch = ordered[start : start + BATCH]
            # get_indexed_objects prefetches what the index reads (KnowledgePage's says why).
            objects = list(model.get_indexed_objects().filter(pk__in=batch))
            for backend in backends:
                try:
                    backend.add_bulk(model, objects)
                except Exception:
                    # As modelsearch's own handler: an engine's failure is logged and the import
                    # stands (``update_index`` repairs it); a database index's failure is the
                    # import's, since the transaction is broken anyway.
                    logger.exception("Wagtail's search index not updated for %s", model.__name__)
                    if not backend.catch_indexing_errors:
                        raise


def _update_reference_index(changed: dict[type, set]) -> None:
    """What Wagtail's signal handler does per save, once per object."""
    for model, pks in changed.items():
        if model in ReferenceIndex.tracked_models:
            for pk in sorted(pks):
                update_reference_index_task.enqueue(
                    model._meta.app_label, model._meta.model_name, str(pk)
                )
