"""Upload checks for images and documents, on top of what Wagtail 8 already does.

Wagtail 8 already checks, for images (``WagtailImageField``): the extension against
``WAGTAILIMAGES_EXTENSIONS``, that the format Willow detects matches the extension, the file size
(``WAGTAILIMAGES_MAX_UPLOAD_SIZE``) and the pixel count including frames
(``WAGTAILIMAGES_MAX_IMAGE_PIXELS``, also catching Pillow's decompression bomb error). For
documents it checks the size (``WagtailDocumentField`` with ``WAGTAILDOCS_MAX_UPLOAD_SIZE``) and
the extension (``AbstractDocument.clean`` with ``WAGTAILDOCS_EXTENSIONS``).

What is missing, and added here:

* images: only JPEG, PNG, WebP and GIF, judged by what Pillow reads from the content (Wagtail's
  default list also allows AVIF); a damaged file gets a message instead of a server error
  (Willow decodes the image inside Wagtail's pixel check and its OSError is not caught there);
  the pixel count is checked from the header *before* that decode, so an image just under
  Pillow's own bomb limit is not decoded into memory only to be refused; PNG checksums are
  verified;
* documents: the content must match the extension (a PDF starts with ``%PDF-``, OOXML and ODF
  files are zip archives with the parts of their type, CSV/TXT are text), Office files with
  macros are refused, and the extension message says what to do;
* titles, alt texts and file names are public, so they are checked for personal identity
  numbers like page text (no patient data may be published).
"""

from __future__ import annotations

import os
import warnings
import zipfile
from typing import IO

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from cms.knowledge.privacy import PERSONAL_NUMBER_MESSAGE, find_personal_identity_numbers

ALLOWED_IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}

FILE_NAME_PERSONAL_NUMBER_MESSAGE = _(
    "The file name contains what looks like a Swedish personal identity number (%(numbers)s). "
    "Rename the file and upload it again: no patient data may be published."
)


def _check_text(value: str | None, message=PERSONAL_NUMBER_MESSAGE) -> None:
    numbers = find_personal_identity_numbers(value or "")
    if numbers:
        raise forms.ValidationError(
            message, code="personal_identity_number", params={"numbers": ", ".join(numbers)}
        )


def _file_name_numbers(uploaded) -> list[str]:
    name = os.path.basename(getattr(uploaded, "name", "") or "")
    return find_personal_identity_numbers(os.path.splitext(name)[0].replace("_", " "))


# Images ------------------------------------------------------------------------------------


class EstherImageField(WagtailImageField):
    """Wagtail's image field, safe with damaged files and checking pixels before decoding."""

    def _check_header_pixels(self, data) -> None:
        if not self.max_image_pixels or not hasattr(data, "seek"):
            return
        try:
            data.seek(0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
                with PILImage.open(data) as image:  # reads the header only
                    width, height = image.size
        except PILImage.DecompressionBombError:
            width = height = None
        except Exception:  # not something Pillow knows: Wagtail reports it below
            return
        finally:
            data.seek(0)
        if width is None or width * height > self.max_image_pixels:
            raise forms.ValidationError(
                self.error_messages["file_too_many_pixels"]
                % {
                    "num_pixels": width * height if width is not None else _("unknown number"),
                    "max_pixels_count": self.max_image_pixels,
                },
                code="file_too_many_pixels",
            )

    def to_python(self, data):
        if data:
            self._check_header_pixels(data)
        try:
            return super().to_python(data)
        except forms.ValidationError:
            raise
        except Exception as exc:  # Willow/Pillow decoding a damaged file (OSError, SyntaxError…)
            raise forms.ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from exc


class EstherImageForm(BaseImageForm):
    """Wagtail's image form plus a content-type allowlist, damage checks and privacy checks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None:
            if type(field) is WagtailImageField:
                # Wagtail builds this field in its own formfield callback; swapping the class of
                # this form's copy keeps its settings-based limits, labels and widget.
                field.__class__ = EstherImageField
            field.error_messages["invalid_image"] = _(
                "This file is not an image we can read, or it is damaged. Upload a JPEG, PNG, "
                "WebP or GIF image: open it in an image program and save it again if needed."
            )

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if not uploaded or "file" not in self.changed_data:
            return uploaded
        numbers = _file_name_numbers(uploaded)
        if numbers:
            raise forms.ValidationError(
                FILE_NAME_PERSONAL_NUMBER_MESSAGE, params={"numbers": ", ".join(numbers)}
            )
        image_format = self._decode(uploaded)
        if image_format not in ALLOWED_IMAGE_FORMATS:
            raise forms.ValidationError(
                _(
                    "%(format)s images cannot be published here. Save the image as JPEG (photos) "
                    "or PNG (diagrams, screenshots) and upload that file."
                ),
                code="image_format_not_allowed",
                params={"format": image_format or "?"},
            )
        return uploaded

    def _decode(self, uploaded: IO[bytes]) -> str | None:
        """Check the image with Pillow's ``verify()``; return its format (e.g. 'PNG').

        Wagtail (through Willow) has already decoded the first frame, which catches truncated
        and garbled pixel data; ``verify()`` adds the PNG chunk checksums. The size and pixel
        count were checked before any decoding.
        """
        error = forms.ValidationError(
            _(
                "This image file is damaged and cannot be shown. Open it in an image program, "
                "save it again as JPEG or PNG, and upload the new file."
            ),
            code="image_damaged",
        )
        try:
            uploaded.seek(0)
            with PILImage.open(uploaded) as image:
                image_format = image.format
                image.verify()
        except Exception as exc:  # Pillow raises many types (and bomb warnings) for bad data
            raise error from exc
        finally:
            uploaded.seek(0)
        return image_format

    def clean_title(self):
        title = self.cleaned_data.get("title")
        _check_text(title)
        return title

    def clean_alt_text(self):
        alt_text = self.cleaned_data.get("alt_text")
        _check_text(alt_text)
        return alt_text


# Documents ---------------------------------------------------------------------------------

OOXML_MAIN_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
ODF_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
TEXT_EXTENSIONS = {"csv", "txt"}
SNIFF_BYTES = 64 * 1024

DOCUMENT_TYPE_NAMES = {
    "pdf": "PDF",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "pptx": "PowerPoint (.pptx)",
    "odt": "OpenDocument text (.odt)",
    "ods": "OpenDocument spreadsheet (.ods)",
    "odp": "OpenDocument presentation (.odp)",
    "csv": "CSV",
    "txt": "text (.txt)",
}


def allowed_document_extensions() -> list[str]:
    return [ext.lower() for ext in getattr(settings, "WAGTAILDOCS_EXTENSIONS", None) or []]


def _zip_names(uploaded: IO[bytes]) -> tuple[zipfile.ZipFile, list[str]] | None:
    try:
        archive = zipfile.ZipFile(uploaded)
        return archive, archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def content_matches_extension(uploaded: IO[bytes], extension: str) -> bool:
    """Whether the first bytes / archive structure of ``uploaded`` fit its ``extension``.

    The browser's content type and the extension are chosen by whoever uploads, so they prove
    nothing; a renamed HTML page or program must not be published as a "PDF".
    """
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    if extension == "pdf":
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-")
    if extension in OOXML_MAIN_PARTS or extension in ODF_MIMETYPES:
        if not head.startswith(b"PK\x03\x04"):
            return False
        opened = _zip_names(uploaded)
        if opened is None:
            return False
        archive, names = opened
        try:
            if extension in OOXML_MAIN_PARTS:
                return "[Content_Types].xml" in names and OOXML_MAIN_PARTS[extension] in names
            if "mimetype" not in names:
                return False
            mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
            return mimetype == ODF_MIMETYPES[extension]
        except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
            return False
        finally:
            archive.close()
            uploaded.seek(0)
    if extension in TEXT_EXTENSIONS:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM (Excel "Unicode text")
            return True
        return b"\x00" not in head
    return False


def has_macros(uploaded: IO[bytes]) -> bool:
    """Whether an OOXML/ODF archive carries macros (VBA project or ODF Basic scripts)."""
    opened = _zip_names(uploaded)
    if opened is None:
        return False
    archive, names = opened
    archive.close()
    uploaded.seek(0)
    return any(
        name.lower().endswith("vbaproject.bin") or name.startswith("Basic/") for name in names
    )


class EstherDocumentForm(BaseDocumentForm):
    """Wagtail's document form plus content checks and privacy checks.

    Wagtail checks the size limit (in the field) and the extension (in the model's clean);
    the extension is checked here first as well, so the editor gets one message that says what
    to do instead of Django's generic one.
    """

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if not uploaded or "file" not in self.changed_data:
            return uploaded
        allowed = allowed_document_extensions()
        extension = os.path.splitext(uploaded.name)[1].lower().lstrip(".")
        if extension not in allowed:
            raise forms.ValidationError(
                _(
                    "Files of type “.%(extension)s” cannot be published here. Upload a PDF "
                    "(best for reading), an Office or OpenDocument file, or CSV/text: "
                    "%(allowed)s."
                ),
                code="document_extension_not_allowed",
                params={
                    "extension": extension or "?",
                    "allowed": ", ".join(f".{ext}" for ext in allowed),
                },
            )
        numbers = _file_name_numbers(uploaded)
        if numbers:
            raise forms.ValidationError(
                FILE_NAME_PERSONAL_NUMBER_MESSAGE, params={"numbers": ", ".join(numbers)}
            )
        if not content_matches_extension(uploaded, extension):
            raise forms.ValidationError(
                _(
                    "This file ends in “.%(extension)s” but is not a %(type)s file inside, or it "
                    "is damaged. Open it in the program that made it, save or export it as "
                    "%(type)s again, and upload the new file."
                ),
                code="document_content_mismatch",
                params={
                    "extension": extension,
                    "type": DOCUMENT_TYPE_NAMES.get(extension, extension.upper()),
                },
            )
        if (extension in OOXML_MAIN_PARTS or extension in ODF_MIMETYPES) and has_macros(uploaded):
            raise forms.ValidationError(
                _(
                    "This file contains macros, which cannot be published. Save a copy without "
                    "macros (e.g. as .docx/.xlsx, or as PDF) and upload that."
                ),
                code="document_has_macros",
            )
        uploaded.seek(0)
        return uploaded

    def clean_title(self):
        title = self.cleaned_data.get("title")
        _check_text(title)
        return title
