"""A clear 503 page, not a 500, while the database cannot be reached.

During a database restart or failover every page fails the same way; visitors should learn that
it is temporary (and load balancers may retry), and nothing is lost. The page is rendered from a
template that needs neither the database nor a request.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


def database_unavailable_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database error raised outside a view is an outage too, so a 503.

    The middleware below only sees exceptions from views. A query can also fail in other
    middleware (Wagtail's redirect lookup on a 404), in the 404 page itself (its navigation), or
    while a session is saved; Django then calls this handler while that exception is being
    handled, so ``sys.exc_info()`` still names it. Found by the load test's database restart.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.error("Database unavailable for %s: %s", request.path, error)
        return database_unavailable_response()
    return defaults.server_error(request)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable for %s: %s", request.path, exception)
        return database_unavailable_response()
