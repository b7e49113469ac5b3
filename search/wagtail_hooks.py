"""Search in the Wagtail admin: the glossary as a snippet and the search analytics report."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from search import glossary
from search.admin_views import SearchAnalyticsView, can_view_analytics
from search.models import GlossaryTerm


class GlossaryTermViewSet(SnippetViewSet):
    """Swedish–English equivalents that the search treats as synonyms in both directions."""

    model = GlossaryTerm
    icon = "globe"
    menu_label = _("Glossary")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["swedish", "english", "note"]
    search_fields = ["swedish", "english", "note"]
    ordering = ["swedish"]


register_snippet(GlossaryTermViewSet)


# Searches use a new or changed glossary term at once, not when the cache expires.
@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def _glossary_saved(request, instance):
    if isinstance(instance, GlossaryTerm):
        glossary.forget()


@hooks.register("after_delete_snippet")
def _glossary_deleted(request, instances):
    if any(isinstance(instance, GlossaryTerm) for instance in instances):
        glossary.forget()


@hooks.register("register_admin_urls")
def _analytics_urls():
    return [
        path("search-analytics/", SearchAnalyticsView.as_view(), name="search_analytics"),
    ]


class SearchAnalyticsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_analytics(request.user)


@hooks.register("register_reports_menu_item")
def _analytics_menu_item():
    return SearchAnalyticsMenuItem(
        _("Search analytics"),
        reverse("search_analytics"),
        name="search-analytics",
        icon_name="search",
        order=1250,
    )


@hooks.register("register_permissions")
def _analytics_permission():
    """Lets administrators give a group access to the search analytics."""
    return Permission.objects.filter(
        content_type__app_label="search", codename="view_searchlogentry"
    )
