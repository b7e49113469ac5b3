"""Keep the search indexes current as pages are published, unpublished, moved or deleted.

The database index is always maintained (it is the fallback when the engine is down); the engine
index is maintained too when it is the configured backend. An engine that cannot be reached
during a publish does not block the editor: the change is logged and picked up by the next
``rebuild_search_index`` or ``sync_search_index`` run.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.knowledge.models import KnowledgePage
from search.backends.base import BackendUnavailable

logger = logging.getLogger(__name__)


def _backends():
    from search.service import configured_backend, database_backend

    backends = [database_backend()]
    configured = configured_backend()
    if configured.name != backends[0].name:
        backends.append(configured)
    return backends


def index_page(page: KnowledgePage) -> None:
    for backend in _backends():
        try:
            backend.index_pages([page])
        except BackendUnavailable as error:
            logger.warning("Could not index page %s in %s: %s", page.pk, backend.name, error)


def remove_page(page_id: int) -> None:
    for backend in _backends():
        try:
            backend.remove_pages([page_id])
        except BackendUnavailable as error:
            logger.warning("Could not remove page %s from %s: %s", page_id, backend.name, error)


def _on_published(sender, instance, **kwargs) -> None:
    if isinstance(instance, KnowledgePage):
        page = instance
        transaction.on_commit(lambda: index_page(KnowledgePage.objects.get(pk=page.pk)))


def _on_unpublished(sender, instance, **kwargs) -> None:
    if isinstance(instance, KnowledgePage):
        page_id = instance.pk
        transaction.on_commit(lambda: remove_page(page_id))


def _on_moved(sender, instance, **kwargs) -> None:
    if isinstance(instance, KnowledgePage) and instance.live:
        page = instance
        transaction.on_commit(lambda: index_page(KnowledgePage.objects.get(pk=page.pk)))


def _on_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, KnowledgePage):
        remove_page(instance.pk)


def _on_glossary_changed(sender, **kwargs) -> None:
    from search import glossary

    glossary.forget()


def connect() -> None:
    """Called once from SearchConfig.ready()."""
    from search.models import GlossaryTerm

    post_save.connect(_on_glossary_changed, sender=GlossaryTerm, dispatch_uid="glossary-saved")
    post_delete.connect(_on_glossary_changed, sender=GlossaryTerm, dispatch_uid="glossary-deleted")
    page_published.connect(_on_published, dispatch_uid="search-index-published")
    page_unpublished.connect(_on_unpublished, dispatch_uid="search-index-unpublished")
    post_page_move.connect(_on_moved, dispatch_uid="search-index-moved")
    post_delete.connect(_on_deleted, dispatch_uid="search-index-deleted")
