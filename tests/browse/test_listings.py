"""Listing, theme and section pages filter and count correctly, and survive bad input."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory, TestCase
from django.utils import translation

from cms.browse.models import KnowledgeListingPage
from cms.core.languages import content_language
from cms.knowledge.listing import build_listing
from cms.knowledge.models import CaseStoryPage
from tests import factories
from tests.search.contract import make_swedish_only

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(site_tree):
    """Five pages across two municipalities, two themes, three types and two years."""
    tree = site_tree
    return {
        "eksjo_project": factories.ImprovementProjectPageFactory(
            parent=tree.eksjo,
            title="Projekt Eksjö vårdövergång",
            themes=[tree.transitions],
            status="ongoing",
            date=datetime.date(2024, 5, 1),
        ),
        "eksjo_done": factories.ImprovementProjectPageFactory(
            parent=tree.eksjo,
            title="Projekt Eksjö egenvård",
            themes=[tree.self_care],
            status="completed",
            date=datetime.date(2023, 5, 1),
        ),
        "nassjo_project": factories.ImprovementProjectPageFactory(
            parent=tree.nassjo,
            title="Projekt Nässjö båda",
            themes=[tree.transitions, tree.self_care],
            status="ongoing",
            date=datetime.date(2024, 9, 1),
        ),
        "nassjo_story": factories.CaseStoryPageFactory(
            parent=tree.nassjo,
            title="Berättelse Nässjö",
            themes=[tree.transitions],
            date=datetime.date(2024, 1, 1),
        ),
        "eksjo_training": factories.TrainingMaterialPageFactory(
            parent=tree.eksjo,
            title="Utbildning Eksjö",
            themes=[tree.self_care],
            date=datetime.date(2023, 2, 1),
        ),
    }


def facet_count(html: str, name: str, value: str) -> int | None:
    """The count shown next to a facet checkbox, read from the rendered page."""
    match = re.search(
        rf'name="{name}" value="{re.escape(value)}"[^>]*>.*?\((\d+)\)', html, flags=re.S
    )
    return int(match.group(1)) if match else None


def titles(response) -> set[str]:
    return {page.title for page in response.context["listing"].results}


def test_all_work_listing_shows_everything_with_facet_counts(client, site_tree, work):
    response = client.get(site_tree.listing.url)
    assert response.status_code == 200
    assert response.context["listing"].total == 5
    html = response.content.decode()
    assert facet_count(html, "theme", "vardovergangar") == 3
    assert facet_count(html, "theme", "egenvard") == 3
    assert facet_count(html, "type", "project") == 3
    assert facet_count(html, "municipality", "eksjo") == 3
    assert facet_count(html, "year", "2024") == 3


def test_every_facet_checkbox_has_its_own_id_and_label(client, site_tree, work):
    """A label names its checkbox (screen readers, and a click on the text ticks the box)."""
    html = client.get(site_tree.listing.url, {"theme": "egenvard"}).content.decode()
    ids = re.findall(r'<input type="checkbox" id="([^"]+)" name="(\w+)" value="([^"]+)"', html)
    assert len(ids) >= 10
    assert len({input_id for input_id, _, _ in ids}) == len(ids)
    for input_id, name, value in ids:
        assert input_id == f"filter-{name}-{value}".lower()
        assert f'<label for="{input_id}">' in html
    assert 'id="filter-theme-egenvard" name="theme" value="egenvard" checked' in html


def test_filters_combine_and_facets_use_the_other_filters(client, site_tree, work):
    response = client.get(site_tree.listing.url, {"theme": "vardovergangar", "type": "project"})
    assert titles(response) == {"Projekt Eksjö vårdövergång", "Projekt Nässjö båda"}
    facets = {facet.name: facet for facet in response.context["listing"].facets}
    theme_counts = {value.value: value.count for value in facets["theme"].values}
    type_counts = {value.value: value.count for value in facets["type"].values}
    # Theme counts ignore the theme filter but respect the type filter, and vice versa.
    assert theme_counts == {"vardovergangar": 2, "egenvard": 2}
    assert type_counts == {"project": 2, "training": 0, "story": 1}


def test_values_within_a_dimension_are_alternatives(client, site_tree, work):
    response = client.get(site_tree.listing.url, {"municipality": ["eksjo", "nassjo"]})
    assert response.context["listing"].total == 5


def test_status_and_year_filters(client, site_tree, work):
    response = client.get(site_tree.listing.url, {"status": "completed"})
    assert titles(response) == {"Projekt Eksjö egenvård"}
    response = client.get(site_tree.listing.url, {"year": "2023"})
    assert titles(response) == {"Projekt Eksjö egenvård", "Utbildning Eksjö"}


def test_decision_filter_finds_what_did_not_work(client, site_tree, work):
    abandoned = factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo,
        title="Projekt Eksjö övergivet",
        themes=[site_tree.transitions],
        status="completed",
        date=datetime.date(2024, 3, 1),
        pdsa_cycles__0__pdsa_cycle__decision="adapt",
        pdsa_cycles__1__pdsa_cycle__decision="abandon",
    )
    adapted = factories.ImprovementProjectPageFactory(
        parent=site_tree.nassjo,
        title="Projekt Nässjö anpassat",
        themes=[site_tree.self_care],
        date=datetime.date(2024, 4, 1),
        pdsa_cycles__0__pdsa_cycle__decision="adapt",
    )
    assert abandoned.pdsa_decisions == ",adapt,abandon,"
    assert adapted.pdsa_decisions == ",adapt,"
    adapting = {
        page.title
        for page in [*work.values(), abandoned, adapted]
        if "adapt" in getattr(page, "decisions", [])
    }

    response = client.get(site_tree.listing.url, {"decision": "abandon"})
    assert titles(response) == {"Projekt Eksjö övergivet"}
    html = response.content.decode()
    # The decision facet ignores its own filter; the others count within the abandoned work.
    assert facet_count(html, "decision", "abandon") == 1
    assert facet_count(html, "decision", "adapt") == len(adapting)
    assert facet_count(html, "decision", "adopt") == 0
    assert facet_count(html, "type", "project") == 1
    assert facet_count(html, "municipality", "eksjo") == 1

    # Values within the dimension are alternatives; other dimensions still narrow it down.
    response = client.get(site_tree.listing.url, {"decision": ["abandon", "adapt"]})
    assert titles(response) == adapting | {"Projekt Eksjö övergivet"}
    response = client.get(site_tree.listing.url, {"decision": "adapt", "municipality": "nassjo"})
    assert "Projekt Nässjö anpassat" in titles(response)
    assert "Projekt Eksjö övergivet" not in titles(response)

    # All three decisions are always offered, and an unknown one is reported, not fatal.
    response = client.get(site_tree.listing.url, {"decision": "maybe"})
    assert response.status_code == 200
    assert response.context["listing"].total == 7
    facets = {facet.name: facet for facet in response.context["listing"].facets}
    assert [value.value for value in facets["decision"].values] == ["adopt", "adapt", "abandon"]
    assert response.context["listing"].filters.ignored == ("decision=maybe",)
    assert "decision=maybe" in response.content.decode()


def test_type_listing_page_is_fixed_to_its_type(client, site_tree, work):
    stories = factories.KnowledgeListingPageFactory(
        parent=site_tree.home, slug="berattelser", kind=KnowledgeListingPage.Kind.STORY
    )
    response = client.get(stories.url, {"type": "project"})  # cannot be overridden
    assert titles(response) == {"Berättelse Nässjö"}
    assert "type" not in {facet.name for facet in response.context["listing"].facets}


def test_theme_page_lists_all_types_under_the_theme(client, site_tree, work):
    url = site_tree.themes_index.theme_url(site_tree.transitions)
    response = client.get(url)
    assert response.status_code == 200
    assert titles(response) == {
        "Projekt Eksjö vårdövergång",
        "Projekt Nässjö båda",
        "Berättelse Nässjö",
    }
    assert "Vårdövergångar" in response.content.decode()


def test_theme_index_lists_themes_with_counts(client, site_tree, work):
    response = client.get(site_tree.themes_index.url)
    assert response.status_code == 200
    counts = {theme.slug: theme.page_count for theme in response.context["themes"]}
    assert counts == {"vardovergangar": 3, "egenvard": 3}


def test_unknown_theme_page_is_a_404(client, site_tree):
    assert client.get(site_tree.themes_index.url + "finns-inte/").status_code == 404


def test_section_page_lists_its_municipalitys_work(client, site_tree, work):
    response = client.get(site_tree.nassjo.url)
    assert response.status_code == 200
    assert titles(response) == {"Projekt Nässjö båda", "Berättelse Nässjö"}


def test_home_page_shows_themes_and_newest_work(client, site_tree, work):
    response = client.get(site_tree.home.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vårdövergångar" in html and "Egenvård" in html
    newest = [page.title for page in response.context["newest"]]
    assert newest[0] == "Projekt Nässjö båda"


def test_drafts_are_not_listed(client, site_tree, work):
    work["nassjo_story"].unpublish()
    response = client.get(site_tree.listing.url)
    assert "Berättelse Nässjö" not in titles(response)
    assert response.context["listing"].total == 4


@pytest.mark.parametrize(
    "params",
    [
        {"page": "-1"},
        {"page": "99999"},
        {"page": "abc"},
        {"year": "20x4"},
        {"year": "99999999999999999999"},
        {"status": "<script>alert(1)</script>"},
        {"type": "' OR 1=1 --"},
        {"theme": "x" * 5000},
        {"municipality": "\u202e\u0000odd"},
    ],
)
def test_malformed_parameters_get_a_page_not_an_error(client, site_tree, work, params):
    response = client.get(site_tree.listing.url, params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_ignored_filter_values_are_reported(client, site_tree, work):
    response = client.get(
        site_tree.listing.url, {"status": "bogus", "theme": ["egenvard", "finns-inte"]}
    )
    assert response.context["listing"].filters.ignored == ("status=bogus", "theme=finns-inte")
    html = response.content.decode()
    assert "status=bogus" in html and "theme=finns-inte" in html
    assert response.context["listing"].total == 3


def test_pagination_is_done_in_the_database_and_keeps_filters(client, site_tree, work):
    for number in range(14):
        factories.CaseStoryPageFactory(
            parent=site_tree.eksjo, title=f"Extra {number}", themes=[site_tree.transitions]
        )
    first = client.get(site_tree.listing.url, {"theme": "vardovergangar"})
    listing = first.context["listing"]
    assert listing.total == 17
    assert len(listing.results) == 12
    assert "theme=vardovergangar&amp;page=2" in first.content.decode()
    last = client.get(site_tree.listing.url, {"theme": "vardovergangar", "page": "99"})
    assert len(last.context["listing"].results) == 5


class EnglishListingOfAliases(TestCase):
    """English listings are mostly aliases of Swedish work; their cards say so without a query
    per card for the source's language."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        for page in CaseStoryPage.objects.filter(locale__language_code="sv")[:4]:
            make_swedish_only(page.slug)

    def test_each_card_knows_its_text_language_in_the_listing_query(self):
        request = RequestFactory().get("/en/", {"type": "story"})
        with translation.override("en"):
            cards = list(build_listing(request).results)
            aliases = [page for page in cards if page.alias_of_id]
            self.assertGreaterEqual(len(aliases), 3)
            with self.assertNumQueries(0):
                languages = {page.pk: content_language(page) for page in cards}
        self.assertEqual({languages[page.pk] for page in aliases}, {"sv"})
        self.assertIn("en", languages.values())
