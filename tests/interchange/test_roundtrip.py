"""Export → import loses nothing: the backup path and the way networks share their work."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command
from django.db import models
from django.test import TestCase, override_settings
from wagtail.fields import StreamField
from wagtail.models import Locale, Page
from wagtail.utils.file import hash_filelike

from cms.interchange.exporter import CONTENT_FILE, export_content
from cms.interchange.importer import Importer
from cms.interchange.schema import SourceDocument, Validator
from cms.knowledge.models import CaseStoryPage
from cms.media.models import EstherDocument, EstherImage
from cms.settings.base import BASE_DIR
from cms.taxonomy.models import KnowledgeTag, Organisation, Theme
from search.models import GlossaryTerm

MEDIA_ROOT = BASE_DIR / "build" / "test-media"
PAGE_FIELDS = {field.name for field in Page._meta.get_fields()}
COMMON = ("title", "slug", "live", "show_in_menus", "seo_title", "search_description")


def _file_hash(obj) -> str:
    with obj.file.open("rb") as handle:
        return hash_filelike(handle)


def _media_identity(model, pk: Any) -> Any:
    obj = model.objects.filter(pk=pk).first()
    return None if obj is None else (obj.title, _file_hash(obj))


def _normalise(value: Any, name: str = "") -> Any:
    """Stream data without block ids, with image and document ids replaced by their content."""
    if isinstance(value, dict):
        return {key: _normalise(item, key) for key, item in value.items() if key != "id"}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if name == "image" and isinstance(value, int):
        return ("image", _media_identity(EstherImage, value))
    if name == "document" and isinstance(value, int):
        return ("document", _media_identity(EstherDocument, value))
    return value


def _page_snapshot(page: Page) -> dict[str, Any]:
    parent = page.get_parent()
    data: dict[str, Any] = {
        "type": type(page).__name__,
        "parent": parent.url_path if parent.depth > 1 else None,
        **{name: getattr(page, name) for name in COMMON},
    }
    for field in type(page)._meta.get_fields():
        if field.name in PAGE_FIELDS or field.auto_created or field.name.endswith("_ptr"):
            continue
        if isinstance(field, StreamField):
            data[field.name] = _normalise(list(getattr(page, field.name).raw_data))
        elif field.name == "tags":
            data["tags"] = sorted(tag.name for tag in page.tags.all())
        elif isinstance(field, models.ManyToManyField):
            data[field.name] = sorted(str(obj.slug) for obj in getattr(page, field.name).all())
        elif isinstance(field, models.ForeignKey | models.OneToOneField):
            target = getattr(page, field.name)
            if target is None:
                data[field.name] = None
            elif isinstance(target, EstherImage):
                data[field.name] = _media_identity(EstherImage, target.pk)
            elif isinstance(target, Page):
                data[field.name] = target.url_path
            else:
                data[field.name] = target.slug
        elif field.concrete:
            data[field.name] = getattr(page, field.name)
    return data


def snapshot() -> dict[str, Any]:
    def rows(queryset, *names):
        return sorted(tuple(getattr(obj, name) for name in names) for obj in queryset)

    pages = Page.objects.filter(depth__gt=1, locale=Locale.get_default()).specific()
    return {
        "themes": rows(
            Theme.objects.all(),
            "slug",
            "name",
            "name_en",
            "description",
            "description_en",
            "sort_order",
        ),
        "organisations": rows(
            Organisation.objects.all(),
            *("slug", "name", "name_en", "kind", "area", "country"),
            *("description", "description_en"),
        ),
        "glossary": rows(GlossaryTerm.objects.all(), "swedish", "english", "note"),
        "tags": sorted(KnowledgeTag.objects.values_list("name", flat=True)),
        "images": sorted(
            (image.title, image.alt_text, _file_hash(image)) for image in EstherImage.objects.all()
        ),
        "documents": sorted((doc.title, _file_hash(doc)) for doc in EstherDocument.objects.all()),
        "pages": {page.url_path: _page_snapshot(page) for page in pages},
    }


def wipe_content() -> None:
    for page in Page.get_first_root_node().get_children():
        page.delete()
    for model in (Theme, Organisation, GlossaryTerm, KnowledgeTag, EstherImage, EstherDocument):
        model.objects.all().delete()


@override_settings(MEDIA_ROOT=MEDIA_ROOT)
class RoundTripTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())

    def setUp(self):
        # The demo's files live where setUpTestData put them, whatever a fixture says.
        media = override_settings(MEDIA_ROOT=MEDIA_ROOT)
        media.enable()
        self.addCleanup(media.disable)

    def tmp(self) -> Path:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        return Path(folder.name)

    def test_export_then_import_loses_nothing(self):
        # Beyond the demo: a draft, SEO fields and a story without a quote attribution.
        Page.objects.get(
            slug="trygg-hemgang-skora-aldre", locale__language_code="sv"
        ).specific.unpublish()
        story = CaseStoryPage.objects.order_by("path").first()
        story.seo_title = "SEO-titel"
        story.search_description = "Beskrivning för sökmotorer"
        story.quote_attribution = ""
        story.save_revision().publish()
        before = snapshot()
        self.assertGreaterEqual(len(before["pages"]), 40)
        folder = self.tmp()
        report = export_content(folder)
        self.assertEqual(report.warnings, [])

        wipe_content()
        self.assertEqual(Page.objects.filter(depth__gt=1).count(), 0)
        Importer().run([folder])

        after = snapshot()
        for key in before:
            if key != "pages":
                self.assertEqual(after[key], before[key], key)
        self.assertEqual(sorted(after["pages"]), sorted(before["pages"]))
        for path, page in before["pages"].items():
            self.assertEqual(after["pages"][path], page, path)
        self.assertFalse(after["pages"]["/hem/eksjo/trygg-hemgang-skora-aldre/"]["live"])
        self.assertEqual(after["pages"][story.url_path]["seo_title"], "SEO-titel")

    def test_export_is_deterministic_and_valid(self):
        first, second = self.tmp(), self.tmp()
        export_content(first)
        export_content(second)
        content = (first / CONTENT_FILE).read_text(encoding="utf-8")
        self.assertEqual(content, (second / CONTENT_FILE).read_text(encoding="utf-8"))
        files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
        self.assertEqual(
            files, sorted(path.relative_to(second) for path in second.rglob("*") if path.is_file())
        )
        for name in files:
            self.assertEqual((first / name).read_bytes(), (second / name).read_bytes(), name)

        data = json.loads(content)
        problems = Validator([SourceDocument(first / CONTENT_FILE, data)]).run()
        self.assertEqual(problems.messages, [])
        keys = [page["key"] for page in data["pages"]]
        self.assertEqual(keys[0], "hem")
        self.assertTrue(any(page.get("adapted_from") for page in data["pages"]))

    def test_reimporting_an_export_into_the_same_site_creates_nothing(self):
        folder = self.tmp()
        export_content(folder)
        report = Importer().run([folder])
        self.assertEqual(sum(report.created.values()), 0, report.summary())

    def test_drafts_and_unrepresentable_content_are_reported(self):
        project = Page.objects.get(
            slug="trygg-hemgang-skora-aldre", locale__language_code="sv"
        ).specific
        project.unpublish()
        project.refresh_from_db()
        KnowledgeTag.objects.create(name="oanvänd", slug="oanvand")
        folder = self.tmp()
        report = export_content(folder)
        data = json.loads((folder / CONTENT_FILE).read_text(encoding="utf-8"))
        exported = next(page for page in data["pages"] if page["slug"] == project.slug)
        self.assertIs(exported["live"], False)
        self.assertTrue(any("oanvänd" in warning for warning in report.warnings))

    def test_command_refuses_a_folder_that_is_not_empty(self):
        folder = self.tmp()
        (folder / "something.txt").write_text("x", encoding="utf-8")
        with self.assertRaises(CommandError):
            call_command("export_content", str(folder), stdout=io.StringIO())
        out = io.StringIO()
        call_command("export_content", str(folder), "--force", stdout=out, stderr=io.StringIO())
        self.assertIn("Exported to", out.getvalue())
        self.assertTrue((folder / CONTENT_FILE).is_file())
