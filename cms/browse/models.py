"""Pages that organise the work: municipality sections, themes and per-type listings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from cms.knowledge.listing import build_listing, live_knowledge_pages
from cms.taxonomy.models import Theme


class SectionPage(Page):
    """A municipality's (or the region's, or a partner's) own part of the site.

    Work is created under the section of the organisation that did it, so Wagtail's page
    permissions can give each municipality's coaches their own section. The page lists all work
    attributed to its organisation, wherever it lives in the tree.
    """

    organisation = models.ForeignKey(
        "taxonomy.Organisation",
        verbose_name=_("municipality or organisation"),
        on_delete=models.PROTECT,
        related_name="sections",
        null=True,
        help_text=_("The municipality or organisation whose section this is."),
    )
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("organisation"), FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = [
        "knowledge.ImprovementProjectPage",
        "knowledge.TrainingMaterialPage",
        "knowledge.CaseStoryPage",
    ]
    template = "browse/section_page.html"

    class Meta:
        verbose_name = _("municipality section")

    def clean(self):
        """One section per organisation in each language; its translation (or the alias
        wagtail-localize keeps until it is translated) is the section in the other language.
        A database constraint cannot say this: the locale lives in Wagtail's page table."""
        super().clean()
        if self.organisation_id and (
            SectionPage.objects.filter(organisation_id=self.organisation_id, locale=self.locale_id)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {"organisation": _("This organisation already has a section in this language.")}
            )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.organisation_id:
            fixed = {"municipality": (self.organisation.slug,)}
            context["listing"] = build_listing(request, fixed=fixed)
        return context


class KnowledgeListingPage(Page):
    """All work, or all work of one type, with filters and counts."""

    class Kind(models.TextChoices):
        ALL = "", _("All types")
        PROJECT = "project", _("Improvement projects")
        TRAINING = "training", _("Training material")
        STORY = "story", _("Case stories")

    kind = models.CharField(
        _("show"),
        max_length=20,
        choices=Kind.choices,
        blank=True,
        help_text=_("Which type of work this page lists."),
    )
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("kind"), FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    template = "browse/knowledge_listing_page.html"

    class Meta:
        verbose_name = _("listing page")

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        fixed = {"type": (self.kind,)} if self.kind else {}
        context["listing"] = build_listing(request, fixed=fixed)
        return context


class ThemeIndexPage(RoutablePageMixin, Page):
    """The themes overview, and one page per theme at ``<this page>/<theme-slug>/``."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    template = "browse/theme_index_page.html"

    class Meta:
        verbose_name = _("theme index")

    @path("")
    def index(self, request):

        live = live_knowledge_pages().values("pk")
        themes = Theme.objects.annotate(
            page_count=Count("pages", filter=Q(pages__in=live), distinct=True)
        ).order_by("sort_order", "name")  # annotate() drops Meta.ordering
        return self.render(request, context_overrides={"themes": themes})

    @path("<slug:theme_slug>/")
    def theme(self, request, theme_slug: str):

        theme = get_object_or_404(Theme, slug=theme_slug)
        listing = build_listing(request, fixed={"theme": (theme.slug,)})
        return self.render(
            request,
            context_overrides={"theme": theme, "listing": listing},
            template="browse/theme_page.html",
        )

    def theme_url(self, theme) -> str:
        return self.url + self.reverse_subpage("theme", kwargs={"theme_slug": theme.slug})
