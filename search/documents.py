"""The searchable view of a knowledge page, shared by every backend.

Both backends index exactly these fields, so a difference in results between them comes from
analysis and ranking, never from one of them seeing different text.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.html import strip_tags
from wagtail import blocks
from wagtail.blocks import StreamValue

from cms.core.languages import content_language
from cms.knowledge.models import KnowledgePage
from cms.taxonomy.models import Theme

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


def _stream_text(value: StreamValue) -> list[str]:
    """Every piece of text inside a StreamField value, in order (dates, numbers and ids left out).

    Walks the stored JSON (``raw_data``) with the block definitions beside it, instead of the
    block values. Why: turning the JSON into values (StructValues, ListValues with new ids, the
    chosen images and documents fetched) was most of building a document, and so of a rebuild's
    Python time (docs/benchmarks.md, "Eighth round"); only the texts are needed here.
    """
    parts: list[str] = []
    _block_text(value.stream_block, list(value.raw_data), parts)
    return [part for part in parts if part and not part.isdigit()]


def _block_text(block: blocks.Block, raw: Any, parts: list[str]) -> None:
    """Append the texts of one block's stored value. A value not of its block's shape (stored
    by an older definition of the block) gives no text rather than failing a whole rebuild."""
    if raw is None:
        return
    if isinstance(block, blocks.RichTextBlock):
        if isinstance(raw, str):
            parts.append(html_to_text(raw))
    elif isinstance(block, blocks.StreamBlock):
        for item in raw if isinstance(raw, list) else ():
            child = block.child_blocks.get(item.get("type")) if isinstance(item, dict) else None
            if child is not None:
                _block_text(child, item.get("value"), parts)
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items() if isinstance(raw, dict) else ():
            _block_text(child, raw.get(name), parts)
    elif isinstance(block, blocks.ListBlock):
        for item in raw if isinstance(raw, list) else ():
            if block._item_is_in_block_format(item):
                item = item["value"]
            _block_text(block.child_block, item, parts)
    elif isinstance(raw, str) and (_stored_as_text(type(block)) or _is_text(block, raw)):
        parts.append(raw)


@cache
def _stored_as_text(block_type: type[blocks.Block]) -> bool:
    """Whether a block's stored string is its value (a char, text or choice block's) without
    asking the block: a choice block's answer costs setting up its form field."""
    return block_type.to_python is blocks.Block.to_python or issubclass(
        block_type, blocks.ChoiceBlock
    )


def _is_text(block: blocks.Block, raw: str) -> bool:
    """Whether a string is text to the block, not a value stored as text (a date, a decimal)."""
    try:
        return isinstance(block.to_python(raw), str)
    except (ValueError, TypeError, ArithmeticError):  # "2024-13-45" in a date block
        return False


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


# Where ``search.indexing.indexable_pages`` puts a page's themes and taggings.
PREFETCHED_THEMES = "themes_for_index"
PREFETCHED_TAGGINGS = "taggings_for_index"


def _themes(page: KnowledgePage) -> list[Theme]:
    themes = getattr(page, PREFETCHED_THEMES, None)
    return list(page.themes.all()) if themes is None else themes


def _tag_names(page: KnowledgePage) -> tuple[str, ...]:
    taggings = getattr(page, PREFETCHED_TAGGINGS, None)
    if taggings is None:
        return tuple(tag.name for tag in page.tags.all())
    return tuple(tagging.tag.name for tagging in taggings)


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
    themes = _themes(page)
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
        tags=_tag_names(page),
        date=page.date,
        url_path=page.url_path,
    )
