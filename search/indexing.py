"""Keep the search indexes current as pages are published, unpublished, moved or deleted.

The database index is always maintained (it is the fallback when the engine is down); the engine
index is maintained too when it is the configured backend. An engine that cannot be reached
during a publish does not block the editor: the page is queued (``PendingIndexChange``) and
synced after the next successful engine write or search (``catch_up_soon``), by
``manage.py sync_search_index``, or by a rebuild.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.knowledge.models import KnowledgePage, TaggedKnowledgePage
from search import documents
from search.backends.base import BackendUnavailable
from search.models import PendingIndexChange

logger = logging.getLogger(__name__)
CATCH_UP_KEY = "search:catch-up"
CATCH_UP_BATCH = 100  # pages one visitor's search may wait for
BATCH = 500  # pages per bulk write (rebuild, deferred indexing)
_deferred = threading.local()


def indexable_pages():
    """Live public knowledge pages with the related rows every document needs, fetched once per
    batch rather than once per page (the rebuild's and the bulk paths' queryset).

    Themes and tags are prefetched into lists (``to_attr``) that ``build_document`` reads. Why:
    a prefetch into the relations' managers builds a queryset per page to hold the rows, and
    taggit's costs a query's worth of Python: a quarter of loading a batch (docs/benchmarks.md,
    "Eighth round").
    """
    return (
        KnowledgePage.objects.live()
        .public()
        .specific()
        .select_related("municipality", "locale", "alias_of", for_specific_subqueries=True)
        .prefetch_related(
            Prefetch("themes", to_attr=documents.PREFETCHED_THEMES),
            Prefetch(
                "tagged_items",
                queryset=TaggedKnowledgePage.objects.select_related("tag").order_by("pk"),
                to_attr=documents.PREFETCHED_TAGGINGS,
            ),
            for_specific_subqueries=True,
        )
        .order_by("pk")
    )


def _backends():
    from search.service import configured_backend, database_backend

    backends = [database_backend()]
    configured = configured_backend()
    if configured.name != backends[0].name:
        backends.append(configured)
    return backends


def _apply(page_ids: list[int], write) -> None:
    """Run ``write(backend)`` on every index; an engine that fails gets the pages queued."""
    for backend in _backends():
        try:
            write(backend)
        except BackendUnavailable as error:
            logger.warning(
                "Search index %s not updated for pages %s: %s", backend.name, page_ids, error
            )
            for page_id in page_ids:
                PendingIndexChange.objects.update_or_create(page_id=page_id)
        else:
            if backend.name != "database":
                sync_pending(backend)


def index_pages_by_id(page_ids: set[int]) -> None:
    """Index these pages in batches (those no longer live and public are left out)."""
    ordered = sorted(page_ids)
    for start in range(0, len(ordered), BATCH):
        ids = ordered[start : start + BATCH]
        live = list(indexable_pages().filter(pk__in=ids))
        _apply(ids, lambda backend, live=live, ids=ids: _write(backend, ids, live))


def _write(backend, page_ids: list[int], live: list[KnowledgePage]) -> None:
    """Index the live ones of ``page_ids``; remove the others (unpublished, made private)."""
    backend.index_pages(live)
    backend.remove_pages(set(page_ids) - {page.pk for page in live})


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the pages published, moved or aliased inside the block and index them once, in
    batches, when the transaction commits (a bulk import publishes thousands of pages)."""
    if getattr(_deferred, "page_ids", None) is not None:  # nested: the outer block indexes all
        yield
        return
    _deferred.page_ids = page_ids = set()
    try:
        yield
    finally:
        _deferred.page_ids = None
    if page_ids:
        transaction.on_commit(lambda: index_pages_by_id(page_ids))


def _index_on_commit(page: KnowledgePage) -> None:
    """Index the page once the transaction commits (or at the end of a ``deferred`` block); if
    it is gone or hidden by then, it is removed instead."""
    page_ids = getattr(_deferred, "page_ids", None)
    if page_ids is not None:
        page_ids.add(page.pk)
    else:
        page_id = page.pk
        transaction.on_commit(lambda: index_pages_by_id({page_id}))


def remove_page(page_id: int) -> None:
    _apply([page_id], lambda backend: backend.remove_pages([page_id]))


def sync_pending(backend=None, batch: int = 500, max_batches: int | None = None) -> int:
    """Bring the engine up to date with pages changed while it was unreachable.

    Runs after every successful engine write and from ``manage.py sync_search_index``; a
    visitor's search sends one batch (``max_batches``), not a whole backlog.
    Raises BackendUnavailable if the engine is still down (the queue is then kept).
    """
    if backend is None:
        from search.service import configured_backend

        backend = configured_backend()
    done = batches = 0
    while (max_batches is None or batches < max_batches) and (
        ids := list(PendingIndexChange.objects.values_list("page_id", flat=True)[:batch])
    ):
        batches += 1
        _write(backend, ids, list(indexable_pages().filter(pk__in=ids)))
        PendingIndexChange.objects.filter(page_id__in=ids).delete()
        done += len(ids)
    return done


def catch_up_soon(backend) -> int | None:
    """Send the queue to the engine after it answered a search; at most once per interval.

    Why here: pages published while the engine was down must reach it without an editor
    republishing, and a search the engine has just answered is the cheapest proof it is back.
    Why rate-limited: ``cache.add`` (atomic) lets one request per interval and per worker (the
    "default" cache is per process) look at the queue, so a busy site does not query the queue
    on every search, and a sync that fails is not retried by every following request.
    A backlog goes one batch per search until it is gone, so no visitor waits for all of it.
    Returns the pages sent, or None if it was not this request's turn or the engine failed again.
    ``manage.py sync_search_index`` from a timer covers a site nobody searches.
    """
    interval = settings.SEARCH_CATCH_UP_INTERVAL
    if interval <= 0 or not cache.add(CATCH_UP_KEY, True, timeout=interval):
        return None
    if not PendingIndexChange.objects.exists():
        return 0
    try:
        done = sync_pending(backend, batch=CATCH_UP_BATCH, max_batches=1)
    except BackendUnavailable as error:
        logger.warning("Search index catch-up failed, will retry: %s", error)
        return None
    if PendingIndexChange.objects.exists():
        cache.delete(CATCH_UP_KEY)  # a backlog: the next search sends the next batch
    logger.info("Search index caught up: %d queued page(s) sent to %s", done, backend.name)
    return done


def _on_published(sender, instance, **kwargs) -> None:
    if isinstance(instance, KnowledgePage):
        _index_on_commit(instance)


def _on_alias_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    """A new alias (the English page of an untranslated Swedish one, which wagtail-localize
    creates when the Swedish page is published or imported) is saved live but never
    "published": no other signal reports it. Updates of existing aliases are published."""
    if not raw and isinstance(instance, KnowledgePage) and instance.alias_of_id and instance.live:
        _index_on_commit(instance)


def _on_unpublished(sender, instance, **kwargs) -> None:
    if isinstance(instance, KnowledgePage):
        page_id = instance.pk
        transaction.on_commit(lambda: remove_page(page_id))


def _on_moved(sender, instance, **kwargs) -> None:
    if isinstance(instance, KnowledgePage) and instance.live:
        _index_on_commit(instance)


def _on_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, KnowledgePage):
        remove_page(instance.pk)


# What the search documents take from a page's themes and organisation (search.documents): text
# that is searched, and the slugs that are facet keys and filter values.
INDEXED_TAXONOMY_FIELDS = {"Theme": ("slug", "name", "name_en"), "Organisation": ("slug", "name")}


def _taxonomy_fields(instance) -> tuple[str, ...]:
    return INDEXED_TAXONOMY_FIELDS.get(type(instance).__name__, ())


def _reindex_pages_of(instance) -> None:
    """Index again, once the change commits, the pages that carry this theme or organisation."""
    page_ids = set(instance.pages.values_list("pk", flat=True))
    if page_ids:
        transaction.on_commit(lambda: index_pages_by_id(page_ids))


def _on_taxonomy_saving(sender, instance, raw: bool = False, **kwargs) -> None:
    fields = _taxonomy_fields(instance)
    if fields and not raw and instance.pk:
        instance._indexed_before = sender.objects.filter(pk=instance.pk).values(*fields).first()


def _on_taxonomy_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A renamed theme or organisation: its pages' documents hold the old name and slug."""
    before = getattr(instance, "_indexed_before", None)
    if raw or created or before is None:
        return
    if any(before[name] != getattr(instance, name) for name in _taxonomy_fields(instance)):
        _reindex_pages_of(instance)


def _on_theme_deleting(sender, instance, **kwargs) -> None:
    """Collected before the delete: afterwards no page says it had the theme."""
    _reindex_pages_of(instance)


def _on_glossary_changed(sender, **kwargs) -> None:
    from search import glossary

    glossary.forget()


def connect() -> None:
    """Called once from SearchConfig.ready()."""
    from cms.taxonomy.models import Organisation, Theme
    from search.models import GlossaryTerm

    post_save.connect(_on_glossary_changed, sender=GlossaryTerm, dispatch_uid="glossary-saved")
    post_delete.connect(_on_glossary_changed, sender=GlossaryTerm, dispatch_uid="glossary-deleted")
    for model in (Theme, Organisation):
        pre_save.connect(
            _on_taxonomy_saving, sender=model, dispatch_uid=f"search-{model.__name__}-saving"
        )
        post_save.connect(
            _on_taxonomy_saved, sender=model, dispatch_uid=f"search-{model.__name__}-saved"
        )
    pre_delete.connect(_on_theme_deleting, sender=Theme, dispatch_uid="search-theme-deleting")
    page_published.connect(_on_published, dispatch_uid="search-index-published")
    post_save.connect(_on_alias_saved, dispatch_uid="search-index-alias-saved")
    page_unpublished.connect(_on_unpublished, dispatch_uid="search-index-unpublished")
    post_page_move.connect(_on_moved, dispatch_uid="search-index-moved")
    post_delete.connect(_on_deleted, dispatch_uid="search-index-deleted")
