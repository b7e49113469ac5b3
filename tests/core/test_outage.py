"""While the database is unreachable, visitors get a clear 503, never a 500."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.urls import path
from django.utils.translation import gettext

from cms.urls import urlpatterns as site_urlpatterns


def database_down(request):
    raise OperationalError("could not connect to server: Connection refused")


def broken(request):
    raise ValueError("a bug, not an outage")


urlpatterns = [
    path("database-down/", database_down),
    path("broken/", broken),
    *site_urlpatterns,
]


@pytest.fixture
def outage_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_database_outage_gives_a_503_page_with_retry_after(client, outage_urls):
    response = client.get("/database-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert gettext("The knowledge base is briefly unavailable") in html
    assert "Connection refused" not in html  # no internals shown


def test_other_errors_are_not_reported_as_outages(client, outage_urls):
    client.raise_request_exception = False
    assert client.get("/broken/").status_code == 500
