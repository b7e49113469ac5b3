"""A full-page cache for anonymous visitors, invalidated by a shared "content generation".

Why this design:

* **What is cached.** Only anonymous GET/HEAD requests of pages Wagtail serves (``wagtail_serve``:
  home, sections, theme pages, listings, projects, training, stories), keyed by scheme, host,
  path (which carries the language prefix, ``/sv/`` or ``/en/``) and the full query string (the
  listings' filters and paging). Requests with a session, messages or CSRF cookie bypass the cache
  both ways, so editors (logged in, with a session) never see or fill it. A response is stored
  only if it is a 200 that sets no cookie, is not ``Cache-Control: private/no-store/no-cache``
  and varies on nothing but ``Cookie`` (a ``Vary: Accept-Language`` response depends on more than
  the URL). Search pages and the search API are Django views, not Wagtail pages, so they are never
  cached: each search is also counted for the analytics, which a cache would hide.
* **Invalidation across workers.** Gunicorn runs several processes; each must stop serving a page
  as soon as content changes anywhere. Deleting "every key that might show this page" is
  impossible to get right (a project appears on its section, theme pages, listings, related work
  and the home page). Instead every key includes a *generation* token stored in the same shared
  cache; any write to content (pages, their revisions being published, taxonomy, images,
  documents, site settings; see ``CONTENT_APPS``) replaces the token, which orphans every cached
  page at once, and orphans expire by themselves. A request reads the token *before* rendering,
  so a render that overlaps a change is stored under the old, dead token. The token is replaced
  when the change is saved (so the same transaction, e.g. a test, sees it) and again after the
  transaction commits (so a render between the save and the commit, which saw the old content,
  is orphaned too). A token that has been evicted counts as a new generation: losing it costs
  misses, never stale pages.
* **The "pages" cache alias must be shared by all workers** (file-based by default; Redis or the
  database for several hosts): a per-process cache would invalidate only the process that saved.
  ``PAGE_CACHE_SECONDS`` bounds what no signal reports (e.g. a date passing).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import cc_delim_re

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
GENERATION_KEY = "pagecache:generation"
BYPASS_COOKIES_SETTINGS = ("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME")
MESSAGES_COOKIE = "messages"
CACHEABLE_URL_NAMES = frozenset({"wagtail_serve"})
UNCACHEABLE_CACHE_CONTROL = ("private", "no-store", "no-cache")
ALLOWED_VARY = frozenset({"cookie"})
# Apps whose models show on public pages. Anything saved in them starts a new generation.
CONTENT_APPS = frozenset(
    {
        "wagtailcore",
        "wagtailimages",
        "wagtaildocs",
        "wagtailsettings",
        "core",
        "media",
        "taxonomy",
        "home",
        "knowledge",
        "browse",
        "syndication",
        "wagtailsearchpromotions",  # editors' picks, memoised by search (``per_generation``)
    }
)
# Models in those apps written while rendering or while editing drafts: no visible change.
IGNORED_MODELS = frozenset(
    {
        "wagtailcore.referenceindex",
        "wagtailcore.pagelogentry",
        "wagtailcore.modellogentry",
        "wagtailcore.revision",
        "wagtailcore.pagesubscription",
        "wagtailcore.comment",
        "wagtailcore.commentreply",
        "wagtailcore.workflowstate",
        "wagtailcore.taskstate",
        "wagtailcore.uploadedfile",
        "wagtailsearchpromotions.querydailyhits",
    }
)
# Headers the cache stores with a page; everything else is added per request by the middleware
# around this one (security headers, CSP) or belongs to the request that rendered it.
STORED_HEADERS = ("Content-Type", "Content-Language", "Vary", "Cache-Control", "Last-Modified")


class _ThreadState(threading.local):
    """Per thread: whether it changed content since it last read the generation, and the
    generation its current request has seen (``None`` outside a request and before the first
    read)."""

    changed_since_read = False
    in_request = False
    request_generation: str | None = None


_local = _ThreadState()


def _cache():
    return caches[CACHE_ALIAS]


def timeout() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 600)


def current_generation() -> str:
    """The shared token; a missing (never set or evicted) one is replaced by a new one.

    Read from the shared cache once per request: every memoised lookup asks for it, eleven
    times for a search page, and each read opens a file (docs/benchmarks.md, "Tenth round").
    A request sees one generation throughout, as the page cache already assumes (it reads the
    token before rendering); a change this thread makes replaces it (``new_generation``), and
    the next request reads the token again.
    """
    if _local.request_generation is not None and not _local.changed_since_read:
        return _local.request_generation
    _local.changed_since_read = False
    generation = _cache().get(GENERATION_KEY)
    if generation is None:
        generation = new_generation()
    if _local.in_request:
        _local.request_generation = generation
    return generation


T = TypeVar("T")
# Results kept per memoised function before its memo starts over: arguments that come from
# visitors (a search's terms) must not grow a worker's memory without bound.
MEMO_SIZE = 1024


def per_generation(function: Callable[..., T]) -> Callable[..., T]:
    """Keep ``function(*args)``'s results in this process until content next changes anywhere.

    Why: every search and listing asked the database for the themes, organisations, private
    sections, editors' picks and the menu, though they change only when an editor saves
    something, and each query is a round trip (docs/benchmarks.md, "OpenSearch overhead").
    The shared generation token already says when anything visible changed in any worker;
    reading it is one cache read. Arguments must be hashable; the result must depend only on
    them and the content (not on the request or the user). Nothing read inside a transaction
    is kept: it may see writes that are rolled back, which no new generation would report.
    """
    memo: dict[tuple, tuple[str, T]] = {}

    @wraps(function)
    def memoised(*args) -> T:
        generation = current_generation()
        # Each result carries its generation: a thread (runserver's) that computed it while
        # another saw a newer generation can never make an old result pass for a new one.
        stored = memo.get(args)
        if stored is not None and stored[0] == generation:
            return stored[1]
        value = function(*args)
        if not transaction.get_connection().in_atomic_block:
            if (stored is not None and stored[0] != generation) or len(memo) >= MEMO_SIZE:
                memo.clear()  # older generations' results, or a full memo: start over
            memo[args] = (generation, value)
        return value

    return memoised


def new_generation() -> str:
    """Orphan every cached page: a random token never comes back, unlike a counter that a lost
    update could repeat."""
    generation = secrets.token_hex(8)
    _cache().set(GENERATION_KEY, generation, timeout=None)
    if _local.in_request:
        _local.request_generation = generation
    return generation


def _bypass(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return True
    cookies = {getattr(settings, name) for name in BYPASS_COOKIES_SETTINGS} | {MESSAGES_COOKIE}
    return any(name in request.COOKIES for name in cookies)


def cache_key(request: HttpRequest, generation: str) -> str:
    scheme = "https" if request.is_secure() else "http"
    url = f"{scheme}://{request.get_host()}{request.path}?{request.META.get('QUERY_STRING', '')}"
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()
    return f"pagecache:{generation}:{digest}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    match = getattr(request, "resolver_match", None)
    if request.method != "GET" or match is None or match.url_name not in CACHEABLE_URL_NAMES:
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in UNCACHEABLE_CACHE_CONTROL):
        return False
    vary = {value.strip().lower() for value in cc_delim_re.split(response.get("Vary", ""))}
    return vary - {""} <= ALLOWED_VARY


def _freeze(response: HttpResponse) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(name, response[name]) for name in STORED_HEADERS if name in response]
    return response.status_code, headers, response.content


def _thaw(stored: tuple[int, list[tuple[str, str]], bytes]) -> HttpResponse:
    status, headers, content = stored
    return HttpResponse(content, status=status, headers=dict(headers))


class PageCacheMiddleware:
    """Serve and fill the page cache; it sits before sessions so a hit touches no database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _bypass(request):
            return self.get_response(request)
        generation = current_generation()
        key = cache_key(request, generation)
        stored = _cache().get(key)
        if stored is not None:
            response = _thaw(stored)
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _storable(request, response):
            _cache().set(key, _freeze(response), timeout())
            response["X-Cache"] = "miss"
        return response


# Invalidation ----------------------------------------------------------------------------------


def _is_content(sender: type) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in CONTENT_APPS:
        return False
    if meta.label_lower in IGNORED_MODELS:
        return False
    from wagtail.images.models import AbstractRendition

    # Renditions are created while a page renders; counting them would empty the cache on every
    # first view of an image size.
    return not issubclass(sender, AbstractRendition)


def content_changed(**_kwargs) -> None:
    """Start a new generation now and again once the surrounding transaction commits.

    An import saves thousands of objects in one transaction; one new generation now (until this
    thread next reads a page from the cache) and one at commit are enough, so the repeats are
    skipped rather than written to the shared cache each time.
    """
    try:
        if not _local.changed_since_read:
            new_generation()
            _local.changed_since_read = True
        _on_commit_once()
    except Exception:
        # A cache that cannot be written must not make the editor's save fail; the pages then
        # live at most PAGE_CACHE_SECONDS. Logged loudly, since that is an outage of invalidation.
        logger.exception("Page cache: could not start a new generation")


def _on_commit_once() -> None:
    """Register one ``new_generation`` per transaction. The position of our hook in the
    connection's on-commit list is remembered; after a rollback (which drops the hook) that
    position no longer holds it, so the next change registers again."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        new_generation()
        return
    hooks = connection.run_on_commit
    position = getattr(_local, "hook_position", None)
    if (
        position is not None
        and position < len(hooks)
        and hooks[position][1] is new_generation
        and getattr(_local, "hook_list", None) is hooks
    ):
        return
    transaction.on_commit(new_generation)
    _local.hook_position = len(hooks) - 1
    _local.hook_list = hooks


def _on_model_change(sender, **kwargs) -> None:
    if _is_content(sender):
        content_changed()


def _on_m2m_change(sender, action: str, instance, **kwargs) -> None:
    if action.startswith("post_") and _is_content(type(instance)):
        content_changed()


def _request_started(**_kwargs) -> None:
    _local.in_request = True
    _local.request_generation = None


def _request_finished(**_kwargs) -> None:
    _local.in_request = False
    _local.request_generation = None


def connect_signals() -> None:
    """Called once from CoreConfig.ready(). ``post_save`` covers publish, unpublish and move (they
    save the page); ``post_page_move`` also covers the descendants whose paths a move rewrites
    with a queryset update, which sends no ``post_save``. The request signals bound the
    generation a request reads once (``current_generation``)."""
    from wagtail.signals import page_published, page_unpublished, post_page_move

    request_started.connect(_request_started, dispatch_uid="pagecache-request-started")
    request_finished.connect(_request_finished, dispatch_uid="pagecache-request-finished")

    post_save.connect(_on_model_change, dispatch_uid="pagecache-save")
    post_delete.connect(_on_model_change, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="pagecache-m2m")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(content_changed, dispatch_uid=f"pagecache-{id(signal)}")
