"""Per-client rate limits on sign-in and search, counted in the shared "ratelimit" cache.

Why these endpoints: sign-in forms invite password guessing, and every search runs a query in the
engine or the database (the fallback is the expensive one), so a single client could slow the
site for everyone. Pages are not limited: they are cheap and served from the page cache.

Why this design:

* **Fixed windows per client address**, keyed ``<scope>:<address>:<window number>``. One
  ``add`` + ``incr`` per request, no lists of timestamps; a client can burst up to twice the limit
  across a window boundary, which is acceptable for abuse control (not for billing).
* **The "ratelimit" cache alias is file-based** in production (settings/base.py): all gunicorn
  workers on the host share it without a database round trip, and the limits keep working while
  PostgreSQL is down (the DatabaseCache would fail with the database). Its ``incr`` is a
  read-then-write, so counting holds a file lock (``_counting``). Several hosts behind a balancer
  need a shared cache with an atomic ``incr`` (Redis, Memcached).
* **Client address**: ``REMOTE_ADDR``, unless ``RATELIMIT_TRUSTED_PROXIES`` says how many proxies
  of ours append to ``X-Forwarded-For``; then the address that the outermost of them saw. Never
  the left-most entry, which the client writes itself.
* **A failing cache never blocks visitors**: the request is let through and the error logged
  (an outage of the limiter must not become an outage of the site).

Limits are ``"<requests>/<seconds>"`` strings: ``RATELIMIT_LOGIN`` (POSTs to the Wagtail and
Django admin sign-in forms) and ``RATELIMIT_SEARCH`` (search page, JSON search API, autocomplete).
"""

from __future__ import annotations

import fcntl
import logging
import math
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

CACHE_ALIAS = "ratelimit"
LOGIN_VIEWS = frozenset({"wagtailadmin_login", "admin:login"})
SEARCH_VIEWS = frozenset({"search:page"})
SEARCH_API_VIEWS = frozenset({"search_api:api", "search_api:autocomplete"})


@dataclass(frozen=True)
class Limit:
    requests: int
    seconds: int

    @classmethod
    def parse(cls, value: str) -> Limit:
        """``"10/300"`` → 10 requests per 300 seconds; a malformed value fails at start-up."""
        count, _, seconds = value.partition("/")
        limit = cls(int(count), int(seconds))
        if limit.requests < 1 or limit.seconds < 1:
            raise ValueError(f"rate limit must be <requests>/<seconds>, both positive: {value!r}")
        return limit


def client_address(request: HttpRequest) -> str:
    """The address to count against: see "Client address" in the module docstring."""
    proxies = settings.RATELIMIT_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


@contextmanager
def _counting(cache):
    """Serialise counting when the cache's own ``incr`` is a read-then-write.

    The file-based cache reads a counter and writes it back, so two workers counting at once
    lose one request (the load test's burst got 244 searches through a limit of 120 across two
    windows). An exclusive ``flock`` on a file next to the counters makes it exact for every
    process and thread on the host; backends whose ``incr`` is atomic need no lock.
    """
    if not isinstance(cache, FileBasedCache):
        yield
        return
    directory = Path(settings.CACHES[CACHE_ALIAS]["LOCATION"])
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "counters.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def hit(scope: str, address: str, limit: Limit, now: float | None = None) -> int | None:
    """Count one request; return the seconds until the window resets if it is over the limit."""
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    key = f"{scope}:{address}:{window}"
    try:
        cache = caches[CACHE_ALIAS]
        with _counting(cache):
            cache.add(key, 0, timeout=limit.seconds + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=limit.seconds + 1)
                count = 1
    except Exception:
        logger.exception("Rate-limit cache unavailable; letting %s through", scope)
        return None
    if count <= limit.requests:
        return None
    return max(1, math.ceil((window + 1) * limit.seconds - now))


def too_many_requests(retry_after: int, message: str, json: bool = False) -> HttpResponse:
    """429 with Retry-After: a page in the visitor's language, or JSON for the API's scripts."""
    if json:
        response = JsonResponse(
            {"error": "rate_limited", "message": message, "retry_after": retry_after}, status=429
        )
    else:
        response = HttpResponse(render_to_string("429.html", {"explanation": message}), status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Limits the views named above; runs in process_view, when the view is known by name."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.login = Limit.parse(settings.RATELIMIT_LOGIN)
        self.search = Limit.parse(settings.RATELIMIT_SEARCH)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in LOGIN_VIEWS and request.method == "POST":
            address = client_address(request)
            retry_after = hit("login", address, self.login)
            if retry_after:
                logger.warning("Sign-in rate limit reached for %s", address)
                return too_many_requests(
                    retry_after,
                    gettext(
                        "Too many sign-in attempts from your network. Wait a few minutes and "
                        "try again."
                    ),
                )
        elif name in SEARCH_VIEWS or name in SEARCH_API_VIEWS:
            retry_after = hit("search", client_address(request), self.search)
            if retry_after:
                return too_many_requests(
                    retry_after,
                    gettext(
                        "You have searched very often in a short time. Wait a moment and "
                        "search again."
                    ),
                    json=name in SEARCH_API_VIEWS,
                )
        return None
