"""Changes queued while the engine was down reach it by themselves once it answers again.

Against the real node (SEARCH_ENGINE_URL, port 9250 by default; never stopped here). The outage
is an engine URL nobody listens on, as the site sees a dead node: connection refused.
"""

from __future__ import annotations

import io
import os
import time

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from search import indexing, service
from search.backends import opensearch
from search.backends.opensearch import OpenSearchBackend
from search.indexing import CATCH_UP_KEY
from search.models import PendingIndexChange
from search.query import SearchQuery
from tests import factories

pytestmark = pytest.mark.search_engine

ENGINE_URL = os.environ.get("SEARCH_ENGINE_URL", "http://127.0.0.1:9250")
DEAD_ENGINE_URL = "http://127.0.0.1:1"


@pytest.fixture
def engine(settings, site_tree):
    """The engine as the configured backend, with an index of a one-story site."""
    settings.SEARCH_BACKEND = "opensearch"
    settings.SEARCH_ENGINE_URL = ENGINE_URL
    settings.SEARCH_INDEX_PREFIX = "esther-test-catch-up"
    service.configured_backend.cache_clear()
    backend = OpenSearchBackend.from_settings()
    try:
        backend.engine.info()
    except Exception as error:
        pytest.fail(f"No search engine at {ENGINE_URL} ({error}): scripts/search-engine start")
    cache.delete(CATCH_UP_KEY)
    story = factories.CaseStoryPageFactory(
        parent=site_tree.eksjo, title="Esther kommer hem", slug="esther-kommer-hem"
    )
    call_command("rebuild_search_index", stdout=io.StringIO(), stderr=io.StringIO())
    backend.refresh()
    yield backend, story
    service.configured_backend.cache_clear()
    cache.delete(CATCH_UP_KEY)


def engine_down(settings) -> None:
    settings.SEARCH_ENGINE_URL = DEAD_ENGINE_URL
    service.configured_backend.cache_clear()


def engine_up(settings) -> None:
    settings.SEARCH_ENGINE_URL = ENGINE_URL
    service.configured_backend.cache_clear()


def publish_with_word(story, word: str, on_commit) -> None:
    """An editor's publish: a new revision, the page signals and their on-commit index updates."""
    story.summary = f"Esther berättar om {word}."
    with on_commit(execute=True):
        story.save_revision().publish()


def engine_total(backend: OpenSearchBackend, word: str) -> int:
    backend.refresh()
    return backend.search(SearchQuery(text=word)).total


def test_a_search_the_engine_answers_sends_the_queue(
    engine, settings, client, django_capture_on_commit_callbacks
):
    backend, story = engine
    engine_down(settings)
    publish_with_word(story, "zebrafink", django_capture_on_commit_callbacks)
    assert PendingIndexChange.objects.filter(page_id=story.pk).exists()

    engine_up(settings)
    assert engine_total(backend, "zebrafink") == 0  # the engine missed it

    response = client.get("/sv/api/search/", {"q": "esther"})  # any search, by anyone
    assert response.json()["backend"] == "opensearch"
    assert not PendingIndexChange.objects.exists()
    assert engine_total(backend, "zebrafink") == 1


def test_searches_answered_by_the_fallback_do_not_try(
    engine, settings, client, django_capture_on_commit_callbacks
):
    _, story = engine
    engine_down(settings)
    publish_with_word(story, "zebrafink", django_capture_on_commit_callbacks)
    response = client.get("/sv/api/search/", {"q": "zebrafink"})
    assert response.json()["fallback"] is True
    assert response.json()["total"] == 1  # the database index has it meanwhile
    assert cache.get(CATCH_UP_KEY) is None  # the next engine answer may still try at once
    assert PendingIndexChange.objects.exists()


def test_at_most_one_attempt_per_interval(
    engine, settings, client, django_capture_on_commit_callbacks
):
    backend, story = engine
    settings.SEARCH_CATCH_UP_INTERVAL = 1
    client.get("/sv/api/search/", {"q": "esther"})  # this worker's attempt for this second

    engine_down(settings)
    publish_with_word(story, "zebrafink", django_capture_on_commit_callbacks)
    engine_up(settings)
    client.get("/sv/api/search/", {"q": "esther"})
    assert PendingIndexChange.objects.exists()  # not this request's turn

    time.sleep(1.1)
    client.get("/sv/api/search/", {"q": "esther"})
    assert not PendingIndexChange.objects.exists()
    assert engine_total(backend, "zebrafink") == 1


def test_the_sync_command_sends_the_queue_too(engine, settings, django_capture_on_commit_callbacks):
    """For a timer (cron, systemd) on a site nobody searches for a while."""
    backend, story = engine
    settings.SEARCH_CATCH_UP_INTERVAL = 0  # automatic catch-up off: only the command sends
    engine_down(settings)
    publish_with_word(story, "zebrafink", django_capture_on_commit_callbacks)
    engine_up(settings)
    service.search(SearchQuery(text="esther"))
    assert PendingIndexChange.objects.exists()
    out = io.StringIO()
    call_command("sync_search_index", stdout=out)
    assert "1 page(s) synced" in out.getvalue()
    assert engine_total(backend, "zebrafink") == 1


def test_a_backlog_goes_one_batch_per_search(
    engine, settings, client, monkeypatch, site_tree, django_capture_on_commit_callbacks
):
    """No visitor waits for a whole backlog; the next search does not wait for the interval."""
    backend, story = engine
    monkeypatch.setattr(indexing, "CATCH_UP_BATCH", 1)
    other = factories.CaseStoryPageFactory(parent=site_tree.nassjo, title="Esther åker hem")
    engine_down(settings)
    publish_with_word(story, "zebrafink", django_capture_on_commit_callbacks)
    publish_with_word(other, "zebrafink", django_capture_on_commit_callbacks)
    assert PendingIndexChange.objects.count() == 2
    engine_up(settings)

    client.get("/sv/api/search/", {"q": "esther"})
    assert PendingIndexChange.objects.count() == 1
    client.get("/sv/api/search/", {"q": "esther"})
    assert not PendingIndexChange.objects.exists()
    assert engine_total(backend, "zebrafink") == 2


def test_a_rebuild_with_the_engine_down_still_completes_the_database_index(engine, settings):
    """The fallback index is rebuilt in the same pass as the engine's: an engine that fails
    must not leave it half-built."""
    _backend, story = engine
    service.database_backend().clear()
    engine_down(settings)
    with pytest.raises(CommandError, match="database index is rebuilt, but the search engine"):
        call_command("rebuild_search_index", stdout=io.StringIO())
    found = service.database_backend().search(SearchQuery(text="Esther kommer hem"))
    assert [hit.page.pk for hit in found.hits] == [story.pk]


def test_a_rebuild_the_engine_refuses_midway_keeps_the_old_index(engine, site_tree, monkeypatch):
    """Documents go in chunks while the next is built; a refused chunk stops the rebuild, the
    new indices are deleted, the old ones keep answering and the database index is complete."""
    backend, story = engine
    for number in range(6):
        factories.CaseStoryPageFactory(parent=site_tree.eksjo, title=f"Esther träffar {number}")
    old_indices = set(backend.engine.indices.get_alias(name=backend.alias("sv")))
    monkeypatch.setattr(opensearch, "BULK_CHUNK", 2)
    real_action = opensearch.index_action

    def refused_for_one_page(document, index):
        action = real_action(document, index)
        if document.title == "Esther träffar 3":
            action["_source"]["date"] = "not a date"  # the engine's date mapping refuses it
        return action

    monkeypatch.setattr(opensearch, "index_action", refused_for_one_page)
    with pytest.raises(CommandError, match="database index is rebuilt, but the search engine"):
        call_command("rebuild_search_index", stdout=io.StringIO())
    assert set(backend.engine.indices.get_alias(name=backend.alias("sv"))) == old_indices
    prefix = f"{backend.prefix}-*"
    assert set(backend.engine.indices.get(index=prefix)) == old_indices | set(
        backend.engine.indices.get_alias(name=backend.alias("en"))
    )
    backend.refresh()
    old_answer = backend.search(SearchQuery(text="Esther kommer hem"))  # the old index answers
    assert [hit.page.pk for hit in old_answer.hits] == [story.pk]
    found = service.database_backend().search(SearchQuery(text="Esther träffar"))
    assert found.total == 6


def test_an_index_the_engine_refuses_to_create_leaves_the_old_ones(engine, monkeypatch):
    """The new indices are created while the first documents are built: when the second is
    refused, the first is deleted and the old ones keep answering."""
    backend, story = engine
    old_indices = set(backend.engine.indices.get(index=f"{backend.prefix}-*"))
    real_body = opensearch.index_body

    def refused_in_english(language):
        body = real_body(language)
        if language == "en":
            body["mappings"]["properties"]["title"]["analyzer"] = "no_such_analyzer"
        return body

    monkeypatch.setattr(opensearch, "index_body", refused_in_english)
    with pytest.raises(CommandError, match="database index is rebuilt, but the search engine"):
        call_command("rebuild_search_index", stdout=io.StringIO())
    assert set(backend.engine.indices.get(index=f"{backend.prefix}-*")) == old_indices
    found = backend.search(SearchQuery(text="Esther kommer hem"))
    assert [hit.page.pk for hit in found.hits] == [story.pk]
