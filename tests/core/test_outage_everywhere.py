"""A database outage gives a 503 wherever the failing query runs, not only inside views.

Queries fail the way psycopg fails while PostgreSQL restarts (OperationalError), through Django's
own query hook (``connection.execute_wrapper``), so the real middleware, error handlers, template
rendering and session code run. Regression: the load test's database restart (loadtest/run)
showed 500s for requests whose query ran outside a view: the 404 page's navigation and
Wagtail's redirect lookup for unknown URLs, and saving a session after the view.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection


def refuse(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def database_down(client):
    client.raise_request_exception = False  # look at the response, as a visitor would
    with connection.execute_wrapper(refuse):
        yield


@pytest.mark.parametrize(
    "url",
    [
        "/sv/",  # a Wagtail page: the query runs in the view
        "/sv/finns-inte/",  # Wagtail's 404: the query runs in the view
        "/favicon.ico",  # Django's 404: queries in the 404 page and the redirect lookup
        "/sv/sok/?q=dialys",  # search falls back to the database, which is down too
        "/sv/api/search/?q=dialys",
    ],
)
def test_every_kind_of_request_gets_a_503(client, site_tree, database_down, url):
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_a_session_that_cannot_be_saved_gets_a_503(client, site_tree, admin_user):
    client.force_login(admin_user)
    client.raise_request_exception = False
    with connection.execute_wrapper(refuse):
        # The login form with a session: the session and user lookups fail in middleware.
        response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 503


def test_other_errors_outside_views_stay_500s(client, site_tree, settings):
    """Only database errors become 503s: a bug in the 404 path is still reported as a 500."""
    client.raise_request_exception = False
    settings.ROOT_URLCONF = "tests.core.urls_broken_404"
    assert client.get("/nowhere/").status_code == 500
