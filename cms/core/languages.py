"""Which language a page's text is in.

With English synchronised from Swedish (wagtail-localize's "Sync from"), an English page that
nobody has translated yet is an *alias*: a page in the English tree that shows its Swedish
source's content. Its locale says English; its text is Swedish. Templates (the ``lang``
attribute and the "not translated yet" notice) and search (which analyzer reads the text) need
the language of the text, so they ask here rather than reading ``page.locale``.
"""

from __future__ import annotations

from wagtail.models import Locale, Page


def locale_codes() -> dict[int, str]:
    """Language code per locale id (a handful of rows, read once per caller)."""
    return dict(Locale.objects.values_list("pk", "language_code"))


def content_locale_id(page: Page, alias_locales: dict[int, int] | None = None) -> int:
    """The locale id of the language the page's text is written in.

    ``alias_locales`` caches alias source id → locale id across calls (one request's pages).
    """
    if not page.alias_of_id:
        return page.locale_id
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
