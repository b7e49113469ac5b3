"""StreamField blocks for knowledge pages.

PDSA cycles and measures are blocks, not inline models, so that the data an editor enters and the
chart, table and CSV a reader sees all come from one stored value (see DESIGN.md, "Open PDSA
records"). Blocks validate what a reader would otherwise trip over: a cycle without a decision,
a measure with too few points to chart, dates out of order.
"""

from __future__ import annotations

import statistics

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]
MIN_POINTS_FOR_RUN_CHART = 12


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("heading"), max_length=120)

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        label = _("Image")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(
        label=_("who said it"),
        required=False,
        max_length=120,
        help_text=_("A role or a fictional name, never a real patient's name."),
    )

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        label = _("Quote")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(
        label=_("link text"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to use the document's own title."),
    )
    description = blocks.TextBlock(label=_("description"), required=False)

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"
        label = _("Document")


class ContactBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name"), max_length=120)
    role = blocks.CharBlock(
        label=_("role"), max_length=120, help_text=_("e.g. 'Esther coach, home care'.")
    )
    organisation = blocks.CharBlock(label=_("organisation"), max_length=120, required=False)
    email = blocks.EmailBlock(label=_("e-mail"), required=False)
    is_coach = blocks.BooleanBlock(label=_("Esther coach"), required=False)

    class Meta:
        icon = "user"
        template = "blocks/contact_block.html"
        label = _("Contact")


class ChangeIdeaBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("change idea"), max_length=200)
    description = blocks.TextBlock(label=_("description"), required=False)

    class Meta:
        icon = "pick"
        template = "blocks/change_idea_block.html"
        label = _("Change idea")


class PDSACycleBlock(blocks.StructBlock):
    """One Plan-Do-Study-Act cycle; the decision is data so 'what did not work' is findable."""

    DECISIONS = [
        ("adopt", _("Adopt")),
        ("adapt", _("Adapt")),
        ("abandon", _("Abandon")),
    ]

    title = blocks.CharBlock(label=_("what was tested"), max_length=200)
    start_date = blocks.DateBlock(label=_("start date"))
    end_date = blocks.DateBlock(label=_("end date"), required=False)
    plan = blocks.TextBlock(label=_("plan"), help_text=_("What we planned and predicted."))
    do = blocks.TextBlock(label=_("do"), help_text=_("What we actually did."))
    study = blocks.TextBlock(label=_("study"), help_text=_("What the data showed."))
    act = blocks.TextBlock(label=_("act"), help_text=_("What we decided to do next."))
    decision = blocks.ChoiceBlock(
        label=_("decision"),
        choices=DECISIONS,
        help_text=_("Adopt the change, adapt it and test again, or abandon it."),
    )

    class Meta:
        icon = "repeat"
        template = "blocks/pdsa_cycle_block.html"
        label = _("PDSA cycle")

    def clean(self, value):
        value = super().clean(value)
        end = value.get("end_date")
        if end and end < value["start_date"]:
            raise StructBlockValidationError(
                block_errors={
                    "end_date": ValidationError(_("The cycle cannot end before it starts."))
                }
            )
        return value


class DataPointBlock(blocks.StructBlock):
    date = blocks.DateBlock(label=_("date"))
    value = blocks.FloatBlock(label=_("value"))
    note = blocks.CharBlock(label=_("note"), required=False, max_length=200)

    class Meta:
        icon = "plus"
        label = _("Data point")


class MeasureBlock(blocks.StructBlock):
    """A measure with its series: the single source for the run chart, its table and CSV."""

    KINDS = [
        ("outcome", _("Outcome measure")),
        ("process", _("Process measure")),
        ("balancing", _("Balancing measure")),
    ]

    name = blocks.CharBlock(label=_("name"), max_length=200)
    kind = blocks.ChoiceBlock(label=_("kind"), choices=KINDS, default="outcome")
    unit = blocks.CharBlock(
        label=_("unit"), max_length=40, help_text=_("e.g. 'days', '%', 'patients'.")
    )
    definition = blocks.TextBlock(
        label=_("definition"), help_text=_("How it is measured: numerator, denominator, source.")
    )
    goal = blocks.CharBlock(label=_("goal"), required=False, max_length=200)
    higher_is_better = blocks.BooleanBlock(label=_("higher is better"), required=False)
    data_points = blocks.ListBlock(DataPointBlock(), label=_("data points"))

    class Meta:
        icon = "table"
        template = "blocks/measure_block.html"
        label = _("Measure")

    def clean(self, value):
        value = super().clean(value)
        dates = [point["date"] for point in value["data_points"]]
        if dates != sorted(dates):
            raise StructBlockValidationError(
                block_errors={
                    "data_points": ValidationError(
                        _("Put the data points in date order, oldest first.")
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        """Median, run-chart analysis, SVG and CSV link for the template.

        The page's PDSA cycles (when rendered on a project page) annotate the time axis, and
        `measure_number` (1-based, given by the page template) is also the CSV route's number.
        """
        from cms.knowledge import runchart  # the chart module imports nothing from here

        context = super().get_context(value, parent_context)
        values = [point["value"] for point in value["data_points"]]
        context["median"] = statistics.median(values) if values else None
        context["enough_for_run_chart"] = len(values) >= MIN_POINTS_FOR_RUN_CHART
        context["min_points"] = MIN_POINTS_FOR_RUN_CHART
        number = context.get("measure_number")
        page = context.get("page")
        context["csv_url"] = None
        if page is not None and number and hasattr(page, "reverse_subpage"):
            page_url = page.get_url(request=context.get("request"))
            if page_url:
                context["csv_url"] = page_url + page.reverse_subpage(
                    "measure_csv", kwargs={"number": number}
                )
        context["analysis"] = context["chart_svg"] = None
        if context["enough_for_run_chart"]:
            points = [runchart.Point(p["date"], p["value"]) for p in value["data_points"]]
            cycles = [
                runchart.Cycle(
                    number=position,
                    start=cycle.value["start_date"],
                    end=cycle.value.get("end_date"),
                    title=cycle.value["title"],
                )
                for position, cycle in enumerate(getattr(page, "pdsa_cycles", None) or [], 1)
            ]
            analysis = runchart.analyse(points)
            context["analysis"] = analysis
            context["chart_svg"] = runchart.render_svg(
                points,
                analysis.median,
                cycles,
                value["unit"],
                value["name"],
                highlighted=analysis.highlighted,
                astronomical=analysis.astronomical,
                id_prefix=f"measure-{number or 1}-chart",
            )
        return context


class StoryBodyBlock(blocks.StreamBlock):
    """Narrative content: used for case stories and training material bodies."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=RICH_FEATURES, template="blocks/paragraph_block.html"
    )
    esther_voice = QuoteBlock(
        label=_("In Esther's voice"),
        template="blocks/esther_voice_block.html",
        icon="user",
    )
    quote = QuoteBlock()
    image = ImageBlock()

    class Meta:
        label = _("Body")
