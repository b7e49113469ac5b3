"""The searchable view of a knowledge page, shared by every backend.

Both backends index exactly these fields, so a difference in results between them comes from
analysis and ranking, never from one of them seeing different text.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.html import strip_tags
from wagtail.blocks import StreamValue

from cms.core.languages import content_language
from cms.knowledge.models import KnowledgePage

BLOCK_END = re.compile(r"</(p|h[1-6]|li|ul|ol|blockquote)>|<br\s*/?>", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """Plain text of rich text, keeping paragraphs apart ("dagarna.Vi" would be one word)."""
    return strip_tags(BLOCK_END.sub("\n", html))


@dataclass(frozen=True)
class SearchDocument:
    page_id: int
    locale: str  # the site language the page is listed in (an alias is listed in English)
    language: str  # the language its text is written in (an alias's is its source's)
    title: str
    summary: str
    summary_en: str
    body: str
    themes: tuple[str, ...]
    theme_names: str
    municipality: str
    municipality_name: str
    type: str
    status: str
    decisions: tuple[str, ...]
    tags: tuple[str, ...]
    date: datetime.date
    url_path: str

    @property
    def year(self) -> int:
        return self.date.year


def _stream_text(value) -> list[str]:
    """Every piece of text inside a StreamField value, in order (dates and ids left out)."""
    parts: list[str] = []

    def walk(item) -> None:
        if isinstance(item, StreamValue):
            for child in item:
                walk(child.value)
        elif hasattr(item, "source"):  # RichText
            parts.append(html_to_text(item.source))
        elif isinstance(item, dict):
            for child in item.values():
                walk(child)
        elif isinstance(item, list | tuple):
            for child in item:
                walk(child)
        elif hasattr(item, "items") and callable(item.items):  # StructValue
            for _, child in item.items():
                walk(child)
        elif hasattr(item, "__iter__") and not isinstance(item, str | bytes):
            for child in item:
                walk(child)
        elif isinstance(item, str):
            parts.append(item)

    walk(value)
    return [part for part in parts if part and not part.isdigit()]


TEXT_FIELDS = (
    "aim",
    "background",
    "what_matters_to_esther",
    "results",
    "lessons_learned",
    "module",
    "what_changed",
    "outcome",
    "quote",
)
STREAM_FIELDS = ("change_ideas", "pdsa_cycles", "measures", "learning_goals", "body", "story")


def build_document(page: KnowledgePage) -> SearchDocument:
    """Flatten a (specific) knowledge page into its searchable fields."""
    page = page.specific
    texts: list[str] = []
    for name in TEXT_FIELDS:
        value = getattr(page, name, "")
        if value:
            texts.append(html_to_text(str(value)))
    for name in STREAM_FIELDS:
        value = getattr(page, name, None)
        if value:
            texts.extend(_stream_text(value))
    themes = list(page.themes.all())
    municipality = page.municipality
    decisions = tuple(getattr(page, "decisions", ()))
    return SearchDocument(
        page_id=page.pk,
        locale=page.locale.language_code,
        language=content_language(page),
        title=page.title,
        summary=page.summary,
        summary_en=page.summary_en,
        body="\n".join(texts),
        themes=tuple(theme.slug for theme in themes),
        theme_names=" ".join(f"{theme.name} {theme.name_en}" for theme in themes),
        municipality=municipality.slug if municipality else "",
        municipality_name=municipality.name if municipality else "",
        type=page.kind,
        status=getattr(page, "status", ""),
        decisions=decisions,
        tags=tuple(tag.name for tag in page.tags.all()),
        date=page.date,
        url_path=page.url_path,
    )
