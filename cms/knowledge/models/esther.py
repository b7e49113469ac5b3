"""The "Esther lens": fields shared by projects and stories (DESIGN.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class CoProduction(models.TextChoices):
    NONE = "none", _("No")
    PATIENTS = "patients", _("Yes, with patients")
    RELATIVES = "relatives", _("Yes, with relatives")
    BOTH = "both", _("Yes, with patients and relatives")


class EstherLensMixin(models.Model):
    what_matters_to_esther = models.TextField(
        _("what matters to Esther?"),
        blank=True,
        help_text=_("What does this work change for the person with complex care needs?"),
    )
    co_produced = models.CharField(
        _("co-produced"),
        max_length=20,
        choices=CoProduction.choices,
        default=CoProduction.NONE,
        help_text=_("Did patients or relatives take part in designing the work?"),
    )

    esther_panels = [
        MultiFieldPanel(
            [FieldPanel("what_matters_to_esther"), FieldPanel("co_produced")],
            heading=_("Esther"),
        )
    ]

    class Meta:
        abstract = True
