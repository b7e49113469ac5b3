from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.knowledge.blocks import (
    RICH_FEATURES,
    ChangeIdeaBlock,
    DocumentBlock,
    MeasureBlock,
    PDSACycleBlock,
)
from cms.knowledge.models.base import KnowledgePage, knowledge_edit_handler
from cms.knowledge.models.esther import EstherLensMixin


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    PAUSED = "paused", _("Paused")


class ImprovementProjectPage(RoutablePageMixin, EstherLensMixin, KnowledgePage):
    """An improvement project told as an open PDSA record."""

    kind_slug = "project"

    aim = models.TextField(
        _("aim"),
        help_text=_(
            "What will improve, for whom, by how much and by when, e.g. 'Reduce "
            "readmissions within 30 days for patients over 75 in Eksjö by 20% by June'."
        ),
    )
    background = RichTextField(_("background"), features=RICH_FEATURES, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ONGOING
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    change_ideas = StreamField(
        [("change_idea", ChangeIdeaBlock())], blank=True, verbose_name=_("change ideas")
    )
    pdsa_cycles = StreamField(
        [("pdsa_cycle", PDSACycleBlock())],
        blank=True,
        verbose_name=_("PDSA cycles"),
        help_text=_("One block per test of change, oldest first."),
    )
    measures = StreamField(
        [("measure", MeasureBlock())],
        blank=True,
        verbose_name=_("measures"),
        help_text=_("At least 12 data points give a readable run chart."),
    )
    results = RichTextField(_("results"), features=RICH_FEATURES, blank=True)
    lessons_learned = RichTextField(_("lessons learned"), features=RICH_FEATURES, blank=True)
    attachments = StreamField(
        [("document", DocumentBlock())], blank=True, verbose_name=_("attachments")
    )
    adapted_from = models.ForeignKey(
        "knowledge.ImprovementProjectPage",
        verbose_name=_("adapted from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adaptations",
        help_text=_("If this project builds on another one, link it so the spread is visible."),
    )
    # The distinct PDSA decisions, comma-wrapped (",adopt,abandon,") so that
    # ``pdsa_decisions__contains=",abandon,"`` is an exact SQL filter; kept in sync by save().
    pdsa_decisions = models.CharField(max_length=40, blank=True, editable=False)

    search_fields = [
        *KnowledgePage.search_fields,
        index.SearchField("aim"),
        index.SearchField("background"),
        index.SearchField("change_ideas"),
        index.SearchField("pdsa_cycles"),
        index.SearchField("results"),
        index.SearchField("lessons_learned"),
        index.SearchField("what_matters_to_esther"),
        index.FilterField("status"),
    ]

    content_panels = [
        *Page.content_panels,
        *KnowledgePage.summary_panels,
        FieldPanel("aim"),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
            ],
            heading=_("Status and dates"),
        ),
        FieldPanel("background"),
        *EstherLensMixin.esther_panels,
        FieldPanel("contacts"),
        FieldPanel("adapted_from"),
    ]
    improvement_panels = [
        FieldPanel("change_ideas"),
        FieldPanel("pdsa_cycles"),
        FieldPanel("measures"),
        FieldPanel("results"),
        FieldPanel("lessons_learned"),
        FieldPanel("attachments"),
    ]
    edit_handler = knowledge_edit_handler(
        ObjectList(content_panels, heading=_("Project")),
        ObjectList(improvement_panels, heading=_("Improvement work")),
    )

    template = "knowledge/improvement_project_page.html"

    class Meta:
        verbose_name = _("improvement project")
        verbose_name_plural = _("improvement projects")

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The project cannot end before it starts.")})

    def save(self, *args, **kwargs):
        self.pdsa_decisions = decisions_field(self.decisions)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "pdsa_cycles" in update_fields:
            kwargs["update_fields"] = {*update_fields, "pdsa_decisions"}
        return super().save(*args, **kwargs)

    @property
    def decisions(self) -> list[str]:
        """The PDSA decisions taken, in order: data for filters and 'what did not work'.

        Read from the stored JSON: the cycles' block values are not needed for it, and a rebuild
        asks it of every project."""
        return [cycle["value"].get("decision") or "" for cycle in self.pdsa_cycles.raw_data]

    @path("measures/<int:number>/csv/", name="measure_csv")
    def measure_csv(self, request, number: int) -> HttpResponse:
        """One measure's series as CSV, so a coach can rebuild the chart in Excel or SPC tools.

        The URL is measures/1/csv/, not measures/1.csv: Wagtail's serve pattern only matches
        slash-terminated segments of word characters and hyphens, so a dot never reaches the
        page; the Content-Disposition header still names the download *.csv. `number` is
        1-based, as the measures are numbered on the page. UTF-8 with a BOM so Excel opens å, ä
        and ö correctly; comma-separated and quoted by the csv module; ISO 8601 dates and values
        with a decimal point, so any tool can parse them. A note starting with =, +, - or @ gets
        a leading apostrophe so a spreadsheet shows it instead of running it as a formula.
        """
        measures = [block.value for block in self.measures if block.block_type == "measure"]
        if not 1 <= number <= len(measures):
            raise Http404
        measure = measures[number - 1]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["date", "value", "note"])
        for point in measure["data_points"]:
            value = float(point["value"])
            note = point.get("note") or ""
            if note[:1] in ("=", "+", "-", "@", "\t", "\r"):
                note = "'" + note
            writer.writerow(
                [point["date"].isoformat(), int(value) if value.is_integer() else value, note]
            )
        filename = slugify(measure["name"]) or f"measure-{number}"
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response


def decisions_field(decisions: list[str]) -> str:
    """The value of ``pdsa_decisions``: distinct decisions in block order, comma-wrapped."""
    distinct = [decision for decision in dict.fromkeys(decisions) if decision]
    return f",{','.join(distinct)}," if distinct else ""
