"""Export all content in the documented JSON format (docs/content-format.md).

The export is the backup path and the way another Esther network shares its work: one
``content.json`` plus the image and document files next to it, which ``import_content`` reads
back. Everything the database holds that the format cannot carry is listed as a warning, never
dropped silently.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.utils.text import slugify
from wagtail.models import Locale, Page

from cms.browse.models import KnowledgeListingPage, SectionPage, ThemeIndexPage
from cms.home.models import HomePage
from cms.interchange.importer import KNOWLEDGE_FIELDS, PLAIN_FIELDS
from cms.interchange.schema import FORMAT_NAME, SourceDocument, Validator
from cms.knowledge.models import (
    CaseStoryPage,
    ImprovementProjectPage,
    KnowledgePage,
    TrainingMaterialPage,
)
from cms.media.models import EstherDocument, EstherImage
from cms.taxonomy.models import KnowledgeTag, Organisation, Theme
from search.models import GlossaryTerm

CONTENT_FILE = "content.json"
FORMAT_VERSION = 1
PAGE_TYPES: dict[type[Page], str] = {
    HomePage: "home",
    SectionPage: "section",
    ThemeIndexPage: "theme_index",
    KnowledgeListingPage: "listing",
    ImprovementProjectPage: "project",
    TrainingMaterialPage: "training",
    CaseStoryPage: "story",
}
DATE_FIELDS = {"date", "start_date", "end_date"}


@dataclass
class ExportReport:
    counts: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    path: Path | None = None

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def summary(self) -> str:
        return "\n".join(f"{kind:>18}: {self.counts[kind]}" for kind in sorted(self.counts))


def export_content(target_dir: Path) -> ExportReport:
    """Write ``content.json`` and the media files into ``target_dir``."""
    return Exporter(Path(target_dir)).run()


def page_key(page: Page) -> str:
    """A page's key is its URL path ("hem/eksjo/trygg-hemgang"): stable across databases."""
    return page.url_path.strip("/")


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _stream(raw: Any) -> list[dict]:
    """StreamField raw data as a list of {"type", "value"} dicts."""
    return [item for item in (raw or []) if isinstance(item, dict)]


def _list_items(raw: Any) -> list[Any]:
    """ListBlock raw data, stored either as plain values or as {"type": "item", "value"}."""
    return [
        item["value"] if isinstance(item, dict) and item.get("type") == "item" else item
        for item in (raw or [])
    ]


class Exporter:
    def __init__(self, target_dir: Path) -> None:
        self.target = target_dir
        self.report = ExportReport()
        self.image_keys: dict[int, str] = {}
        self.document_keys: dict[int, str] = {}

    def run(self) -> ExportReport:
        self.target.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "themes": self._themes(),
            "organisations": self._organisations(),
            "glossary": self._glossary(),
            "images": self._media(EstherImage, "images", self.image_keys),
            "documents": self._media(EstherDocument, "documents", self.document_keys),
        }
        data["pages"] = self._pages()
        data["translations"] = self._translations({item["key"] for item in data["pages"]})
        self._unrepresented()
        path = self.target / CONTENT_FILE
        path.write_text(
            json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
            encoding="utf-8",
        )
        problems = Validator([SourceDocument(path, json.loads(path.read_text("utf-8")))]).run()
        for message in problems.messages:
            self.report.warn(f"the export will not import as it is: {message}")
        self.report.path = path
        return self.report

    # Vocabularies ------------------------------------------------------------------------------

    def _themes(self) -> list[dict]:
        themes = [
            {
                "slug": theme.slug,
                "name": theme.name,
                "name_en": theme.name_en,
                "description": theme.description,
                "description_en": theme.description_en,
                "sort_order": theme.sort_order,
            }
            for theme in Theme.objects.order_by("sort_order", "name", "slug")
        ]
        self.report.counts["themes"] = len(themes)
        return themes

    def _organisations(self) -> list[dict]:
        organisations = [
            {
                "slug": organisation.slug,
                "name": organisation.name,
                "name_en": organisation.name_en,
                "kind": organisation.kind,
                "area": organisation.area,
                "country": organisation.country,
                "description": organisation.description,
                "description_en": organisation.description_en,
            }
            for organisation in Organisation.objects.order_by("kind", "name", "slug")
        ]
        self.report.counts["organisations"] = len(organisations)
        return organisations

    def _glossary(self) -> list[dict]:
        terms = [
            {"sv": term.swedish, "en": term.english, "note": term.note}
            for term in GlossaryTerm.objects.order_by("swedish")
        ]
        self.report.counts["glossary"] = len(terms)
        return terms

    # Media -------------------------------------------------------------------------------------

    def _media(self, model, folder: str, keys: dict[int, str]) -> list[dict]:
        items = []
        used: set[str] = set()
        seen: dict[tuple[str, str], str] = {}
        (self.target / folder).mkdir(exist_ok=True)
        for obj in model.objects.order_by("title", "file_hash", "pk"):
            kind = model._meta.verbose_name
            base = slugify(obj.title)[:60].strip("-") or folder[:-1]
            key, number = base, 1
            while key in used:
                number += 1
                key = f"{base}-{number}"
            used.add(key)
            suffix = PurePosixPath(obj.file.name).suffix.lower()
            relative = f"{folder}/{key}{suffix}"
            try:
                with obj.file.open("rb") as source, (self.target / relative).open("wb") as out:
                    shutil.copyfileobj(source, out)
            except OSError as error:
                self.report.warn(
                    f"{kind} {obj.title!r}: file {obj.file.name!r} unreadable ({error})"
                )
                continue
            keys[obj.pk] = key
            item = {"key": key, "file": relative, "title": obj.title}
            if model is EstherImage:
                item["alt_text"] = obj.alt_text
                self._image_extras(obj)
            if obj.file_hash and (obj.title, obj.file_hash) in seen:
                self.report.warn(
                    f"{kind} {obj.title!r} ({key}) has the same title and file as "
                    f"{seen[(obj.title, obj.file_hash)]!r}; an import merges them into one"
                )
            seen.setdefault((obj.title, obj.file_hash), key)
            if obj.tags.exists():
                self.report.warn(
                    f"{kind} {obj.title!r}: tags {sorted(obj.tags.names())} are not in the format"
                )
            if obj.collection and not obj.collection.is_root():
                self.report.warn(
                    f"{kind} {obj.title!r}: collection {obj.collection.name!r} is not in the format"
                )
            items.append(item)
        self.report.counts[folder] = len(items)
        return items

    def _image_extras(self, image: EstherImage) -> None:
        if image.focal_point_x is not None:
            self.report.warn(f"image {image.title!r}: the focal point is not in the format")
        if getattr(image, "description", ""):
            self.report.warn(f"image {image.title!r}: the description is not in the format")

    # Pages -------------------------------------------------------------------------------------

    def _pages(self) -> list[dict]:
        locale = Locale.get_default()
        root = Page.get_first_root_node()
        tree = Page.objects.descendant_of(root).filter(locale=locale).order_by("path").specific()
        items: list[dict] = []
        skipped_paths: list[str] = []
        for page in tree:
            if any(page.path.startswith(path) for path in skipped_paths):
                self.report.warn(f"page '{page.url_path}': skipped with its parent")
                continue
            page_type = PAGE_TYPES.get(type(page))
            parent_ok = page.depth == 2 if page_type == "home" else page.depth > 2
            if page_type is None or not parent_ok:
                self.report.warn(
                    f"page '{page.url_path}' ({type(page).__name__}): this page type or place "
                    "in the tree is not in the format; skipped with its subpages"
                )
                skipped_paths.append(page.path)
                continue
            item = self._page(page, page_type)
            if item is None:
                skipped_paths.append(page.path)
                continue
            items.append(item)
        homes = [item for item in items if item["type"] == "home"]
        if len(homes) > 1:
            self.report.warn(
                f"{len(homes)} home pages: an import makes the last one the default site's root"
            )
        ordered = self._order(items)
        for item in ordered:
            self.report.counts[f"page:{item['type']}"] += 1
        return ordered

    def _translations(self, exported: set[str]) -> list[dict]:
        """Translated pages, each as its source page's object in the other language.

        Aliases (untranslated pages shown in another locale) are left out: an import recreates
        them from the locale's "Sync from" setting. A page in another locale without a source
        page in the default locale cannot be written in the format, and is reported.
        """
        default = Locale.get_default()
        sources = {
            page.translation_key: page
            for page in Page.objects.filter(locale=default, depth__gt=1).only(
                "translation_key", "url_path"
            )
        }
        items: list[dict] = []
        others = (
            Page.objects.filter(depth__gt=1, alias_of__isnull=True)
            .exclude(locale=default)
            .select_related("locale")
            .order_by("path")
            .specific()
        )
        for page in others:
            source = sources.get(page.translation_key)
            page_type = PAGE_TYPES.get(type(page))
            if source is None or page_key(source) not in exported or page_type is None:
                self.report.warn(
                    f"page '{page.url_path}' ({page.locale.language_code}): not a translation "
                    "of an exported page; not in the export"
                )
                continue
            item = self._page(page, page_type)
            if item is None:
                continue
            item["key"] = page_key(source)
            item["locale"] = page.locale.language_code
            item.pop("parent", None)
            items.append(item)
            self.report.counts[f"translation:{page.locale.language_code}"] += 1
        return items

    def _order(self, items: list[dict]) -> list[dict]:
        """Tree order, but a project only after its parent and the project it was adapted from."""
        by_key = {item["key"]: item for item in items}
        done: set[str] = set()
        ordered: list[dict] = []

        def visit(item: dict, trail: tuple[str, ...]) -> None:
            key = item["key"]
            if key in done:
                return
            if item["parent"] in by_key:
                visit(by_key[item["parent"]], (*trail, key))
            source = item.get("adapted_from")
            if source is not None:
                if source in trail or source == key:
                    self.report.warn(
                        f"page '{key}': adapted_from {source!r} forms a cycle; "
                        "the link is left out of the export"
                    )
                    del item["adapted_from"]
                elif source not in by_key:
                    self.report.warn(
                        f"page '{key}': adapted from '{source}', which is not in this export; "
                        "the link is left out"
                    )
                    del item["adapted_from"]
                else:
                    visit(by_key[source], (*trail, key))
            done.add(key)
            ordered.append(item)

        for item in items:
            visit(item, ())
        return ordered

    def _page(self, page: Page, page_type: str) -> dict | None:
        where = f"page '{page.url_path}'"
        if not page.live:
            latest = page.get_latest_revision_as_object()
            page = latest if latest is not None else page
        elif page.has_unpublished_changes:
            self.report.warn(
                f"{where}: unpublished draft changes are not exported (published version is)"
            )
        item: dict[str, Any] = {
            "key": page_key(page),
            "type": page_type,
            "parent": None if page_type == "home" else page_key(page.get_parent()),
            "title": page.title,
            "slug": page.slug,
            "live": bool(page.live),
            "show_in_menus": bool(page.show_in_menus),
            "seo_title": page.seo_title,
            "search_description": page.search_description,
        }
        self._page_extras(page, where)
        if page_type == "section":
            if page.organisation is None:
                self.report.warn(
                    f"{where}: a section without an organisation; skipped with its subpages"
                )
                return None
            item["organisation"] = page.organisation.slug
        for name in PLAIN_FIELDS[page_type]:
            item[name] = _iso(getattr(page, name))
        if page_type == "home":
            self._lead_image(page, item, where)
        if isinstance(page, KnowledgePage):
            self._knowledge(page, item, where)
        return item

    def _page_extras(self, page: Page, where: str) -> None:
        if page.go_live_at or page.expire_at:
            self.report.warn(
                f"{where}: scheduled publishing (go live / expiry) is not in the format"
            )
        if page.alias_of_id:
            self.report.warn(f"{where}: is an alias; exported as an ordinary copy")
        if page.get_view_restrictions().exists():
            self.report.warn(f"{where}: privacy (view restrictions) is not in the format")
        if page.locked:
            self.report.warn(f"{where}: the lock is not in the format")

    def _lead_image(self, page: Page, item: dict, where: str) -> None:
        if page.lead_image_id is None:
            return
        if page.lead_image_id in self.image_keys:
            item["lead_image"] = self.image_keys[page.lead_image_id]
        else:
            self.report.warn(f"{where}: lead image {page.lead_image_id} could not be exported")

    def _knowledge(self, page: KnowledgePage, item: dict, where: str) -> None:
        for name in KNOWLEDGE_FIELDS:
            item[name] = _iso(getattr(page, name))
        item["themes"] = sorted(theme.slug for theme in page.themes.all())
        if page.municipality_id is None:
            self.report.warn(f"{where}: no municipality; an import fills in the section's")
        else:
            item["municipality"] = page.municipality.slug
        item["tags"] = sorted(tag.name for tag in page.tags.all())
        self._lead_image(page, item, where)
        item["contacts"] = [
            {
                "name": value.get("name", ""),
                "role": value.get("role", ""),
                "organisation": value.get("organisation", ""),
                "email": value.get("email", ""),
                "is_coach": bool(value.get("is_coach", False)),
            }
            for value in self._values(page, "contacts", {"contact"}, where)
        ]
        if isinstance(page, ImprovementProjectPage):
            self._project(page, item, where)
        elif isinstance(page, TrainingMaterialPage):
            item["learning_goals"] = list(self._values(page, "learning_goals", {"goal"}, where))
            item["body"] = self._body(page, "body", where)
            item["downloads"] = self._documents(page, "downloads", where)
        elif isinstance(page, CaseStoryPage):
            item["story"] = self._body(page, "story", where)

    def _project(self, page: ImprovementProjectPage, item: dict, where: str) -> None:
        item["change_ideas"] = [
            {"title": value.get("title", ""), "description": value.get("description", "")}
            for value in self._values(page, "change_ideas", {"change_idea"}, where)
        ]
        keys = ("title", "start_date", "end_date", "plan", "do", "study", "act", "decision")
        item["pdsa_cycles"] = [
            {key: _iso(value.get(key) or (None if key == "end_date" else "")) for key in keys}
            for value in self._values(page, "pdsa_cycles", {"pdsa_cycle"}, where)
        ]
        item["measures"] = [
            {
                "name": value.get("name", ""),
                "kind": value.get("kind", "outcome"),
                "unit": value.get("unit", ""),
                "definition": value.get("definition", ""),
                "goal": value.get("goal", ""),
                "higher_is_better": bool(value.get("higher_is_better", False)),
                "data_points": [
                    {
                        "date": _iso(point.get("date")),
                        "value": point.get("value"),
                        "note": point.get("note", ""),
                    }
                    for point in _list_items(value.get("data_points"))
                ],
            }
            for value in self._values(page, "measures", {"measure"}, where)
        ]
        item["attachments"] = self._documents(page, "attachments", where)
        if page.adapted_from_id is not None:
            item["adapted_from"] = page_key(page.adapted_from)

    def _values(self, page: Page, name: str, types: set[str], where: str):
        for block in _stream(getattr(page, name).raw_data):
            if block["type"] not in types:
                self.report.warn(f"{where}: {name} block {block['type']!r} is not in the format")
                continue
            yield block["value"]

    def _documents(self, page: Page, name: str, where: str) -> list[dict]:
        entries = []
        for value in self._values(page, name, {"document"}, where):
            key = self.document_keys.get(value.get("document"))
            if key is None:
                self.report.warn(
                    f"{where}: {name} links document {value.get('document')!r}, "
                    "which no longer exists; left out"
                )
                continue
            entries.append(
                {
                    "document": key,
                    "title": value.get("title", ""),
                    "description": value.get("description", ""),
                }
            )
        return entries

    def _body(self, page: Page, name: str, where: str) -> list[dict]:
        blocks = []
        types = {"heading", "paragraph", "esther_voice", "quote", "image"}
        for block in _stream(getattr(page, name).raw_data):
            kind, value = block["type"], block["value"]
            if kind not in types:
                self.report.warn(f"{where}: {name} block {kind!r} is not in the format")
            elif kind == "heading":
                blocks.append({"type": kind, "text": value.get("text", "")})
            elif kind == "paragraph":
                blocks.append({"type": kind, "html": value})
            elif kind == "image":
                key = self.image_keys.get(value.get("image"))
                if key is None:
                    self.report.warn(
                        f"{where}: {name} shows image {value.get('image')!r}, which no longer "
                        "exists; left out"
                    )
                    continue
                blocks.append({"type": kind, "image": key, "caption": value.get("caption", "")})
            else:
                blocks.append(
                    {
                        "type": kind,
                        "text": value.get("text", ""),
                        "attribution": value.get("attribution", ""),
                    }
                )
        return blocks

    # What the format does not carry ------------------------------------------------------------

    def _unrepresented(self) -> None:
        unused = KnowledgeTag.objects.filter(tagged_pages__isnull=True).order_by("name")
        names = [tag.name for tag in unused]
        if names:
            self.report.warn(f"{len(names)} tag(s) used by no page are not exported: {names}")
        optional = (
            ("wagtailredirects", "Redirect", "redirect(s)"),
            ("wagtailsearchpromotions", "SearchPromotion", "promoted search result(s)"),
        )
        for app_label, model_name, label in optional:
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                continue
            count = model.objects.count()
            if count:
                self.report.warn(f"{count} {label} are not in the format")
