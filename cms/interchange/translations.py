"""Import translations through wagtail-localize, the path an editor's translation takes.

A translation in the content format is the source page's object written in another language
(docs/content-format.md, "Translations"). It is not saved as a page of its own: the importer
builds it as an unsaved page, pairs each of its texts with the source text wagtail-localize
extracts from the same place, stores the pairs as wagtail-localize string translations and then
lets wagtail-localize create or update the translated page. So the demo's English pages are
ordinary wagtail-localize translations: the admin's translation editor opens them, a change in
the Swedish source can be synced into them without losing what a translator wrote, and their
strings can be exported to a PO file for a translator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from wagtail.fields import StreamField
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    LocaleSynchronization,
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments
from wagtail_localize.synctree import PageIndex, synchronize_tree

BLOCK_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class TranslationMismatch(Exception):
    """The translation's texts do not line up with its source's (a missing paragraph, say)."""


@dataclass(frozen=True)
class _Text:
    """One translatable text of a page: where it sits (block ids made positional) and its
    value in wagtail-localize's string format (inline links and markup as numbered tags)."""

    place: str
    data: str


def page_texts(page: Page) -> list[_Text]:
    """The page's translatable texts in wagtail-localize's extraction order."""
    return _texts(
        (segment.path, segment.string.data)
        for segment in extract_segments(page)
        if isinstance(segment, StringSegmentValue)
    )


def _texts(paths_and_data: Iterable[tuple[str, str]]) -> list[_Text]:
    """Texts with their places: each block id becomes its order of first appearance.

    StreamField block ids differ between the source and a translation built from the import
    format; everything else about the path must match exactly.
    """
    positions: dict[str, str] = {}

    def positional(match: re.Match) -> str:
        return positions.setdefault(match.group(0), f"#{len(positions)}")

    return [_Text(BLOCK_ID.sub(positional, path), data) for path, data in paths_and_data]


def with_block_ids(page: Page) -> Page:
    """Give every StreamField block and list item an id, as the admin's form does.

    wagtail-localize only extracts the items of a list block stored with ids (older id-less
    lists would get new ids on every sync, losing their translations), and an unsaved page's
    blocks have no ids yet. The importer calls this on every page it builds."""
    for field in page._meta.get_fields():
        if isinstance(field, StreamField):
            value = field.value_from_object(page)
            setattr(page, field.attname, field.to_python(field.get_prep_value(value)))
    return page


def pair_texts(
    source: list[_Text], translated: list[_Text], unused: list[str] | None = None
) -> list[tuple[int, str]]:
    """Pair each translated text with the source text (by index) in the same place.

    A place may hold several texts (a rich text field's paragraphs): the translation must have
    as many there as the source, so paragraphs cannot slide onto each other. A place the
    translation leaves out entirely (a field the source gained after it was translated, say)
    keeps the source's text, as wagtail-localize does for an untranslated string. A field the
    translation fills but the source has emptied since cannot be kept: its place is added to
    ``unused`` for the import report. Blocks must match the source's one for one.
    """
    by_place: dict[str, list[int]] = {}
    for index, text in enumerate(source):
        by_place.setdefault(text.place, []).append(index)
    translated_by_place: dict[str, list[str]] = {}
    for text in translated:
        translated_by_place.setdefault(text.place, []).append(text.data)
    pairs: list[tuple[int, str]] = []
    for place, texts in translated_by_place.items():
        indices = by_place.get(place)
        if indices is None and unused is not None and "#" not in place:
            unused.append(place)
            continue
        if indices is None:
            raise TranslationMismatch(
                f"the source has no text at {place!r} "
                "(keep every paragraph, list item and block of the source, in order)"
            )
        if len(indices) != len(texts):
            raise TranslationMismatch(
                f"{len(texts)} texts at {place!r} where the source has {len(indices)} "
                "(keep every paragraph, list item and block of the source, in order)"
            )
        pairs.extend(zip(indices, texts, strict=True))
    return sorted(pairs)


def synchronise_locales(pages: Iterable[Page] | None = None) -> None:
    """Give pages an alias in each locale that syncs from their language ("Sync from" in
    wagtail-localize's locale settings), as the admin does for a page created there.

    ``pages``: the pages to give aliases (an import's new pages); every page when None. Why not
    always every page: wagtail-localize reads each page of the tree with several queries to
    list them, so an import into an archive of 16,000 pages spent a minute on it whatever its
    own size, and more with every page added (docs/benchmarks.md, "Seventh round").
    """
    synchronisations = list(LocaleSynchronization.objects.select_related("locale", "sync_from"))
    if not synchronisations:
        return
    if pages is None:
        index = PageIndex.from_database().sort_by_tree_position()
    else:
        # Parents before children (tree order), as ``sort_by_tree_position`` orders a whole
        # tree; it would drop a page whose parent is not in the index as an orphan.
        ids = [page.pk for page in pages]
        index = PageIndex(
            [
                PageIndex.Entry.from_page_instance(page)
                for page in Page.objects.filter(pk__in=ids, alias_of__isnull=True)
                .only(*PageIndex.Entry.REQUIRED_PAGE_FIELDS)
                .order_by("path")
            ]
        )
    for synchronisation in synchronisations:
        synchronize_tree(synchronisation.sync_from, synchronisation.locale, page_index=index)


def translated_page(source: Page, locale: Locale) -> Page | None:
    """The real (not alias) translation of ``source`` into ``locale``, if there is one."""
    translation = source.get_translation_or_none(locale)
    if translation is None or translation.alias_of_id:
        return None
    return translation


@transaction.atomic
def apply_translation(
    source: Page,
    locale: Locale,
    build: Callable[[], Page],
    update: bool = False,
    unused: list[str] | None = None,
) -> Page | None:
    """Translate ``source`` into ``locale`` with the texts of the page ``build`` returns (an
    unsaved page whose blocks have ids, as the importer builds it: see ``with_block_ids``).

    Returns the translated page, or None when a translation exists and ``update`` is false
    (a translator may have edited it since). Raises TranslationMismatch, writing nothing, when
    the texts do not line up. Texts for fields the source has left empty are named in
    ``unused``.
    """
    if translated_page(source, locale) is not None and not update:
        return None
    source = source.specific
    translation_source, created = TranslationSource.get_or_create_from_instance(source)
    if not created:
        translation_source.update_from_db()
    segments = list(
        StringSegment.objects.filter(source=translation_source)
        .select_related("string", "context")
        .order_by("order")
    )
    stored = _texts((segment.context.path, segment.string.data) for segment in segments)
    pairs = pair_texts(stored, page_texts(build()), unused)
    for index, data in pairs:
        segment = segments[index]
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={
                "data": data,
                "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                "tool_name": "import_content",
                "has_error": False,
                "field_error": "",
            },
        )
    translation, _ = Translation.objects.get_or_create(
        source=translation_source,
        target_locale=locale,
        defaults={"enabled": True},
    )
    # wagtail-localize publishes a saved translation when the transaction commits; the import is
    # one transaction, and the page must be live for what follows in it (its search entry, a
    # child's translation), so the new revision is published here instead.
    translation.save_target(publish=False)
    translated = source.get_translation(locale)
    translated.get_latest_revision().publish()
    return translated
