from __future__ import annotations

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from cms.knowledge.listing import live_knowledge_pages
from cms.taxonomy.models import Theme

NEWEST_COUNT = 6


class HomePage(Page):
    """The front door: what the knowledge base is, its themes and the newest work."""

    intro = models.TextField(
        _("introduction"),
        help_text=_("One short paragraph saying what visitors can find and reuse here."),
    )
    lead_image = models.ForeignKey(
        "media.EstherImage",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("lead_image")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "browse.SectionPage",
        "browse.ThemeIndexPage",
        "browse.KnowledgeListingPage",
    ]
    max_count_per_parent = 1
    template = "home/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        live = live_knowledge_pages()
        context["newest"] = live.select_related("municipality", "lead_image").order_by(
            "-date", "-pk"
        )[:NEWEST_COUNT]
        context["themes"] = Theme.objects.annotate(
            page_count=Count("pages", filter=Q(pages__in=live.values("pk")), distinct=True)
        ).order_by("sort_order", "name")  # annotate() drops Meta.ordering
        context["total_count"] = live.count()
        return context
