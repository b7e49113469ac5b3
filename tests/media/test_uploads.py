"""Uploads through the Wagtail admin: only real, undamaged files of the allowed types."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from wagtail.models import Collection
from wagtail.users.models import UserProfile

from cms.media.models import EstherDocument, EstherImage

pytestmark = pytest.mark.django_db

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def editor(client, django_user_model):
    """An editor whose admin is in English, so the messages below read as written."""
    user = django_user_model.objects.create_superuser("redaktor", "r@example.se", "pw-for-tests")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


def png_bytes(size=(20, 10), image_format="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, image_format)
    return buffer.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels but carries almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def post_image(editor, name: str, content: bytes, title="Whiteboard"):
    return editor.post(
        reverse("wagtailimages:add"),
        {
            "title": title,
            "alt_text": "Två sjuksköterskor vid en whiteboard",
            "collection": Collection.get_first_root_node().pk,
            "tags": "",
            "file": SimpleUploadedFile(name, content),
        },
    )


def post_document(editor, name: str, content: bytes, title="PDSA-mall"):
    return editor.post(
        reverse("wagtaildocs:add"),
        {
            "title": title,
            "collection": Collection.get_first_root_node().pk,
            "tags": "",
            "file": SimpleUploadedFile(name, content),
        },
    )


# Images ----------------------------------------------------------------------------------


def test_a_png_is_accepted(editor):
    response = post_image(editor, "whiteboard.png", png_bytes())
    assert response.status_code == 302, response.content.decode()[:3000]
    assert EstherImage.objects.filter(title="Whiteboard").exists()


@pytest.mark.parametrize("image_format", ["JPEG", "GIF", "WEBP"])
def test_other_allowed_formats_are_accepted(editor, image_format):
    extension = {"JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}[image_format]
    response = post_image(editor, f"bild.{extension}", png_bytes(image_format=image_format))
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_text_file_named_png_is_refused_with_a_clear_message(editor):
    response = post_image(editor, "whiteboard.png", "Det här är ingen bild.\n".encode() * 20)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This file is not an image we can read, or it is damaged" in html
    assert "Upload a JPEG, PNG, WebP or GIF image" in html
    assert not EstherImage.objects.exists()


def test_a_corrupt_png_is_refused(editor):
    data = bytearray(png_bytes(size=(64, 64)))
    idat = data.index(b"IDAT")
    data[idat + 8 : idat + 20] = b"\xff" * 12  # garble the compressed pixels, keep the header
    response = post_image(editor, "trasig.png", bytes(data))
    assert response.status_code == 200
    assert "damaged" in response.content.decode()
    assert not EstherImage.objects.exists()


def test_a_truncated_jpeg_is_refused(editor):
    data = png_bytes(size=(200, 200), image_format="JPEG")
    response = post_image(editor, "trasig.jpg", data[: len(data) // 2])
    assert response.status_code == 200
    assert "damaged" in response.content.decode()
    assert not EstherImage.objects.exists()


def test_too_many_pixels_is_refused(editor, settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 100
    response = post_image(editor, "stor.png", png_bytes(size=(20, 10)))
    assert response.status_code == 200
    assert not EstherImage.objects.exists()


def test_a_header_claiming_huge_dimensions_is_refused(editor):
    response = post_image(editor, "bomb.png", png_header_claiming(30_000, 30_000))
    assert response.status_code == 200
    assert not EstherImage.objects.exists()


def test_a_disallowed_image_format_is_refused(editor):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "TIFF")
    response = post_image(editor, "bild.tiff", buffer.getvalue())
    assert response.status_code == 200
    assert not EstherImage.objects.exists()


def test_a_personnummer_in_an_image_title_is_refused(editor):
    response = post_image(editor, "bild.png", png_bytes(), title="Esther 19121212-1212")
    assert response.status_code == 200
    assert "19121212-****" in response.content.decode()
    assert not EstherImage.objects.exists()


# Documents -------------------------------------------------------------------------------


def test_a_real_tiny_pdf_is_accepted(editor):
    response = post_document(editor, "mall.pdf", TINY_PDF)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert EstherDocument.objects.filter(title="PDSA-mall").exists()


@pytest.mark.parametrize("name", ["program.exe", "sida.html"])
def test_executables_and_html_are_refused(editor, name):
    response = post_document(editor, name, b"MZ\x90\x00" if name.endswith("exe") else b"<html>")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be published here" in html
    assert ".pdf" in html  # says what to upload instead
    assert not EstherDocument.objects.exists()


def test_a_fake_pdf_is_refused(editor):
    response = post_document(editor, "mall.pdf", b"<html><script>alert(1)</script></html>")
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a PDF file inside" in html
    assert not EstherDocument.objects.exists()


def ooxml(main_part: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def odf(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def test_office_and_opendocument_files_are_accepted(editor):
    for name, content in (
        ("a.docx", ooxml("word/document.xml")),
        ("b.xlsx", ooxml("xl/workbook.xml")),
        ("c.odt", odf("application/vnd.oasis.opendocument.text")),
        ("d.csv", "datum;värde\n2024-01-01;3\n".encode("cp1252")),
    ):
        response = post_document(editor, name, content, title=name)
        assert response.status_code == 302, (name, response.content.decode()[:3000])


def test_a_workbook_renamed_to_docx_is_refused(editor):
    response = post_document(editor, "a.docx", ooxml("xl/workbook.xml"))
    assert response.status_code == 200
    assert not EstherDocument.objects.exists()


def test_office_files_with_macros_are_refused(editor):
    content = ooxml("word/document.xml", {"word/vbaProject.bin": b"\x00\x01"})
    response = post_document(editor, "a.docx", content)
    assert response.status_code == 200
    assert "macros" in response.content.decode()


def test_a_binary_named_txt_is_refused(editor):
    response = post_document(editor, "a.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00")
    assert response.status_code == 200
    assert not EstherDocument.objects.exists()


def test_a_too_large_document_is_refused(editor, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 50
    response = post_document(editor, "mall.pdf", TINY_PDF)
    assert response.status_code == 200
    assert not EstherDocument.objects.exists()


def test_a_personnummer_in_a_document_title_is_refused(editor):
    response = post_document(editor, "mall.pdf", TINY_PDF, title="Journal 811218-9876")
    assert response.status_code == 200
    html = response.content.decode()
    assert "811218-****" in html
    assert not EstherDocument.objects.exists()


def test_a_personnummer_in_a_file_name_is_refused(editor):
    response = post_document(editor, "journal_191212121212.pdf", TINY_PDF)
    assert response.status_code == 200
    assert "Rename the file" in response.content.decode()
    assert not EstherDocument.objects.exists()


def test_the_multiple_uploader_applies_the_same_checks(editor):
    response = editor.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("mall.pdf", b"<html>not a pdf</html>")},
    )
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert not EstherDocument.objects.exists()
