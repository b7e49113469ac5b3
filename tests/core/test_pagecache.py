"""The anonymous page cache: hits skip the database, content changes reach the next request,
editors and searches never get cached pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.core import pagecache
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(site_tree):
    return factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo,
        title="Trygg hemgång i Eksjö",
        themes=[site_tree.transitions],
    )


def test_second_anonymous_request_is_a_hit_without_queries(client, project):
    first = client.get(project.url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(project.url)
    assert second["X-Cache"] == "hit"
    assert len(queries) == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_head_is_served_from_the_cache_too(client, project):
    client.get(project.url)
    assert client.head(project.url)["X-Cache"] == "hit"


def test_query_strings_and_languages_are_keyed_apart(client, site_tree, project):
    listing = site_tree.listing.url
    all_work = client.get(listing)
    filtered = client.get(listing, {"theme": "egenvard"})
    assert filtered["X-Cache"] == "miss"
    assert filtered.content != all_work.content
    assert client.get(listing, {"theme": "egenvard"})["X-Cache"] == "hit"
    english = client.get(project.url.replace("/sv/", "/en/", 1))
    assert english.status_code in (200, 404)
    assert english.get("X-Cache") != "hit"


def test_publishing_a_change_is_seen_by_the_next_request(client, project):
    client.get(project.url)
    assert client.get(project.url)["X-Cache"] == "hit"
    project.title = "Säker hemgång i Eksjö"
    project.save_revision().publish()
    response = client.get(project.url)
    assert response["X-Cache"] == "miss"
    assert "Säker hemgång i Eksjö" in response.content.decode()


def test_a_new_page_reaches_the_cached_listing(client, site_tree, project):
    assert "Ny berättelse" not in client.get(site_tree.listing.url).content.decode()
    factories.CaseStoryPageFactory(
        parent=site_tree.eksjo, title="Ny berättelse", themes=[site_tree.transitions]
    )
    assert "Ny berättelse" in client.get(site_tree.listing.url).content.decode()


def test_unpublish_and_delete_reach_the_next_request(client, site_tree, project):
    url = project.url
    client.get(url)
    project.unpublish()
    assert client.get(url).status_code == 404
    client.get(site_tree.listing.url)
    project.delete()
    assert "Trygg hemgång i Eksjö" not in client.get(site_tree.listing.url).content.decode()


def test_taxonomy_edits_start_a_new_generation(client, site_tree, project):
    client.get(project.url)
    site_tree.transitions.name = "Vårdövergångar och hemgång"
    site_tree.transitions.save()
    response = client.get(project.url)
    assert response["X-Cache"] == "miss"
    assert "Vårdövergångar och hemgång" in response.content.decode()


def test_invalidation_reaches_other_workers_through_the_shared_generation(client, project):
    """Another process sees only the shared cache: the generation key is what tells it."""
    client.get(project.url)
    before = pagecache.current_generation()
    project.save_revision().publish()
    assert pagecache.current_generation() != before


def test_logged_in_editors_never_get_or_fill_cached_pages(client, admin_client, project):
    client.get(project.url)
    assert client.get(project.url)["X-Cache"] == "hit"
    response = admin_client.get(project.url)
    assert "X-Cache" not in response
    project.title = "Utkast som bara redaktören ser"
    project.save_revision()
    assert "X-Cache" not in admin_client.get(project.url)


def test_requests_with_a_csrf_or_messages_cookie_bypass_the_cache(client, project):
    client.get(project.url)
    client.cookies["csrftoken"] = "x" * 32
    assert "X-Cache" not in client.get(project.url)
    del client.cookies["csrftoken"]
    client.cookies["messages"] = "x"
    assert "X-Cache" not in client.get(project.url)


def test_search_results_are_never_cached(client, project):
    for _ in range(2):
        response = client.get("/sv/sok/", {"q": "hemgång"})
        assert response.status_code == 200
        assert "X-Cache" not in response
    for _ in range(2):
        assert "X-Cache" not in client.get("/sv/api/search/", {"q": "hemgång"})


def test_admin_and_posts_are_not_cached(admin_client, client, project):
    assert "X-Cache" not in admin_client.get("/admin/")
    assert "X-Cache" not in client.post(project.url)


def test_a_missing_generation_means_a_new_one_not_a_stale_page(client, project):
    client.get(project.url)
    pagecache._cache().delete(pagecache.GENERATION_KEY)
    assert client.get(project.url)["X-Cache"] == "miss"


def test_rendering_images_does_not_invalidate():
    from cms.media.models import EstherImage

    rendition_model = EstherImage.get_rendition_model()
    assert not pagecache._is_content(rendition_model)
    assert pagecache._is_content(EstherImage)
