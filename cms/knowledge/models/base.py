"""The common base of every piece of published work.

``KnowledgePage`` is a concrete (multi-table) page so that listings, facets, related work and
search can treat projects, training material and stories as one queryset; each page type adds
its own fields in a table of its own.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db import models
from django.db.models import Func, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import ItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.api import APIField
from wagtail.blocks.base import BlockWidget
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from cms.knowledge.blocks import ContactBlock
from cms.knowledge.privacy import (
    PERSONAL_NUMBER_MESSAGE,
    find_personal_identity_numbers,
    value_texts,
)

SUMMARY_MAX_LENGTH = 400


class TaggedKnowledgePage(ItemBase):
    tag = models.ForeignKey(
        "taxonomy.KnowledgeTag", on_delete=models.CASCADE, related_name="tagged_pages"
    )
    content_object = ParentalKey(
        "knowledge.KnowledgePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class KnowledgePageForm(WagtailAdminPageForm):
    """Fill in the municipality from the section the page is created in, if left empty, and
    refuse text that contains a personal identity number (no patient data may be published)."""

    def clean(self):
        cleaned = super().clean()
        self._refuse_personal_identity_numbers(cleaned)
        if not cleaned.get("municipality"):
            section = getattr(self, "parent_page", None) or self.instance.get_parent()
            organisation = getattr(section.specific, "organisation", None) if section else None
            if organisation is None:
                self.add_error(
                    "municipality",
                    _("Choose the municipality or organisation that did this work."),
                )
            else:
                cleaned["municipality"] = organisation
        return cleaned

    def _refuse_personal_identity_numbers(self, cleaned: dict) -> None:
        """Block saving (draft, submit and publish alike) while any submitted text, including
        StreamField blocks and the titles of chosen documents, holds a personnummer or
        samordningsnummer. Drafts are blocked too: revisions are stored, previewed and shared.

        Plain fields get the error on the field; StreamFields get a non-field error naming the
        field, because a StreamField only shows errors shaped by its own blocks.
        """
        for name, value in list(cleaned.items()):
            numbers: list[str] = []
            for text in value_texts(value):
                numbers.extend(n for n in find_personal_identity_numbers(text) if n not in numbers)
            if not numbers:
                continue
            message = PERSONAL_NUMBER_MESSAGE % {"numbers": ", ".join(numbers)}
            field = self.fields.get(name)
            if field is not None and isinstance(field.widget, BlockWidget):
                self.add_error(None, f"{field.label}: {message}")
            else:
                self.add_error(name if field is not None else None, message)


class KnowledgePage(Page):
    """Fields every project, training material and case story carries."""

    summary = models.TextField(
        _("summary"),
        max_length=SUMMARY_MAX_LENGTH,
        help_text=_(
            "Two or three sentences a busy reader can judge the work by. Shown in listings "
            "and search results."
        ),
    )
    summary_en = models.TextField(
        _("English summary"),
        max_length=SUMMARY_MAX_LENGTH,
        blank=True,
        help_text=_(
            "A short English summary so international partners can judge relevance even "
            "when the page itself is in Swedish."
        ),
    )
    date = models.DateField(
        _("date"),
        default=datetime.date.today,
        help_text=_(
            "Shown on listings and used for sorting and the year filter. For a project, "
            "usually when it started."
        ),
    )
    themes = ParentalManyToManyField(
        "taxonomy.Theme",
        related_name="pages",
        verbose_name=_("themes"),
        help_text=_("Choose every theme a colleague might look for this under."),
    )
    municipality = models.ForeignKey(
        "taxonomy.Organisation",
        verbose_name=_("municipality or organisation"),
        on_delete=models.PROTECT,
        related_name="pages",
        null=True,
        blank=True,
        help_text=_("Who did the work. Left empty, the section's municipality is used."),
    )
    tags = ClusterTaggableManager(
        through=TaggedKnowledgePage,
        blank=True,
        verbose_name=_("tags"),
        help_text=_("Free keywords, e.g. 'läkemedelsgenomgång', 'trygg hemgång'."),
    )
    lead_image = models.ForeignKey(
        "media.EstherImage",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contacts = StreamField(
        [("contact", ContactBlock())],
        blank=True,
        verbose_name=_("contacts"),
        help_text=_("Who to ask about this work: team members and Esther coaches."),
    )

    base_form_class = KnowledgePageForm
    # wagtail-localize leaves many-to-many fields out of translations unless told; themes are
    # the same on every translation, and the English summary is the same text in every
    # language (on an English page it is the page's own summary).
    override_translatable_fields = [
        SynchronizedField("themes"),
        SynchronizedField("summary_en"),
    ]
    # Read-only API v2 (docs/api.md): stable identifiers rather than database ids for taxonomy.
    api_fields = [
        APIField("summary"),
        APIField("summary_en"),
        APIField("date"),
        APIField("theme_slugs"),
        APIField("municipality_slug"),
        APIField("tag_names"),
        APIField("contacts"),
    ]
    is_creatable = False
    parent_page_types = ["browse.SectionPage"]
    subpage_types: list[str] = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("summary_en"),
        index.FilterField("date"),
        index.FilterField("municipality"),
        index.RelatedFields("themes", [index.SearchField("name"), index.SearchField("name_en")]),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    @classmethod
    def get_indexed_objects(cls) -> QuerySet[KnowledgePage]:
        """Wagtail's search indexing queryset, with the themes and tags its fields read.

        modelsearch prefetches plain relations but leaves out modelcluster's parental ones,
        so every bulk indexing (``update_index``, an import) read a page's themes and tags with
        a query per page, relation and indexed field: 2,015 queries for 400 pages, 18 with
        this (docs/benchmarks.md, "Import").
        """
        related = [
            field.field_name
            for field in cls.get_search_fields()
            if isinstance(field, index.RelatedFields)
        ]
        return super().get_indexed_objects().prefetch_related(*related)

    summary_panels = [
        FieldPanel("summary"),
        FieldPanel("summary_en"),
        FieldPanel("lead_image"),
    ]
    classification_panels = [
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("municipality"),
                FieldPanel("tags"),
                FieldPanel("date"),
            ],
            heading=_("Find it by"),
        ),
    ]

    class Meta:
        verbose_name = _("knowledge page")

    @property
    def theme_slugs(self) -> list[str]:
        return [theme.slug for theme in self.themes.all()]

    @property
    def municipality_slug(self) -> str | None:
        return self.municipality.slug if self.municipality_id else None

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags.all()]

    @property
    def kind(self) -> str:
        """Short machine name of the page type, used by filters and templates."""
        return getattr(self.specific_class, "kind_slug", "page")

    def related_pages(self, limit: int = 4) -> QuerySet[KnowledgePage]:
        """Other live work that shares themes with this page, then tags (DESIGN.md).

        Only pages linked to one of these themes or tags are considered, and each one's shared
        links are counted by index lookups: joining every page to all its themes and tags and
        grouping made a project page's render grow with the archive (docs/benchmarks.md).
        """
        theme_ids = list(self.themes.values_list("pk", flat=True))
        tag_ids = list(self.tagged_items.values_list("tag_id", flat=True))
        theme_links = KnowledgePage.themes.through.objects.filter(theme_id__in=theme_ids)
        tag_links = TaggedKnowledgePage.objects.filter(tag_id__in=tag_ids)
        return (
            KnowledgePage.objects.live()
            .public()
            .filter(locale_id=self.locale_id)
            .filter(
                Q(pk__in=theme_links.values("knowledgepage_id"))
                | Q(pk__in=tag_links.values("content_object_id"))
            )
            .exclude(pk=self.pk)
            .annotate(
                shared_themes=_count_of(theme_links.filter(knowledgepage_id=OuterRef("pk"))),
                shared_tags=_count_of(tag_links.filter(content_object_id=OuterRef("pk"))),
            )
            .order_by("-shared_themes", "-shared_tags", "-date", "pk")
            .select_related("municipality", "lead_image")[:limit]
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related_pages"] = self.related_pages()
        return context


def _count_of(links: QuerySet) -> Coalesce:
    """The number of rows of ``links`` (correlated to the outer page) as an annotation."""
    return Coalesce(
        Subquery(links.order_by().values(n=Func("pk", function="COUNT")).values("n")[:1]),
        0,
    )


def knowledge_edit_handler(*tabs: ObjectList) -> TabbedInterface:
    """The page type's own tabs, then the tabs every knowledge page shares, in one order."""
    return TabbedInterface(
        [
            *tabs,
            ObjectList(KnowledgePage.classification_panels, heading=_("Themes and tags")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
