"""Import content in the documented JSON format (docs/content-format.md).

The demo content, a migration from another system and a restore from an export all go through
this one code path, so what the demo shows is what a real import does.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from wagtail.models import Locale, Page, Site
from wagtail.utils.file import hash_filelike

from cms.browse.models import KnowledgeListingPage, SectionPage, ThemeIndexPage
from cms.core.languages import ensure_site_locales
from cms.home.models import HomePage
from cms.interchange import translations
from cms.interchange.deferred_indexing import deferred_indexing
from cms.interchange.schema import SourceDocument, Validator
from cms.knowledge.models import (
    CaseStoryPage,
    ImprovementProjectPage,
    KnowledgePage,
    TrainingMaterialPage,
)
from cms.media.models import EstherDocument, EstherImage
from cms.taxonomy.models import Organisation, Theme
from search import glossary
from search.models import GlossaryTerm

logger = logging.getLogger(__name__)

PAGE_MODELS: dict[str, type[Page]] = {
    "home": HomePage,
    "section": SectionPage,
    "theme_index": ThemeIndexPage,
    "listing": KnowledgeListingPage,
    "project": ImprovementProjectPage,
    "training": TrainingMaterialPage,
    "story": CaseStoryPage,
}
PAGE_TYPES = {model: name for name, model in PAGE_MODELS.items()}
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"
COMMON_PAGE_FIELDS = ("title", "slug", "seo_title", "search_description", "show_in_menus")
PLAIN_FIELDS = {
    "home": ("intro",),
    "section": ("intro",),
    "theme_index": ("intro",),
    "listing": ("kind", "intro"),
    "project": (
        "aim",
        "background",
        "status",
        "start_date",
        "end_date",
        "what_matters_to_esther",
        "co_produced",
        "results",
        "lessons_learned",
    ),
    "training": ("module", "audience", "format", "duration_minutes"),
    "story": (
        "what_changed",
        "outcome",
        "quote",
        "quote_attribution",
        "what_matters_to_esther",
        "co_produced",
    ),
}
KNOWLEDGE_FIELDS = ("summary", "summary_en", "date")


class ContentError(Exception):
    """The input does not follow the format; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        kinds = sorted({*self.created, *self.updated, *self.unchanged})
        lines = [
            f"{kind:>14}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind in kinds
        ]
        return "\n".join([*lines, *(f"note: {note}" for note in self.notes)])


def read_sources(paths: Iterable[str | Path]) -> list[SourceDocument]:
    """Read JSON files; a directory stands for its *.json files in name order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            files.append(path)
        else:
            raise ContentError([f"{path}: no such file or directory"])
    if not files:
        raise ContentError(["no JSON files to import"])
    documents = []
    problems = []
    for file in files:
        try:
            documents.append(SourceDocument(file, json.loads(file.read_text(encoding="utf-8"))))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            problems.append(f"{file.name}: not valid UTF-8 JSON ({error})")
    if problems:
        raise ContentError(problems)
    return documents


class Importer:
    def __init__(self, update: bool = False) -> None:
        self.update = update
        self.report = ImportReport()
        self.images: dict[str, EstherImage] = {}
        self.documents: dict[str, EstherDocument] = {}
        self.pages: dict[str, Page] = {}
        self.created: list[Page] = []

    def run(self, paths: Iterable[str | Path]) -> ImportReport:
        sources = read_sources(paths)
        problems = Validator(
            sources,
            known_themes=Theme.objects.values_list("slug", flat=True),
            known_organisations=Organisation.objects.values_list("slug", flat=True),
            translation_languages=[
                code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
            ],
        ).run()
        if problems:
            raise ContentError(problems.messages)
        with transaction.atomic(), deferred_indexing():
            ensure_site_locales()
            for source in sources:
                self._import_vocabularies(source.data)
                self._import_glossary(source.data)
            for source in sources:
                self._import_media(source)
            for source in sources:
                for item in source.data.get("pages", []):
                    self._import_page(item)
            translations.synchronise_locales(self.created)
            self._import_translations(
                [
                    (source, item)
                    for source in sources
                    for item in source.data.get("translations", [])
                ]
            )
        return self.report

    # Vocabularies ------------------------------------------------------------------------------

    def _import_vocabularies(self, data: dict[str, Any]) -> None:
        vocabularies = (
            (Theme, data.get("themes", [])),
            (Organisation, data.get("organisations", [])),
        )
        for model, items in vocabularies:
            for item in items:
                values = {key: value for key, value in item.items() if key != "slug"}
                obj = model.objects.filter(slug=item["slug"]).first()
                kind = model._meta.model_name
                if obj is None:
                    model.objects.create(slug=item["slug"], **values)
                    self._count(kind, True)
                elif any(getattr(obj, key) != value for key, value in values.items()):
                    for key, value in values.items():
                        setattr(obj, key, value)
                    obj.save()
                    self._count(kind, False, updated=True)
                else:
                    self._count(kind, False)

    def _import_glossary(self, data: dict[str, Any]) -> None:
        for item in data.get("glossary", []):
            values = {"english": item["en"], "note": item.get("note", "")}
            term = GlossaryTerm.objects.filter(swedish=item["sv"]).first()
            if term is None:
                GlossaryTerm.objects.create(swedish=item["sv"], **values)
                self._count("glossary", True)
            elif (term.english, term.note) != (values["english"], values["note"]):
                GlossaryTerm.objects.filter(pk=term.pk).update(**values)
                self._count("glossary", False, updated=True)
            else:
                self._count("glossary", False)
        glossary.forget()

    # Media -------------------------------------------------------------------------------------

    def _import_media(self, source: SourceDocument) -> None:
        for item in source.data.get("images", []):
            self.images[item["key"]] = self._media_object(
                EstherImage, source.folder / item["file"], item, alt_text=item["alt_text"]
            )
        for item in source.data.get("documents", []):
            self.documents[item["key"]] = self._media_object(
                EstherDocument, source.folder / item["file"], item
            )

    def _media_object(self, model, path: Path, item: dict, **extra):
        with path.open("rb") as handle:
            file_hash = hash_filelike(handle)
        existing = model.objects.filter(title=item["title"], file_hash=file_hash).first()
        if existing:
            self._count(model._meta.model_name, False)
            return existing
        with path.open("rb") as handle:
            obj = model(title=item["title"], file=File(handle, name=path.name), **extra)
            obj.save()
        if not obj.file_hash:
            obj.file_hash = file_hash
            obj.save(update_fields=["file_hash"])
        self._count(model._meta.model_name, True)
        return obj

    # Pages -------------------------------------------------------------------------------------

    def _import_page(self, item: dict[str, Any]) -> None:
        page_type = item["type"]
        model = PAGE_MODELS[page_type]
        parent = self._parent_for(item)
        existing = (
            parent.get_children().filter(slug=item["slug"]).specific().first()
            if parent is not None
            else None
        )
        if existing is not None and not isinstance(existing, model):
            raise ContentError(
                [
                    f"page {item['key']!r}: '{existing.url_path}' exists "
                    f"but is a {type(existing).__name__}"
                ]
            )
        if existing is not None and not self.update:
            self.pages[item["key"]] = existing
            self._count(page_type, False)
            return

        page = existing or model()
        self._apply_fields(page, item)
        if existing is None:
            page.live = item.get("live", True)
            parent.add_child(instance=page)
            self.created.append(page)
        revision = page.save_revision(clean=True)
        if item.get("live", True):
            revision.publish()
        self.pages[item["key"]] = page
        self._count(page_type, existing is None, updated=existing is not None)
        if page_type == "home":
            self._make_site_root(page)

    def _import_translations(self, items: list[tuple[SourceDocument, dict[str, Any]]]) -> None:
        """Translate pages parents first, through wagtail-localize (see translations.py).

        Every translation whose texts do not line up with its source is reported, and then
        nothing of the import is kept.
        """
        problems = []
        depths = {key: page.depth for key, page in self.pages.items()}
        keys = {page.pk: key for key, page in self.pages.items()}
        locales = {locale.language_code: locale for locale in Locale.objects.all()}
        for source, item in sorted(items, key=lambda pair: depths.get(pair[1]["key"], 0)):
            page = self.pages[item["key"]].specific
            page_type = PAGE_TYPES[type(page)]
            # A translation sits under its parent's translation: the item's own "parent" and
            # "type", if given, are the source's (the validator checked the type).
            unsaved_item = {**item, "type": page_type, "parent": keys.get(page.get_parent().pk)}
            unused: list[str] = []
            try:
                translated = translations.apply_translation(
                    page,
                    locales[item["locale"]],
                    build=lambda page=page, unsaved_item=unsaved_item: self._unsaved(
                        page, unsaved_item
                    ),
                    update=self.update,
                    unused=unused,
                )
            except translations.TranslationMismatch as error:
                problems.append(
                    f"{source.path.name}: {item['locale']} translation of {item['key']!r}: {error}"
                )
                continue
            self._count(f"{page_type} ({item['locale']})", translated is not None)
            if translated is not None and unused:
                self.report.notes.append(
                    f"{source.path.name}: {item['locale']} translation of {item['key']!r}: "
                    f"not kept, the source has no text there now: {', '.join(unused)}"
                )
        if problems:
            raise ContentError(problems)

    def _unsaved(self, source: Page, item: dict[str, Any]) -> Page:
        """The page ``item`` describes, built as an import builds it but never saved: the
        translated texts are read from it."""
        page = type(source)()
        self._apply_fields(page, item)
        return page

    def _parent_for(self, item: dict[str, Any]) -> Page:
        if item["type"] == "home":
            root = Page.get_first_root_node()
            self._remove_wagtail_welcome_page(root)
            return root
        return self.pages[item["parent"]]

    @staticmethod
    def _remove_wagtail_welcome_page(root: Page) -> None:
        """Wagtail's initial migration creates a placeholder page; the imported home replaces it."""
        for child in root.get_children():
            if child.specific_class is Page and child.title == WAGTAIL_WELCOME_TITLE:
                Site.objects.filter(root_page=child).update(root_page=root)
                child.delete()

    @staticmethod
    def _make_site_root(home: Page) -> None:
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name=home.title,
            )
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.site_name = home.title
            site.save()

    def _apply_fields(self, page: Page, item: dict[str, Any]) -> None:
        page_type = item["type"]
        page.locale = Locale.get_default()
        for name in (*COMMON_PAGE_FIELDS, *PLAIN_FIELDS[page_type]):
            if name in item:
                setattr(page, name, item[name] if item[name] is not None else None)
        if "lead_image" in item:
            page.lead_image = self.images[item["lead_image"]]
        if page_type == "section":
            page.organisation = Organisation.objects.get(slug=item["organisation"])
        if isinstance(page, KnowledgePage):
            self._apply_knowledge_fields(page, item)
        translations.with_block_ids(page)

    def _apply_knowledge_fields(self, page: KnowledgePage, item: dict[str, Any]) -> None:
        for name in KNOWLEDGE_FIELDS:
            if name in item:
                setattr(page, name, item[name])
        page.themes.set(Theme.objects.filter(slug__in=item["themes"]))
        if item.get("municipality"):
            page.municipality = Organisation.objects.get(slug=item["municipality"])
        else:
            page.municipality = self.pages[item["parent"]].specific.organisation
        page.tags.set(item.get("tags", []))
        page.contacts = [
            {"type": "contact", "value": _contact(contact)} for contact in item.get("contacts", [])
        ]
        if isinstance(page, ImprovementProjectPage):
            self._apply_project(page, item)
        elif isinstance(page, TrainingMaterialPage):
            page.learning_goals = [
                {"type": "goal", "value": goal} for goal in item.get("learning_goals", [])
            ]
            page.body = self._body(item.get("body", []))
            page.downloads = self._documents(item.get("downloads", []))
        elif isinstance(page, CaseStoryPage):
            page.story = self._body(item.get("story", []))

    def _apply_project(self, page: ImprovementProjectPage, item: dict[str, Any]) -> None:
        page.change_ideas = [
            {
                "type": "change_idea",
                "value": {"title": idea["title"], "description": idea.get("description", "")},
            }
            for idea in item.get("change_ideas", [])
        ]
        page.pdsa_cycles = [
            {"type": "pdsa_cycle", "value": _pdsa(cycle)} for cycle in item.get("pdsa_cycles", [])
        ]
        page.measures = [
            {"type": "measure", "value": _measure(measure)} for measure in item.get("measures", [])
        ]
        page.attachments = self._documents(item.get("attachments", []))
        if item.get("adapted_from"):
            page.adapted_from = self.pages[item["adapted_from"]].specific

    def _documents(self, items: list[dict]) -> list[dict]:
        return [
            {
                "type": "document",
                "value": {
                    "document": self.documents[entry["document"]].pk,
                    "title": entry.get("title", ""),
                    "description": entry.get("description", ""),
                },
            }
            for entry in items
        ]

    def _body(self, blocks: list[dict]) -> list[dict]:
        stream = []
        for block in blocks:
            kind = block["type"]
            if kind == "heading":
                value: Any = {"text": block["text"]}
            elif kind == "paragraph":
                value = block["html"]
            elif kind == "image":
                value = {
                    "image": self.images[block["image"]].pk,
                    "caption": block.get("caption", ""),
                }
            else:
                value = {"text": block["text"], "attribution": block.get("attribution", "")}
            stream.append({"type": kind, "value": value})
        return stream

    def _count(self, kind: str, created: bool, updated: bool = False) -> None:
        if created:
            self.report.created[kind] += 1
        elif updated:
            self.report.updated[kind] += 1
        else:
            self.report.unchanged[kind] += 1


def _contact(contact: dict) -> dict:
    return {
        "name": contact.get("name", ""),
        "role": contact.get("role", ""),
        "organisation": contact.get("organisation", ""),
        "email": contact.get("email", ""),
        "is_coach": bool(contact.get("is_coach", False)),
    }


def _pdsa(cycle: dict) -> dict:
    keys = ("title", "start_date", "end_date", "plan", "do", "study", "act", "decision")
    return {
        key: cycle.get(key) or None if key == "end_date" else cycle.get(key, "") for key in keys
    }


def _measure(measure: dict) -> dict:
    return {
        "name": measure["name"],
        "kind": measure.get("kind", "outcome"),
        "unit": measure["unit"],
        "definition": measure["definition"],
        "goal": measure.get("goal", ""),
        "higher_is_better": bool(measure.get("higher_is_better", False)),
        "data_points": [
            {"date": point["date"], "value": point["value"], "note": point.get("note", "")}
            for point in measure["data_points"]
        ],
    }
