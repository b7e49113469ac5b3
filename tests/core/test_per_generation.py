"""``per_generation``: what searches and menus keep between requests, and when they let go.

Most tests run inside a transaction (where nothing is kept, by design); the first tests here
run without a database, as a gunicorn worker's requests do (they are not atomic).
"""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import transaction

from cms.core import pagecache


def counting():
    calls: list[str] = []

    @pagecache.per_generation
    def value(key: str) -> int:
        calls.append(key)
        return len(calls)

    return value, calls


def test_results_are_kept_per_argument_until_content_changes():
    value, calls = counting()
    assert (value("sv"), value("sv"), value("en")) == (1, 1, 2)
    assert calls == ["sv", "en"]

    pagecache.content_changed()  # what any save of a page, theme or pick does

    assert value("sv") == 3
    assert calls == ["sv", "en", "sv"]


def test_a_lost_generation_token_counts_as_a_change():
    value, calls = counting()
    value("sv")
    pagecache._cache().clear()  # evicted, or the cache restarted
    value("sv")
    assert calls == ["sv", "sv"]


@pytest.mark.django_db
def test_nothing_read_inside_a_transaction_is_kept():
    """A transaction may roll back writes it saw; no new generation would report that."""
    value, calls = counting()
    with transaction.atomic():
        value("sv")
        value("sv")
    assert calls == ["sv", "sv"]


def test_the_memo_is_bounded(monkeypatch):
    """Arguments can come from visitors (a search's terms): a worker keeps at most MEMO_SIZE."""
    monkeypatch.setattr(pagecache, "MEMO_SIZE", 3)
    value, calls = counting()
    for key in ("a", "b", "c", "d"):
        value(key)
    value("d")  # kept: the memo started over with it
    value("a")  # dropped when the memo was full
    assert calls == ["a", "b", "c", "d", "a"]


@pytest.mark.django_db(transaction=True)  # outside a transaction, as a worker's requests are
def test_a_request_reads_the_generation_once_and_follows_its_own_changes():
    """Each memoised lookup asks for the generation; a request reads it from the shared cache
    once, keeps it while another worker changes content, and takes its own changes at once."""
    value, calls = counting()
    request_started.send(sender=None)
    try:
        value("sv")
        pagecache._cache().set(pagecache.GENERATION_KEY, "another-worker", timeout=None)
        value("sv")
        assert calls == ["sv"]  # the request goes on with the generation it saw

        pagecache.content_changed()  # this request saves a page
        value("sv")
        assert calls == ["sv", "sv"]
    finally:
        request_finished.send(sender=None)

    pagecache._cache().set(pagecache.GENERATION_KEY, "another-worker", timeout=None)
    value("sv")  # the next request (or none) sees the other worker's change
    assert calls == ["sv", "sv", "sv"]


@pytest.mark.django_db
def test_a_search_page_reads_the_shared_generation_once(client, site_tree, monkeypatch):
    """Every memoised lookup on a search page (menu, facets, picks…) used to read the shared
    cache; now the request reads it once."""
    cache = pagecache._cache()
    reads: list[str] = []
    real_get = cache.get

    def get(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", get)
    assert client.get("/sv/sok/", {"q": "dialys"}).status_code == 200
    assert reads.count(pagecache.GENERATION_KEY) == 1
