"""RSS and Atom feeds of newly published work, for the whole site and per theme.

Coaches and partners follow a theme in their feed reader instead of checking the site; the feed
lists the newest live work in the visitor's language with its summary.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from cms.knowledge.listing import live_knowledge_pages
from cms.knowledge.models import KnowledgePage
from cms.taxonomy.models import Theme

FEED_LENGTH = 30


class WorkFeed(Feed):
    """All newly published work (RSS 2.0)."""

    def get_object(self, request: HttpRequest, theme_slug: str | None = None) -> Theme | None:
        self.request = request
        return get_object_or_404(Theme, slug=theme_slug) if theme_slug else None

    def title(self, theme: Theme | None) -> str:
        if theme:
            return _("Esther knowledge base: %(theme)s") % {"theme": theme.label}
        return _("Esther knowledge base: new work")

    def link(self, theme: Theme | None) -> str:
        return self.request.path

    def description(self, theme: Theme | None) -> str:
        return _("Improvement projects, training material and case stories, newest first.")

    def items(self, theme: Theme | None):
        pages = live_knowledge_pages()
        if theme:
            pages = pages.filter(themes=theme)
        return pages.select_related("municipality").order_by("-first_published_at", "-pk")[
            :FEED_LENGTH
        ]

    def item_title(self, item: KnowledgePage) -> str:
        return item.title

    def item_description(self, item: KnowledgePage) -> str:
        return item.summary

    def item_link(self, item: KnowledgePage) -> str:
        return item.get_url(request=self.request)

    def item_pubdate(self, item: KnowledgePage):
        return item.first_published_at

    def item_updateddate(self, item: KnowledgePage):
        return item.last_published_at

    def item_categories(self, item: KnowledgePage) -> list[str]:
        return [theme.label for theme in item.themes.all()]


class AtomWorkFeed(WorkFeed):
    feed_type = Atom1Feed
    subtitle = WorkFeed.description
