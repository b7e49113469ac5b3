"""A URLconf whose 404 handler has a bug (tests/core/test_outage_everywhere.py)."""

from cms.urls import urlpatterns  # noqa: F401


def broken_404(request, exception):
    raise ValueError("a bug in the 404 page, not an outage")


handler404 = broken_404
