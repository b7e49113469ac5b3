"""Every page names its language and its alternates, and offers the other language."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_pages_declare_language_and_hreflang_alternates(client, site_tree):
    page = factories.CaseStoryPageFactory(parent=site_tree.eksjo, themes=[site_tree.transitions])
    html = client.get(page.url).content.decode()
    assert '<html lang="sv">' in html
    assert f'hreflang="sv" href="http://testserver{page.url}"' in html
    assert f'hreflang="en" href="http://testserver{page.url.replace("/sv/", "/en/", 1)}"' in html


def test_english_address_of_a_swedish_only_page_is_not_a_404(client, site_tree):
    page = factories.CaseStoryPageFactory(parent=site_tree.eksjo, themes=[site_tree.transitions])
    response = client.get(page.url.replace("/sv/", "/en/", 1))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert 'lang="sv"' in html  # the Swedish content is marked as Swedish
