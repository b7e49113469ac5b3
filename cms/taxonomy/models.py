"""Controlled vocabularies shared by every page type.

Themes and organisations are one row per concept with a Swedish and an English label, not
wagtail-localize copies per locale. Why: filters, facet counts and URLs (``/teman/<slug>/``) must
mean the same thing in both languages, and page links to a per-locale snippet copy would need
remapping on every translation (ParentalManyToManyField is not synchronised by wagtail-localize).
The English fields are translated by editors here, in the snippet form.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.models import TagBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index


class BilingualMixin(models.Model):
    """Pick the Swedish or English variant of a field by the active language."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def localized(self, field: str) -> str:
        if (get_language() or "sv").startswith("en"):
            english = getattr(self, f"{field}_en", "")
            if english:
                return english
        return getattr(self, field)

    @property
    def label(self) -> str:
        return self.localized("name")

    @property
    def localized_description(self) -> str:
        return self.localized("description")


class Theme(BilingualMixin, index.Indexed, models.Model):
    """A main browse axis, seeded from the region's improvement priorities."""

    name = models.CharField(_("name (Swedish)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Used in addresses such as /sv/teman/<slug>/. Lower case, no spaces."),
    )
    description = models.TextField(
        _("description (Swedish)"),
        blank=True,
        help_text=_("One or two sentences shown on the theme page and the home page."),
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    sort_order = models.PositiveSmallIntegerField(
        _("sort order"), default=100, help_text=_("Lower numbers are listed first.")
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("description_en"),
        FieldPanel("sort_order"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("name_en"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Organisation(BilingualMixin, index.Indexed, models.Model):
    """A municipality, the region itself, or a partner network that publishes work."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        PARTNER = "partner", _("Partner network")

    class Area(models.TextChoices):
        HOGLANDET = "hoglandet", _("Höglandet")
        JONKOPING = "jonkoping", _("Jönköping area")
        VARNAMO = "varnamo", _("Värnamo area")
        COUNTY = "county", _("Whole county")
        INTERNATIONAL = "international", _("International")

    name = models.CharField(_("name (Swedish)"), max_length=120, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    area = models.CharField(
        _("area"),
        max_length=20,
        choices=Area.choices,
        help_text=_("The part of the county (or 'International' for partners abroad)."),
    )
    country = models.CharField(_("country"), max_length=60, default="Sverige")
    description = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("slug"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("kind"), FieldPanel("area")]), FieldPanel("country")],
            heading=_("Where"),
        ),
        FieldPanel("description"),
        FieldPanel("description_en"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("municipality or organisation")
        verbose_name_plural = _("municipalities and organisations")


class KnowledgeTag(TagBase):
    """Free tags for knowledge pages: a pool of their own, apart from image tags."""

    free_tagging = True

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
