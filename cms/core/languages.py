"""Which language a page's text is in.

With English synchronised from Swedish (wagtail-localize's "Sync from"), an English page that
nobody has translated yet is an *alias*: a page in the English tree that shows its Swedish
source's content. Its locale says English; its text is Swedish. Templates (the ``lang``
attribute and the "not translated yet" notice) and search (which analyzer reads the text) need
the language of the text, so they ask here rather than reading ``page.locale``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TypeVar

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import translation
from wagtail.models import Locale, Page

P = TypeVar("P", bound=Page)


@lru_cache(maxsize=1)
def _locale_codes() -> tuple[tuple[int, str], ...]:
    return tuple(Locale.objects.values_list("pk", "language_code"))


def locale_codes() -> dict[int, str]:
    """Language code per locale id.

    Kept per process (a query per page was a third of a search-index rebuild,
    docs/benchmarks.md): locales change only with a settings change and deploy. Saving or
    deleting a Locale forgets it here (``forget_locale_codes``, connected in CoreConfig.ready).
    """
    return dict(_locale_codes())


def active_locale_id() -> int:
    """``Locale.get_active().pk`` without its query on every call (listings and searches)."""
    language = translation.get_language()
    for pk, code in locale_codes().items():
        if code == language:
            return pk
    return Locale.get_active().pk


def forget_locale_codes(**_kwargs) -> None:
    _locale_codes.cache_clear()


# The annotation ``with_text_locale`` adds.
TEXT_LOCALE = "text_locale_id"


def with_text_locale(pages: QuerySet[P]) -> QuerySet[P]:
    """Pages annotated with the locale of their text (an alias's source's), in the same query.

    For lists of pages that show it (search hits, listing cards): without it each alias on the
    page cost a query for its source's locale, and most English pages are aliases.
    """
    return pages.annotate(**{TEXT_LOCALE: Coalesce(F("alias_of__locale_id"), F("locale_id"))})


def content_locale_id(page: Page, alias_locales: dict[int, int] | None = None) -> int:
    """The locale id of the language the page's text is written in.

    ``alias_locales`` caches alias source id → locale id across calls (one request's pages);
    a page from ``with_text_locale``, or one that selected ``alias_of`` (the search index's
    queryset), needs no query at all.
    """
    if not page.alias_of_id:
        return page.locale_id
    annotated = getattr(page, TEXT_LOCALE, None)
    if annotated is not None:
        return annotated
    if Page.alias_of.is_cached(page):
        return page.alias_of.locale_id
    if alias_locales is not None and page.alias_of_id in alias_locales:
        return alias_locales[page.alias_of_id]
    locale_id = (
        Page.objects.filter(pk=page.alias_of_id).values_list("locale_id", flat=True).first()
        or page.locale_id
    )
    if alias_locales is not None:
        alias_locales[page.alias_of_id] = locale_id
    return locale_id


def content_language(page: Page) -> str:
    """The language code of the page's text ("sv" for a Swedish page shown in English)."""
    return locale_codes().get(content_locale_id(page), "")


def ensure_site_locales() -> None:
    """A Locale per site language, each other language synchronised from the default one.

    The ``home`` migration sets this up; the importer repeats it (it is idempotent) so that an
    import into a database emptied since its migrations, as a flushed test database is, still
    builds the English tree.
    """
    from django.conf import settings
    from wagtail_localize.models import LocaleSynchronization

    default, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    for code, _name in settings.LANGUAGES:
        if code != default.language_code:
            locale, _ = Locale.objects.get_or_create(language_code=code)
            LocaleSynchronization.objects.get_or_create(
                locale=locale, defaults={"sync_from": default}
            )
