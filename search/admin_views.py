"""Search analytics in the Wagtail admin: what visitors look for, and what they do not find.

Reads the anonymous daily counts in ``SearchLogEntry`` (query text, searches, searches that
found nothing; no user, IP or session). Editors use it to find gaps in the content and queries
that deserve a promoted result.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from search.models import SearchLogEntry

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TABLE_LENGTH = 50
PERMISSION = "search.view_searchlogentry"
PROMOTION_PERMISSIONS = (
    "wagtailsearchpromotions.add_searchpromotion",
    "wagtailsearchpromotions.change_searchpromotion",
)


def can_view_analytics(user) -> bool:
    """Superusers, and users whose group has "Can view search log entry"."""
    return bool(user.is_active and (user.is_superuser or user.has_perm(PERMISSION)))


def parse_period(raw: str | None) -> int:
    """The ``days`` parameter: one of PERIODS; anything else gives the default."""
    try:
        days = int(str(raw).strip())
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def parse_language(raw: str | None) -> str:
    """The ``language`` parameter: a site language code, or "" for all languages."""
    codes = {code for code, _name in settings.LANGUAGES}
    return raw if raw in codes else ""


def analytics(days: int, language: str = "", today: datetime.date | None = None) -> dict:
    """Totals, the most frequent queries and the queries that found nothing, for a period."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=days - 1)
    entries = SearchLogEntry.objects.filter(day__gte=since, day__lte=today)
    if language:
        entries = entries.filter(language=language)
    grouped = entries.values("query").annotate(
        total_searches=Sum("searches"), total_zero=Sum("zero_results")
    )
    totals = entries.aggregate(searches=Sum("searches"), zero=Sum("zero_results"))
    searches = totals["searches"] or 0
    zero = totals["zero"] or 0
    return {
        "since": since,
        "until": today,
        "searches": searches,
        "zero_results": zero,
        "zero_share": round(100 * zero / searches) if searches else 0,
        "distinct_queries": grouped.count(),
        "top_queries": list(grouped.order_by("-total_searches", "query")[:TABLE_LENGTH]),
        "zero_queries": list(
            grouped.filter(total_zero__gt=0).order_by("-total_zero", "-total_searches", "query")[
                :TABLE_LENGTH
            ]
        ),
    }


class SearchAnalyticsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "search/admin/analytics.html"
    page_title = _("Search analytics")
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        if not can_view_analytics(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        days = parse_period(self.request.GET.get("days"))
        language = parse_language(self.request.GET.get("language"))
        user = self.request.user
        context.update(
            analytics(days, language),
            days=days,
            periods=PERIODS,
            language=language,
            languages=settings.LANGUAGES,
            table_length=TABLE_LENGTH,
            can_promote=any(user.has_perm(permission) for permission in PROMOTION_PERMISSIONS),
        )
        return context
