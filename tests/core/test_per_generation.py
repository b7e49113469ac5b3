"""``per_generation``: what searches and menus keep between requests, and when they let go.

Most tests run inside a transaction (where nothing is kept, by design); the first tests here
run without a database, as a gunicorn worker's requests do (they are not atomic).
"""

from __future__ import annotations

import pytest
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
