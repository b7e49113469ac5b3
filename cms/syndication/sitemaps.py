"""sitemap.xml with every language's pages, not only the default language's tree.

Wagtail's sitemap lists the site root's tree in the active language, which at ``/sitemap.xml``
(no language prefix) is Swedish only. Search engines should find the English translations too.
Aliases (Swedish pages shown at an English address until translated) are left out: their
content is the Swedish page's, which is listed under its own address.
"""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class AllLanguagesSitemap(Sitemap):
    def items(self) -> QuerySet[Page]:
        root = self.get_wagtail_site().root_page
        trees = Page.objects.none()
        for translation in root.get_translations(inclusive=True):
            trees |= Page.objects.descendant_of(translation, inclusive=True)
        return (
            trees.live()
            .public()
            .filter(alias_of__isnull=True)
            .order_by("path")
            .defer_streamfields()
            .specific()
        )
