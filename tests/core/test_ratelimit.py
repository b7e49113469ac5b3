"""Sign-in and search are rate-limited per client address, over real HTTP through the middleware."""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import caches
from django.utils import translation

from cms.core import ratelimit
from cms.core.ratelimit import Limit, hit
from tests.concurrency import run_in_threads

LOGIN_MESSAGE = "Too many sign-in attempts from your network. Wait a few minutes and try again."
SEARCH_MESSAGE = "You have searched very often in a short time. Wait a moment and search again."


@pytest.fixture(autouse=True)
def fresh_counters():
    caches["ratelimit"].clear()


@pytest.fixture
def search_limit(settings, site_tree):
    # A fixed window: an hour, so a slow run's requests never straddle two windows (with one
    # minute, a loaded machine sometimes split them and the fourth request was let through).
    settings.RATELIMIT_SEARCH = "3/3600"


def swedish(msgid: str) -> str:
    with translation.override("sv"):
        return translation.gettext(msgid)


def test_search_page_over_the_limit_gets_a_friendly_429(client, search_limit):
    for _ in range(3):
        assert client.get("/sv/sok/", {"q": "dialys"}).status_code == 200
    response = client.get("/sv/sok/", {"q": "dialys"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    html = response.content.decode()
    assert swedish(SEARCH_MESSAGE) in html
    assert swedish(SEARCH_MESSAGE) != SEARCH_MESSAGE  # really translated
    assert swedish("Please slow down") in html


def test_search_api_and_autocomplete_share_the_limit_and_answer_json(client, search_limit):
    assert client.get("/sv/api/search/", {"q": "dialys"}).status_code == 200
    assert client.get("/sv/api/autocomplete/", {"q": "dia"}).status_code == 200
    assert client.get("/sv/sok/", {"q": "dialys"}).status_code == 200
    for url in ("/sv/api/search/", "/sv/api/autocomplete/"):
        response = client.get(url, {"q": "dia"})
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        payload = json.loads(response.content)
        assert payload["error"] == "rate_limited"
        assert payload["retry_after"] == int(response["Retry-After"])


def test_the_counter_is_per_client_address(client, search_limit):
    for _ in range(3):
        client.get("/sv/api/search/", {"q": "x"}, REMOTE_ADDR="10.0.0.1")
    assert client.get("/sv/api/search/", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get("/sv/api/search/", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(client, search_limit):
    for number in range(4):
        response = client.get("/sv/api/search/", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert response.status_code == 429  # a client cannot dodge the limit by inventing headers


def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(client, search_limit, settings):
    settings.RATELIMIT_TRUSTED_PROXIES = 1
    for _ in range(3):
        client.get("/sv/api/search/", HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.7")
    blocked = client.get("/sv/api/search/", HTTP_X_FORWARDED_FOR="other, 198.51.100.7")
    assert blocked.status_code == 429  # the client-written left-most entry does not count
    assert client.get("/sv/api/search/", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_the_window_resets(client, settings, site_tree):
    settings.RATELIMIT_SEARCH = "2/1"
    # Start at the beginning of a one-second window so the first three land in the same one.
    time.sleep(1 - time.time() % 1)
    assert client.get("/sv/api/search/").status_code == 200
    assert client.get("/sv/api/search/").status_code == 200
    blocked = client.get("/sv/api/search/")
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "1"
    time.sleep(1 - time.time() % 1 + 0.05)
    assert client.get("/sv/api/search/").status_code == 200


@pytest.mark.parametrize("url", ["/admin/login/", "/django-admin/login/"])
def test_sign_in_is_blocked_after_too_many_attempts(client, settings, django_user_model, url):
    settings.RATELIMIT_LOGIN = "3/300"
    django_user_model.objects.create_superuser("coach", "coach@example.se", "right-password")
    for _ in range(3):
        response = client.post(url, {"username": "coach", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    blocked = client.post(url, {"username": "coach", "password": "right-password"})
    assert blocked.status_code == 429
    assert 1 <= int(blocked["Retry-After"]) <= 300  # the end of the current window
    assert swedish(LOGIN_MESSAGE) in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    # Showing the form is not an attempt.
    assert client.get(url).status_code == 200


def test_sign_in_from_another_address_still_works(client, settings, django_user_model):
    settings.RATELIMIT_LOGIN = "1/300"
    django_user_model.objects.create_superuser("coach", "coach@example.se", "right-password")
    client.post("/admin/login/", {"username": "coach", "password": "wrong"})
    assert client.post("/admin/login/", {"username": "coach"}).status_code == 429
    response = client.post(
        "/admin/login/",
        {"username": "coach", "password": "right-password"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_broken_limiter_lets_visitors_through_and_says_so(
    client, settings, tmp_path, caplog, site_tree
):
    """The counter cache failing (here: its directory cannot be created) is not an outage."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "cms.core.filecache.RarelyCullingFileBasedCache",
            "LOCATION": str(blocker / "ratelimit"),
        },
    }
    settings.RATELIMIT_SEARCH = "1/3600"
    for _ in range(3):
        assert client.get("/sv/api/autocomplete/", {"q": "dia"}).status_code == 200
    assert "Rate-limit cache unavailable" in caplog.text


@pytest.fixture
def file_counters(settings, tmp_path, monkeypatch):
    """Production's file-based "ratelimit" cache, in a folder of the test's own, with the
    process's next sweep due at once (another test's clock must not postpone it)."""
    monkeypatch.setattr(ratelimit, "_next_sweep", 0.0)
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "cms.core.filecache.RarelyCullingFileBasedCache",
            "LOCATION": str(tmp_path / "ratelimit"),
        },
    }
    return tmp_path / "ratelimit"


def test_counting_from_many_threads_is_exact_with_the_file_cache(file_counters):
    """Production's file-based counters lose no request and count none twice when workers
    count at the same time: all 240 requests are let through, the 241st is not."""
    limit = Limit(requests=240, seconds=3600)
    now = 1_800_000_000.0  # one fixed window for the whole test
    refused: list[int] = []

    def count() -> None:
        for _ in range(40):
            if retry_after := hit("search", "192.0.2.1", limit, now=now):
                refused.append(retry_after)

    run_in_threads(count, threads=6, switch=1e-5)  # switch threads often, as busy workers would
    assert refused == []
    assert hit("search", "192.0.2.1", limit, now=now) == 3600
    assert hit("search", "192.0.2.2", limit, now=now) is None  # another client's own count


def test_file_counters_stop_growing_over_the_limit_and_are_swept_when_their_window_ends(
    file_counters,
):
    limit = Limit(requests=5, seconds=60)
    now = 1_800_000_000.0
    for _ in range(100):  # a flood
        hit("search", "192.0.2.1", limit, now=now)
    (counter,) = file_counters.iterdir()
    assert counter.stat().st_size == limit.requests + 1

    hit("search", "192.0.2.1", limit, now=now + 600)  # ten minutes on: a new window
    assert [path.stat().st_size for path in file_counters.iterdir()] == [1]

    caches["ratelimit"].clear()  # the cache's own clear() empties the counters too
    assert list(file_counters.iterdir()) == []
