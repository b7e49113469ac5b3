"""Template context every page needs: the main navigation of the current language's site."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils.translation import get_language
from wagtail.models import Page, Site
from wagtail.models.sites import get_site_for_hostname

from cms.core.languages import with_text_locale
from cms.core.pagecache import per_generation


@per_generation
def _site(hostname: str, port: str) -> Site | None:
    try:
        return get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None


def site_for_request(request: HttpRequest) -> Site | None:
    """``Site.find_for_request`` with the lookup remembered per host until content changes."""
    if not hasattr(request, "_wagtail_site"):
        hostname = split_domain_port(request._get_raw_host())[0]
        request._wagtail_site = _site(hostname, request.get_port())
    return request._wagtail_site


@per_generation
def _navigation(site_id: int, language: str) -> tuple[Page | None, list[Page]]:
    """The localized home page and its menu pages: the same for every request until content
    changes, so kept per process (``per_generation``) rather than read on every page view.

    The menu pages carry their text's language (``with_text_locale``): in English, a menu page
    nobody has translated is an alias, and its ``lang`` attribute cost a query on every page
    view (docs/benchmarks.md, "Seventh round")."""
    site = Site.objects.select_related("root_page").get(pk=site_id)
    home = site.root_page.localized
    return home, list(with_text_locale(home.get_children().live().in_menu()).specific())


def site_navigation(request: HttpRequest) -> dict:
    """Top-level pages shown in the menu, in the active locale (lazy: no query unless used)."""

    def navigation() -> tuple[Page | None, list[Page]]:
        site = site_for_request(request)
        if site is None:
            return None, []
        return _navigation(site.pk, get_language())

    return {"menu_pages": lambda: navigation()[1], "site_home": lambda: navigation()[0]}
