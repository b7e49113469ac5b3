"""Image and document models.

Custom models from day one because swapping Wagtail's image model later is a painful migration,
and because this site needs required alt text on every image (WCAG 2.1 AA) rather than Wagtail's
optional description.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument, Document
from wagtail.images.models import AbstractImage, AbstractRendition, Image


class EstherImage(AbstractImage):
    alt_text = models.CharField(
        _("alt text"),
        max_length=255,
        help_text=_(
            "Describe what the image shows for someone who cannot see it, e.g. "
            "'Two nurses plan a discharge together at a whiteboard'. Required."
        ),
    )

    admin_form_fields = (*Image.admin_form_fields, "alt_text")

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")

    @property
    def default_alt_text(self) -> str:
        # Wagtail's {% image %} tag uses this for the alt attribute.
        return self.alt_text


class EstherRendition(AbstractRendition):
    image = models.ForeignKey(EstherImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class EstherDocument(AbstractDocument):
    admin_form_fields = Document.admin_form_fields

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")
