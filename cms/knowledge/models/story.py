from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.knowledge.blocks import RICH_FEATURES, StoryBodyBlock
from cms.knowledge.models.base import KnowledgePage, knowledge_edit_handler
from cms.knowledge.models.esther import EstherLensMixin


class CaseStoryPage(EstherLensMixin, KnowledgePage):
    """A case told from Esther's point of view: what happened, what changed, the outcome."""

    kind_slug = "story"

    story = StreamField(
        StoryBodyBlock(),
        verbose_name=_("story"),
        help_text=_(
            "Tell it as Esther experienced it. Esther is a symbolic person: change details so "
            "no real patient can be recognised."
        ),
    )
    what_changed = RichTextField(_("what changed"), features=RICH_FEATURES, blank=True)
    outcome = RichTextField(_("outcome"), features=RICH_FEATURES, blank=True)
    quote = models.TextField(
        _("quote"), blank=True, help_text=_("One sentence in Esther's own voice.")
    )
    quote_attribution = models.CharField(
        _("quote attribution"),
        max_length=120,
        blank=True,
        default="Esther",
        help_text=_("A fictional name or a role, never a real patient's name."),
    )

    search_fields = [
        *KnowledgePage.search_fields,
        index.SearchField("story"),
        index.SearchField("what_changed"),
        index.SearchField("outcome"),
        index.SearchField("quote"),
        index.SearchField("what_matters_to_esther"),
    ]

    content_panels = [
        *Page.content_panels,
        *KnowledgePage.summary_panels,
        MultiFieldPanel([FieldPanel("quote"), FieldPanel("quote_attribution")], heading=_("Quote")),
        FieldPanel("story"),
        FieldPanel("what_changed"),
        FieldPanel("outcome"),
        *EstherLensMixin.esther_panels,
        FieldPanel("contacts"),
    ]
    edit_handler = knowledge_edit_handler(
        ObjectList(content_panels, heading=_("Story")),
    )

    template = "knowledge/case_story_page.html"

    class Meta:
        verbose_name = _("case story")
        verbose_name_plural = _("case stories")
