from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.knowledge.blocks import DocumentBlock, StoryBodyBlock
from cms.knowledge.models.base import KnowledgePage, knowledge_edit_handler


class Audience(models.TextChoices):
    COACHES = "coaches", _("Esther coaches")
    STAFF = "staff", _("Health and care staff")
    MANAGERS = "managers", _("Managers")
    PATIENTS = "patients", _("Patients and relatives")
    EVERYONE = "everyone", _("Everyone")


class MaterialFormat(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    LECTURE = "lecture", _("Lecture")
    ELEARNING = "elearning", _("E-learning")
    GUIDE = "guide", _("Guide")
    EXERCISE = "exercise", _("Exercise")
    VIDEO = "video", _("Video")


class TrainingMaterialPage(KnowledgePage):
    """Material for training Esther coaches and staff."""

    kind_slug = "training"

    module = models.CharField(
        _("module"),
        max_length=120,
        blank=True,
        help_text=_("The course module this belongs to, e.g. 'Esthercoach – del 2'."),
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    format = models.CharField(_("format"), max_length=20, choices=MaterialFormat.choices)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    learning_goals = StreamField(
        [("goal", blocks.CharBlock(label=_("Learning goal"), max_length=250))],
        blank=True,
        verbose_name=_("learning goals"),
        help_text=_("'After this module the participant can …', one goal per block."),
    )
    body = StreamField(StoryBodyBlock(), blank=True, verbose_name=_("content"))
    downloads = StreamField(
        [("document", DocumentBlock())], blank=True, verbose_name=_("downloads")
    )

    search_fields = [
        *KnowledgePage.search_fields,
        index.SearchField("module"),
        index.SearchField("learning_goals"),
        index.SearchField("body"),
        index.FilterField("audience"),
        index.FilterField("format"),
    ]

    content_panels = [
        *Page.content_panels,
        *KnowledgePage.summary_panels,
        MultiFieldPanel(
            [
                FieldPanel("module"),
                FieldRowPanel([FieldPanel("audience"), FieldPanel("format")]),
                FieldPanel("duration_minutes"),
            ],
            heading=_("About the material"),
        ),
        FieldPanel("learning_goals"),
        FieldPanel("body"),
        FieldPanel("downloads"),
        FieldPanel("contacts"),
    ]
    edit_handler = knowledge_edit_handler(
        ObjectList(content_panels, heading=_("Material")),
    )

    template = "knowledge/training_material_page.html"

    class Meta:
        verbose_name = _("training material")
        verbose_name_plural = _("training material")
