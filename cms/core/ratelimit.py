"""Per-client rate limits on sign-in and search, counted in the shared "ratelimit" cache.

Why these endpoints: sign-in forms invite password guessing, and every search runs a query in the
engine or the database (the fallback is the expensive one), so a single client could slow the
site for everyone. Pages are not limited: they are cheap and served from the page cache.

Why this design:

* **Fixed windows per client address**, keyed ``<scope>:<address>:<window number>``. One
  counter per key, counted up once per request, no lists of timestamps; a client can burst up
  to twice the limit across a window boundary, which is acceptable for abuse control (not for
  billing).
* **The "ratelimit" cache alias is file-based** in production (settings/base.py): all gunicorn
  workers on the host share it without a database round trip, and the limits keep working while
  PostgreSQL is down (the DatabaseCache would fail with the database). With a file-based alias
  the counters are files of their own in its folder, one byte appended per request
  (``_count_in_file``); any other backend counts with its ``add`` and ``incr``. Several hosts
  behind a balancer need a shared cache with an atomic ``incr`` (Redis, Memcached).
* **Client address**: ``REMOTE_ADDR``, unless ``RATELIMIT_TRUSTED_PROXIES`` says how many proxies
  of ours append to ``X-Forwarded-For``; then the address that the outermost of them saw. Never
  the left-most entry, which the client writes itself.
* **A failing cache never blocks visitors**: the request is let through and the error logged
  (an outage of the limiter must not become an outage of the site).

Limits are ``"<requests>/<seconds>"`` strings: ``RATELIMIT_LOGIN`` (POSTs to the Wagtail and
Django admin sign-in forms) and ``RATELIMIT_SEARCH`` (search page, JSON search API, autocomplete).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from collections.abc import Callable
from contextlib import suppress
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


def hit(scope: str, address: str, limit: Limit, now: float | None = None) -> int | None:
    """Count one request; return the seconds until the window resets if it is over the limit."""
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    window_end = (window + 1) * limit.seconds
    key = f"{scope}:{address}:{window}"
    try:
        cache = caches[CACHE_ALIAS]
        if isinstance(cache, FileBasedCache):
            directory = Path(settings.CACHES[CACHE_ALIAS]["LOCATION"])
            count = _count_in_file(directory, key, window_end, limit, now)
        else:
            count = _count_in_cache(cache, key, limit)
    except Exception:
        logger.exception("Rate-limit cache unavailable; letting %s through", scope)
        return None
    if count <= limit.requests:
        return None
    return max(1, math.ceil(window_end - now))


def _count_in_cache(cache, key: str, limit: Limit) -> int:
    """A cache with an atomic ``incr`` (Redis, Memcached, or the local one in tests)."""
    cache.add(key, 0, timeout=limit.seconds + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.seconds + 1)
        return 1


# Counter files share the cache's folder and suffix, so the cache's ``clear()`` and culling
# remove them too; the window's end leads their name, which no cache entry's (a digest) has.
COUNTER_NAME = "{window_end}-{digest}" + FileBasedCache.cache_suffix
SWEEP_EVERY_SECONDS = 60
_next_sweep = 0.0


def _count_in_file(directory: Path, key: str, window_end: int, limit: Limit, now: float) -> int:
    """Count a request in the key's own file: one byte appended, the file's length is the count.

    Why not the file-based cache's ``add`` and ``incr``: its ``incr`` reads the counter and writes
    it back (a temporary file renamed over it), which needed a lock shared by the workers (the
    load test's burst got twice the limit through without it), and the four file operations and
    the lock were the largest cost of the middleware on a search, 0.5–2 ms (docs/benchmarks.md,
    "Tenth round"). An ``O_APPEND`` write is placed at the end of the file atomically among all
    processes, and the file offset after it is exactly this request's number: exact without a
    lock. Once over the limit the file stops growing, so a flood costs no disk.
    """
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    path = directory / COUNTER_NAME.format(window_end=window_end, digest=digest)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    try:
        descriptor = os.open(path, flags, 0o600)
    except FileNotFoundError:  # the folder is made on first use, as the cache does
        directory.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, flags, 0o600)
    try:
        if os.fstat(descriptor).st_size > limit.requests:
            return limit.requests + 1
        os.write(descriptor, b".")
        count = os.lseek(descriptor, 0, os.SEEK_CUR)
    finally:
        os.close(descriptor)
    if now >= _next_sweep:
        _sweep(directory, now)
    return count


def _sweep(directory: Path, now: float) -> None:
    """Delete the counters of windows that have ended; each process looks once a minute."""
    global _next_sweep
    _next_sweep = now + SWEEP_EVERY_SECONDS
    suffix = FileBasedCache.cache_suffix
    with os.scandir(directory) as entries:
        for entry in entries:
            window_end, dash, _ = entry.name.partition("-")
            ended = dash and window_end.isdigit() and int(window_end) <= now
            if ended and entry.name.endswith(suffix):
                with suppress(FileNotFoundError):  # another worker swept it first
                    os.unlink(entry.path)


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
