"""Shared fixtures: a small site tree built with factories (no JSON fixtures in unit tests)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import translation
from wagtail.models import Page, Site

from cms.browse.models import KnowledgeListingPage, SectionPage, ThemeIndexPage
from cms.home.models import HomePage
from cms.taxonomy.models import Organisation, Theme
from tests import factories


@dataclass
class SiteTree:
    home: HomePage
    themes_index: ThemeIndexPage
    listing: KnowledgeListingPage
    eksjo: SectionPage
    nassjo: SectionPage
    transitions: Theme
    self_care: Theme
    eksjo_org: Organisation
    nassjo_org: Organisation


@pytest.fixture(autouse=True)
def swedish():
    """Requests are served in the default language unless a test says otherwise."""
    with translation.override("sv"):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with an empty page cache, so no page rendered by another test is served,
    and reads the locales afresh (a rolled-back test's locales send no delete signal)."""
    from django.core.cache import caches

    from cms.core.languages import forget_locale_codes

    caches["pages"].clear()
    forget_locale_codes()


@pytest.fixture
def migration_data(transactional_db) -> None:
    """A committed database (``transactional_db``) with what Wagtail's data migrations create.

    Each transactional test ends with a flush: permissions and content types come back through
    post_migrate, the rows Wagtail's migrations add (the default locale, the root collection,
    the root page) do not, so a transactional test that runs after another one restores them.
    """
    from django.conf import settings
    from wagtail.models import Collection, Locale

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    if not Page.objects.exists():
        Page.add_root(title="Root", slug="root", locale=Locale.get_default())


@pytest.fixture
def site_tree(db) -> SiteTree:
    root = Page.get_first_root_node()
    for child in root.get_children():
        child.delete()
    home = factories.HomePageFactory(parent=root)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Esther"},
    )
    eksjo_org = factories.OrganisationFactory(slug="eksjo", name="Eksjö kommun")
    nassjo_org = factories.OrganisationFactory(slug="nassjo", name="Nässjö kommun")
    return SiteTree(
        home=home,
        themes_index=factories.ThemeIndexPageFactory(parent=home),
        listing=factories.KnowledgeListingPageFactory(parent=home, slug="allt-arbete"),
        eksjo=factories.SectionPageFactory(parent=home, organisation=eksjo_org),
        nassjo=factories.SectionPageFactory(parent=home, organisation=nassjo_org),
        transitions=factories.ThemeFactory(slug="vardovergangar", name="Vårdövergångar"),
        self_care=factories.ThemeFactory(slug="egenvard", name="Egenvård"),
        eksjo_org=eksjo_org,
        nassjo_org=nassjo_org,
    )
