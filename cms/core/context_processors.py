"""Template context every page needs: the main navigation of the current language's site."""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.models import Page, Site


def site_navigation(request: HttpRequest) -> dict:
    """Top-level pages shown in the menu, in the active locale (lazy: no query unless used)."""

    def menu_pages() -> list[Page]:
        site = Site.find_for_request(request)
        if site is None:
            return []
        root = site.root_page.localized
        return list(root.get_children().live().in_menu().specific())

    def home() -> Page | None:
        site = Site.find_for_request(request)
        return site.root_page.localized if site else None

    return {"menu_pages": menu_pages, "site_home": home}
