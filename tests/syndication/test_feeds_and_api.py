"""Feeds, sitemap and the read-only API answer with the live work, and only the live work."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(site_tree):
    live = factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo, title="Trygg hemgång i Eksjö", themes=[site_tree.transitions]
    )
    other_theme = factories.CaseStoryPageFactory(
        parent=site_tree.nassjo, title="Dialys hemma", themes=[site_tree.self_care]
    )
    draft = factories.CaseStoryPageFactory(
        parent=site_tree.nassjo, title="Utkast som inte syns", themes=[site_tree.transitions]
    )
    draft.unpublish()
    return {"live": live, "other": other_theme, "draft": draft}


def rss_titles(response) -> list[str]:
    root = ET.fromstring(response.content)
    return [item.findtext("title") for item in root.iter("item")]


def test_site_feed_lists_live_work(client, work):
    response = client.get("/sv/feeds/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    titles = rss_titles(response)
    assert "Trygg hemgång i Eksjö" in titles and "Dialys hemma" in titles
    assert "Utkast som inte syns" not in titles


def test_theme_feed_lists_only_that_theme(client, work):
    titles = rss_titles(client.get("/sv/feeds/themes/vardovergangar/rss/"))
    assert titles == ["Trygg hemgång i Eksjö"]


def test_atom_feed_and_unknown_theme(client, work):
    atom = client.get("/sv/feeds/atom/")
    assert atom.status_code == 200
    assert b"http://www.w3.org/2005/Atom" in atom.content
    assert client.get("/sv/feeds/themes/finns-inte/rss/").status_code == 404


def test_sitemap_lists_live_pages_only(client, work):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert work["live"].slug in body
    assert work["draft"].slug not in body


def test_pages_api_is_read_only_and_hides_drafts(client, work, django_user_model):
    response = client.get("/api/v2/pages/", {"type": "knowledge.CaseStoryPage"})
    assert response.status_code == 200
    titles = [item["title"] for item in response.json()["items"]]
    assert titles == ["Dialys hemma"]
    detail = client.get(f"/api/v2/pages/{work['live'].pk}/")
    assert detail.status_code == 200
    assert detail.json()["summary"] == work["live"].summary
    assert client.get(f"/api/v2/pages/{work['draft'].pk}/", follow=True).status_code == 404
    assert client.post("/api/v2/pages/", {"title": "x"}).status_code == 405
    assert client.delete(f"/api/v2/pages/{work['live'].pk}/").status_code == 405
