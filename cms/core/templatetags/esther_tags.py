"""Template helpers for the public site.

Each helper exists because a template cannot express it on its own: a lookup that must be cached
per request, a label that lives in Python (page kinds, StreamField choice labels), or a URL that
depends on the active language. Keep them small; anything bigger belongs in a model or view.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from django import template
from django.apps import apps
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import get_language, get_language_info, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.blocks import BoundBlock
from wagtail.models import Locale, Page

from cms.browse.models import ThemeIndexPage
from cms.core import languages
from search.query import DEFAULT_PAGE_SIZE, Sort

register = template.Library()

KIND_LABELS = {
    "project": _("Improvement project"),
    "training": _("Training material"),
    "story": _("Case story"),
}
_THEME_INDEX_CACHE = "_esther_theme_index_by_locale"


def _request(context: template.Context) -> HttpRequest | None:
    return context.get("request")


def _theme_index(request: HttpRequest | None) -> Page | None:
    """The live ThemeIndexPage for the active locale, looked up once per request.

    Theme links appear many times on one page (the home page's theme grid, a page's theme
    chips), so without the cache each link would repeat the same query. If the active locale
    has no theme index yet (e.g. English before it is translated), the default locale's is
    used: a Swedish theme page is more useful than no link at all (DESIGN.md, "honest
    fallback").
    """
    locale_id = languages.active_locale_id()
    cache: dict[int, Page | None] | None = getattr(request, _THEME_INDEX_CACHE, None)
    if cache is not None and locale_id in cache:
        return cache[locale_id]
    pages = ThemeIndexPage.objects.live().public()
    index = pages.filter(locale_id=locale_id).first()
    if index is None:
        index = pages.filter(locale=Locale.get_default()).first()
    if request is not None:
        if cache is None:
            cache = {}
            setattr(request, _THEME_INDEX_CACHE, cache)
        cache[locale_id] = index
    return index


@register.simple_tag(takes_context=True)
def theme_url(context: template.Context, theme) -> str:
    """URL of the theme's page under the theme index, or "" when the site has no theme index."""
    index = _theme_index(_request(context))
    return index.theme_url(theme) if index is not None else ""


@register.simple_tag(takes_context=True)
def organisation_url(context: template.Context, organisation) -> str:
    """URL of the organisation's section in the visitor's language, or "" if it has none.

    Partners and the region may have no section; a page is still attributed to them, so the
    template shows the name without a link instead of failing.
    """
    if organisation is None:
        return ""
    section = organisation.sections.filter(locale=Locale.get_default()).first()
    if section is None:
        return ""
    section = section.localized
    if not section.live:
        return ""
    return section.get_url(_request(context)) or ""


@register.filter
def kind_label(kind: str) -> str:
    """The label, in the visitor's language, of a KnowledgePage.kind slug such as "project"."""
    return str(KIND_LABELS.get(kind, ""))


@register.filter
def choice_label(bound_block: BoundBlock) -> str:
    """Display label of a ChoiceBlock value, e.g. ``value.bound_blocks.decision|choice_label``.

    StreamField stores the machine value; the translated label lives on the block definition.
    """
    value = bound_block.value
    for key, label in bound_block.block.field.choices:
        if key == value:
            return str(label)
    return str(value)


@register.filter
def measure_value(value: float | int | None) -> str:
    """A measured value in the visitor's number format, with at most two decimals (12,5 / 12.5)."""
    if value is None:
        return ""
    rounded = round(float(value), 2)
    if rounded.is_integer():
        return number_format(int(rounded))
    return number_format(rounded)


@register.filter
def duration(minutes: int | None) -> str:
    """A training duration a reader can take in at a glance: "45 minutes", "3 hours", "1 h 30 min".

    Editors enter minutes; a full-day workshop reads better as hours than as "420 minutes".
    """
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return ngettext("%(minutes)d minute", "%(minutes)d minutes", rest) % {"minutes": rest}
    if not rest:
        return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}


@register.simple_tag(takes_context=True)
def nav_state(context: template.Context, item: Page) -> str:
    """Whether the page being shown is the menu item ("current"), lies below it ("ancestor"), or "".

    Reads ``page`` from the context instead of taking it as a filter argument: error pages (404)
    have no ``page``, and a missing filter argument raises instead of resolving to empty.
    """
    page = context.get("page")
    if not isinstance(page, Page):
        return ""
    if page.pk == item.pk:
        return "current"
    if page.path.startswith(item.path):
        return "ancestor"
    return ""


@register.simple_tag
def page_link(query: str, number: int) -> str:
    """A pager link that keeps the active filters: ``?theme=x&page=2``."""
    page_param = urlencode({"page": number})
    return f"?{query}&{page_param}" if query else f"?{page_param}"


@register.simple_tag
def pager(current: int, count: int) -> dict:
    """What the pager shows for page ``current`` of ``count``: numbers and the steps.

    ``numbers`` lists the page numbers around the current one, with None for a gap. Serves both
    Django's paginator (listings) and the search service, which reports a page and a page count;
    a search page past the end (``?page=40``) still gets a way back: "previous" is the last page.
    """
    count = max(1, int(count))
    current = max(1, int(current))
    paginator = Paginator(range(count), 1)
    numbers = [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(
            min(current, count), on_each_side=2, on_ends=1
        )
    ]
    return {
        "numbers": numbers,
        "current": current,
        "count": count,
        "previous": min(current - 1, count) if current > 1 else None,
        "next": current + 1 if current < count else None,
    }


@register.simple_tag
def live_children(page: Page, model_label: str) -> list[Page]:
    """Live, public children of ``page`` of one type, e.g. the listing pages under the home page."""
    model = apps.get_model(model_label)
    return list(model.objects.child_of(page).live().public().order_by("path"))


@register.simple_tag(takes_context=True)
def language_links(context: template.Context, page: Page | None = None) -> list[dict]:
    """One link per site language for the language switcher.

    Goes to the page's translation when it has a live one (keeping a routable sub-path such as
    a theme), otherwise to the same address under the other language prefix, where Wagtail
    serves the untranslated page, marked as such, rather than a 404. Views that are not pages
    (the search page) keep their query string, so switching language repeats the search.
    """
    request = _request(context)
    current = context.get("LANGUAGE_CODE", settings.LANGUAGE_CODE)
    path = request.path if request else "/"
    kept_query = ""
    if request is not None and not isinstance(page, Page):
        kept_query = urlencode(
            [(key, value) for key, value in request.GET.lists() if key != "page"], doseq=True
        )
    translations: dict[str, Page] = {}
    if isinstance(page, Page) and page.pk:
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[translation.locale.language_code] = translation
    links = []
    for code, _name in settings.LANGUAGES:
        url = ""
        translation = translations.get(code)
        if translation is not None and page is not None:
            own_url = page.get_url(request) or ""
            suffix = path[len(own_url) :] if own_url and path.startswith(own_url) else ""
            url = (translation.get_url(request) or "") + suffix
        if not url:
            url = translate_url(path, code)
            if kept_query:
                url = f"{url}?{kept_query}"
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "current": code == current,
            }
        )
    return links


_LANGUAGE_CACHE = "_esther_content_languages"


def _page_language(request: HttpRequest | None, page: Page) -> str:
    """The language code of a page's text (an alias shows its source's); locales and alias
    sources are looked up once per request."""
    cache = getattr(request, _LANGUAGE_CACHE, None)
    if cache is None:
        cache = (languages.locale_codes(), {})
        if request is not None:
            setattr(request, _LANGUAGE_CACHE, cache)
    codes, alias_locales = cache
    return codes.get(languages.content_locale_id(page, alias_locales), "")


@register.simple_tag(takes_context=True)
def content_lang(context: template.Context, page: Page) -> str:
    """A ``lang`` attribute for page content whose language differs from the visitor's.

    An English visitor may see a Swedish-only page (DESIGN.md, "honest fallback"); marking the
    content as Swedish lets screen readers pronounce it correctly (WCAG 2.1, 3.1.2). Returns ""
    when the languages match, which is the usual case.
    """
    if not isinstance(page, Page):
        return ""
    code = _page_language(_request(context), page)
    active = context.get("LANGUAGE_CODE") or get_language() or ""
    if not code or code == active:
        return ""
    return format_html(' lang="{}"', code)


@register.simple_tag(takes_context=True)
def content_language(context: template.Context, page: Page) -> str:
    """The language code of the page's text: "sv" for Swedish work shown to English visitors
    before anyone has translated it, so listings can say so."""
    if not isinstance(page, Page):
        return ""
    return _page_language(_request(context), page)


@register.simple_tag(takes_context=True)
def active_filters(context: template.Context, facets, filters, keep: str = "") -> list[dict]:
    """The selected facet values, each with a link that removes just that value.

    Lets a visitor see and undo a filter from the results, not only in the filter panel.
    ``keep`` is a query string the links repeat before the remaining filters (the search
    page keeps its ``q`` and ``sort``); the page number is dropped, since the results change.
    """
    request = _request(context)
    path = request.path if request else ""
    params = filters.as_params()
    chips = []
    for facet in facets:
        for option in facet.values:
            if not option.selected:
                continue
            remaining = [pair for pair in params if pair != (facet.name, option.value)]
            query = "&".join(part for part in (keep, urlencode(remaining)) if part)
            chips.append(
                {
                    "facet": facet.label,
                    "label": option.label,
                    "url": f"{path}?{query}" if query else path,
                }
            )
    return chips


@register.filter
def query_pairs(query_string: str) -> list[tuple[str, str]]:
    """``"q=a&sort=newest"`` as name/value pairs, e.g. to repeat it as hidden form inputs."""
    return parse_qsl(query_string or "")


@register.simple_tag
def search_params(query, text: str | None = None, filters: bool = True) -> str:
    """The query string that repeats a search (``search.query.SearchQuery``) without its page.

    ``text`` replaces the search text (the "did you mean" link); ``filters=False`` leaves the
    filters out ("clear filters"). Defaults (relevance, page size) are left out of the URL.
    """
    text = query.text if text is None else text
    params: list[tuple[str, str]] = [("q", text)] if text else []
    if query.sort != Sort.RELEVANCE:
        params.append(("sort", query.sort.value))
    if query.page_size != DEFAULT_PAGE_SIZE:
        params.append(("page_size", str(query.page_size)))
    if filters:
        params.extend(query.filters.as_params())
    return urlencode(params)


_SHORTENED = re.compile(r"^query shortened to (\d+) characters$")


@register.simple_tag
def search_warnings(warnings) -> dict:
    """Split the search service's warnings into ignored parameters and a shortened query.

    The service reports what it did not understand as ``name=value`` (or just ``page``), and a
    query cut to the maximum length as a sentence; the page words each kind for visitors.
    """
    ignored: list[str] = []
    shortened: int | None = None
    for warning in warnings or ():
        match = _SHORTENED.match(str(warning))
        if match:
            shortened = int(match.group(1))
        else:
            ignored.append(str(warning))
    return {"ignored": ignored, "shortened": shortened}


@register.simple_tag
def autocomplete_attrs() -> str:
    """The data attributes that turn a search input into an autocomplete (core/js/autocomplete.js).

    The script has no translation catalogue of its own, so the texts it announces to screen
    readers travel with the input, in the visitor's language; ``{count}`` is filled in by it.
    """
    hint = _("Use the up and down arrow keys to choose, Enter to open.")
    one = ngettext("%(count)s suggestion.", "%(count)s suggestions.", 1) % {"count": "{count}"}
    many = ngettext("%(count)s suggestion.", "%(count)s suggestions.", 2) % {"count": "{count}"}
    return format_html(
        ' data-autocomplete-url="{}" data-autocomplete-label="{}"'
        ' data-autocomplete-one="{} {}" data-autocomplete-many="{} {}"',
        reverse("search_api:autocomplete"),
        _("Suggestions"),
        one,
        hint,
        many,
        hint,
    )
