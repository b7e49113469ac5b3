"""Validation of the JSON content format described in docs/content-format.md.

Everything is checked before anything is written, and every problem is reported with where it
is ("20-projects.json: pages[3] 'projekt-trygg-hemgang': measures[0].data_points[4].date: …"),
so someone migrating content can fix a whole file in one go.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

FORMAT_NAME = "esther-content"
SUPPORTED_VERSIONS = {1}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ALLOWED_TAGS = {"p", "h3", "h4", "ul", "ol", "li", "b", "i", "a", "br"}
SUMMARY_MAX = 400

KNOWLEDGE_TYPES = {"project", "training", "story"}
PAGE_TYPES = {"home", "section", "theme_index", "listing", *KNOWLEDGE_TYPES}
ENUMS = {
    "organisation.kind": {"municipality", "region", "partner"},
    "organisation.area": {"hoglandet", "jonkoping", "varnamo", "county", "international"},
    "listing.kind": {"", "project", "training", "story"},
    "status": {"planned", "ongoing", "completed", "paused"},
    "co_produced": {"none", "patients", "relatives", "both"},
    "decision": {"adopt", "adapt", "abandon"},
    "measure.kind": {"outcome", "process", "balancing"},
    "audience": {"coaches", "staff", "managers", "patients", "everyone"},
    "format": {"workshop", "lecture", "elearning", "guide", "exercise", "video"},
    "body.type": {"heading", "paragraph", "esther_voice", "quote", "image"},
}
REQUIRED_PAGE_FIELDS = {
    "home": ["intro"],
    "section": ["organisation"],
    "theme_index": [],
    "listing": [],
    "project": ["summary", "date", "themes", "aim"],
    "training": ["summary", "date", "themes", "audience", "format"],
    "story": ["summary", "date", "themes", "story"],
}
RICH_TEXT_FIELDS = ["background", "results", "lessons_learned", "what_changed", "outcome"]


@dataclass
class SourceDocument:
    """One JSON file of the import, with the folder its relative file paths start from."""

    path: Path
    data: dict[str, Any]

    @property
    def folder(self) -> Path:
        return self.path.parent


@dataclass
class Problems:
    messages: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where}: {message}")

    def __bool__(self) -> bool:
        return bool(self.messages)


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.disallowed: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.disallowed.add(tag)
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if not href.startswith(("https://", "http://", "mailto:")):
                self.disallowed.add(f'a href="{href}"')


def disallowed_html(html: str) -> set[str]:
    collector = _TagCollector()
    collector.feed(html)
    return collector.disallowed


def is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


class Validator:
    """Checks a set of source documents against the format and against each other."""

    def __init__(
        self,
        documents: list[SourceDocument],
        known_themes: Iterable[str] = (),
        known_organisations: Iterable[str] = (),
        translation_languages: Iterable[str] = ("en",),
    ) -> None:
        self.documents = documents
        self.translation_languages = set(translation_languages)
        self.problems = Problems()
        self.theme_slugs = set(known_themes)
        self.organisation_slugs = set(known_organisations)
        self.image_keys: set[str] = set()
        self.document_keys: set[str] = set()
        self.page_types: dict[str, str] = {}

    def run(self) -> Problems:
        for document in self.documents:
            self._header(document)
        for document in self.documents:
            self._vocabularies(document)
        for document in self.documents:
            self._media(document)
        for document in self.documents:
            self._pages(document)
        for document in self.documents:
            self._translations(document)
        return self.problems

    # Top level -------------------------------------------------------------------------------

    def _header(self, document: SourceDocument) -> None:
        where = document.path.name
        data = document.data
        if not isinstance(data, dict):
            self.problems.add(where, "the file must contain one JSON object")
            document.data = {}
            return
        if data.get("format") != FORMAT_NAME:
            self.problems.add(where, f'"format" must be "{FORMAT_NAME}"')
        if data.get("version") not in SUPPORTED_VERSIONS:
            self.problems.add(where, f'"version" must be one of {sorted(SUPPORTED_VERSIONS)}')
        for key in (
            "themes",
            "organisations",
            "glossary",
            "images",
            "documents",
            "pages",
            "translations",
        ):
            if key in data and not isinstance(data[key], list):
                self.problems.add(where, f'"{key}" must be a list')
                data[key] = []

    def _items(self, document: SourceDocument, key: str):
        for index, item in enumerate(document.data.get(key, [])):
            where = f"{document.path.name}: {key}[{index}]"
            if not isinstance(item, dict):
                self.problems.add(where, "must be an object")
                continue
            label = item.get("key") or item.get("slug")
            yield (f"{where} '{label}'" if label else where), item

    def _require(self, where: str, item: dict, names: Iterable[str]) -> None:
        for name in names:
            value = item.get(name)
            if value is None or value == "" or value == []:
                self.problems.add(where, f'"{name}" is required')

    def _enum(self, where: str, item: dict, name: str, enum: str) -> None:
        if name in item and item[name] not in ENUMS[enum]:
            allowed = ", ".join(sorted(repr(value) for value in ENUMS[enum]))
            self.problems.add(where, f'"{name}" is {item[name]!r}; allowed: {allowed}')

    def _slug(self, where: str, item: dict, name: str = "slug") -> None:
        value = item.get(name)
        if isinstance(value, str) and not SLUG_RE.match(value):
            self.problems.add(where, f'"{name}" {value!r} must be lower case a-z, 0-9 and -')

    # Vocabularies and media ------------------------------------------------------------------

    def _vocabularies(self, document: SourceDocument) -> None:
        for where, theme in self._items(document, "themes"):
            self._require(where, theme, ["slug", "name"])
            self._slug(where, theme)
            self.theme_slugs.add(theme.get("slug"))
        for where, organisation in self._items(document, "organisations"):
            self._require(where, organisation, ["slug", "name", "kind", "area"])
            self._slug(where, organisation)
            self._enum(where, organisation, "kind", "organisation.kind")
            self._enum(where, organisation, "area", "organisation.area")
            self.organisation_slugs.add(organisation.get("slug"))

        for where, term in self._items(document, "glossary"):
            self._require(where, term, ["sv", "en"])

    def _media(self, document: SourceDocument) -> None:
        for collection, keys, required in (
            ("images", self.image_keys, ["key", "file", "title", "alt_text"]),
            ("documents", self.document_keys, ["key", "file", "title"]),
        ):
            for where, item in self._items(document, collection):
                self._require(where, item, required)
                if item.get("key") in keys:
                    self.problems.add(where, f"duplicate key {item['key']!r}")
                keys.add(item.get("key"))
                file = item.get("file")
                if isinstance(file, str) and not (document.folder / file).is_file():
                    self.problems.add(where, f"file {file!r} not found next to the JSON file")

    # Pages -------------------------------------------------------------------------------------

    def _pages(self, document: SourceDocument) -> None:
        for where, page in self._items(document, "pages"):
            self._page(where, page)

    def _page(self, where: str, page: dict) -> None:
        page_type = page.get("type")
        if page_type not in PAGE_TYPES:
            self.problems.add(where, f'"type" must be one of {sorted(PAGE_TYPES)}')
            return
        self._require(where, page, ["key", "title", "slug"])
        self._slug(where, page)
        key = page.get("key")
        if key in self.page_types:
            self.problems.add(where, f"duplicate page key {key!r}")
        parent = page.get("parent")
        if page_type == "home":
            if parent is not None:
                self.problems.add(where, 'the home page must have "parent": null')
        elif parent not in self.page_types:
            self.problems.add(where, f'"parent" {parent!r} is not a page listed before this one')
        if page.get("locale", "sv") != "sv":
            self.problems.add(
                where,
                'pages are written in Swedish (sv); put other languages under "translations"',
            )
        self.page_types[key] = page_type
        self._fields(where, page, page_type)

    def _translations(self, document: SourceDocument) -> None:
        """A translation is its source page's object in another language, keyed by the
        source's key; its structure is checked against the source when it is imported."""
        seen: set[tuple[str, str]] = set()
        for where, item in self._items(document, "translations"):
            self._require(where, item, ["key", "locale", "title", "slug"])
            self._slug(where, item)
            key, locale = item.get("key"), item.get("locale")
            if locale is not None and locale not in self.translation_languages:
                allowed = ", ".join(sorted(self.translation_languages))
                self.problems.add(where, f'"locale" is {locale!r}; translations go into: {allowed}')
            if (key, locale) in seen:
                self.problems.add(where, f"a second {locale!r} translation of {key!r}")
            seen.add((key, locale))
            page_type = self.page_types.get(key)
            if page_type is None:
                self.problems.add(where, f"{key!r} is not a page of this import")
                continue
            if item.get("type", page_type) != page_type:
                self.problems.add(where, f'"type" is {item["type"]!r} but {key!r} is a {page_type}')
                continue
            self._fields(where, item, page_type)

    def _fields(self, where: str, page: dict, page_type: str) -> None:
        """The checks a page's own fields get, in the source language or a translation."""
        self._require(where, page, REQUIRED_PAGE_FIELDS[page_type])
        if page_type == "section" and page.get("organisation") not in self.organisation_slugs:
            self.problems.add(where, f"unknown organisation {page.get('organisation')!r}")
        if page_type == "listing":
            self._enum(where, page, "kind", "listing.kind")
        if "lead_image" in page and page["lead_image"] not in self.image_keys:
            self.problems.add(where, f"unknown image {page['lead_image']!r}")
        if page_type in KNOWLEDGE_TYPES:
            self._knowledge(where, page)

    def _knowledge(self, where: str, page: dict) -> None:
        for name in ("summary", "summary_en"):
            if len(page.get(name) or "") > SUMMARY_MAX:
                self.problems.add(where, f'"{name}" is longer than {SUMMARY_MAX} characters')
        for name in ("date", "start_date", "end_date"):
            if name in page and page[name] is not None and not is_date(page[name]):
                self.problems.add(where, f'"{name}" must be a date like 2024-03-01')
        themes = page.get("themes") or []
        if not isinstance(themes, list):
            self.problems.add(where, '"themes" must be a list of theme slugs')
            themes = []
        for slug in themes:
            if slug not in self.theme_slugs:
                self.problems.add(where, f"unknown theme {slug!r}")
        municipality = page.get("municipality")
        if municipality is not None and municipality not in self.organisation_slugs:
            self.problems.add(where, f"unknown organisation {municipality!r}")
        if not isinstance(page.get("tags", []), list):
            self.problems.add(where, '"tags" must be a list of strings')
        for name in RICH_TEXT_FIELDS:
            if name in page:
                bad = disallowed_html(str(page[name]))
                if bad:
                    self.problems.add(where, f'"{name}" uses HTML not allowed: {sorted(bad)}')
        self._enum(where, page, "status", "status")
        self._enum(where, page, "co_produced", "co_produced")
        self._enum(where, page, "audience", "audience")
        self._enum(where, page, "format", "format")
        for index, cycle in enumerate(page.get("pdsa_cycles", [])):
            at = f"{where}: pdsa_cycles[{index}]"
            self._require(at, cycle, ["title", "start_date", "plan", "do", "study", "act"])
            self._require(at, cycle, ["decision"])
            self._enum(at, cycle, "decision", "decision")
        for index, measure in enumerate(page.get("measures", [])):
            self._measure(f"{where}: measures[{index}]", measure)
        for name in ("attachments", "downloads"):
            for index, item in enumerate(page.get(name, [])):
                if item.get("document") not in self.document_keys:
                    self.problems.add(
                        f"{where}: {name}[{index}]", f"unknown document {item.get('document')!r}"
                    )
        for name in ("body", "story"):
            for index, block in enumerate(page.get(name, [])):
                self._body_block(f"{where}: {name}[{index}]", block)
        adapted_from = page.get("adapted_from")
        if adapted_from is not None and self.page_types.get(adapted_from) != "project":
            self.problems.add(where, f'"adapted_from" {adapted_from!r} is not an earlier project')

    def _measure(self, where: str, measure: dict) -> None:
        self._require(where, measure, ["name", "unit", "definition", "data_points"])
        self._enum(where, measure, "kind", "measure.kind")
        previous = None
        for index, point in enumerate(measure.get("data_points", [])):
            at = f"{where}.data_points[{index}]"
            if not is_date(point.get("date")):
                self.problems.add(at, '"date" must be a date like 2024-03-01')
                continue
            if not isinstance(point.get("value"), int | float) or isinstance(
                point.get("value"), bool
            ):
                self.problems.add(at, '"value" must be a number')
            if previous and point["date"] < previous:
                self.problems.add(at, "data points must be in date order, oldest first")
            previous = point["date"]

    def _body_block(self, where: str, block: dict) -> None:
        self._enum(where, block, "type", "body.type")
        block_type = block.get("type")
        if block_type == "paragraph":
            bad = disallowed_html(str(block.get("html", "")))
            if bad:
                self.problems.add(where, f"uses HTML not allowed: {sorted(bad)}")
        elif block_type == "image" and block.get("image") not in self.image_keys:
            self.problems.add(where, f"unknown image {block.get('image')!r}")
        elif block_type in {"heading", "esther_voice", "quote"}:
            self._require(where, block, ["text"])
