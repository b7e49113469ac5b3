"""Keep patient data out of published pages.

The knowledge base is public and "no patient data may ever be published" (DESIGN.md). Editors are
health and care staff who copy text from records and spreadsheets, so two mistakes are likely:

* a Swedish personal identity number (personnummer or samordningsnummer) pasted into a text;
  that always identifies a person, so saving is blocked (see ``KnowledgePageForm.clean``);
* a measure whose data points are small counts of people ("3 patienter"); with a known
  municipality and date a count below 5 can identify someone, but it is sometimes fine, so the
  editor is only warned (see ``cms/knowledge/wagtail_hooks.py``).

The detector validates the date and the Luhn check digit so that ordinary numbers (phone
numbers, case numbers, amounts) are not mistaken for identity numbers, and it returns masked
numbers so that error messages, logs and e-mails never repeat the number itself.
"""

from __future__ import annotations

import calendar
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

# One wording everywhere (page form, upload forms); the number in it is always masked.
PERSONAL_NUMBER_MESSAGE = _(
    "This text contains what looks like a Swedish personal identity number (%(numbers)s). "
    "Remove it: no patient data may be published."
)

# Separators people write between the date and the last four digits: hyphen (and the look-alike
# dashes word processors substitute), plus (age 100 or more), space or non-breaking space.
_SEPARATORS = "-+\u2010\u2011\u2012\u2013\u2212 \u00a0"

PERSONAL_NUMBER_RE = re.compile(
    r"(?<!\w)"  # not glued to a word or a longer digit run …
    r"(?<!\d[-+])"  # … nor the continuation of a hyphenated number such as 12-19121212-1212
    r"(?P<century>\d{2})?"
    r"(?P<date>\d{6})"
    rf"(?P<separator>[{_SEPARATORS}]?)"
    r"(?P<serial>\d{4})"
    r"(?!\w)"
    r"(?![-+]\d)"
)

# Centuries that can occur in the long (12-digit) form for living or recently living people.
_CENTURIES = (18, 19, 20)
# Samordningsnummer (coordination numbers) add 60 to the day of birth.
COORDINATION_DAY_OFFSET = 60


def luhn_valid(digits: str) -> bool:
    """Whether ``digits`` pass the Luhn (mod 10) check used by Swedish identity numbers.

    Applied to the ten-digit YYMMDDNNNN form; the check digit is the last one.
    """
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _date_exists(years: Iterable[int], month: int, day: int) -> bool:
    """Whether ``month``/``day`` is a real date in at least one of ``years`` (29 Feb needs a
    leap year; the ten-digit form leaves the century open, so any plausible one will do)."""
    if not 1 <= month <= 12 or day < 1:
        return False
    return any(day <= calendar.monthrange(year, month)[1] for year in years)


def _valid_birth_date(century: str | None, yymmdd: str) -> bool:
    year2, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > COORDINATION_DAY_OFFSET:
        day -= COORDINATION_DAY_OFFSET
        if day < 1:
            return False
    if century is not None:
        if int(century) not in _CENTURIES:
            return False
        years: Iterable[int] = (int(century) * 100 + year2,)
    else:
        years = (c * 100 + year2 for c in _CENTURIES)
    return _date_exists(years, month, day)


def mask(match: re.Match[str]) -> str:
    """The number as written, with the four last digits (the personal part) replaced by '*'."""
    return f"{match.group('century') or ''}{match.group('date')}{match.group('separator')}****"


def iter_personal_identity_numbers(text: str) -> Iterator[re.Match[str]]:
    """Matches of valid personnummer/samordningsnummer in ``text`` (date and checksum checked)."""
    for match in PERSONAL_NUMBER_RE.finditer(text):
        if not _valid_birth_date(match.group("century"), match.group("date")):
            continue
        if not luhn_valid(match.group("date") + match.group("serial")):
            continue
        yield match


def find_personal_identity_numbers(text: str) -> list[str]:
    """Masked Swedish personal identity numbers found in ``text``, e.g. ``["19121212-****"]``.

    Recognises personnummer and samordningsnummer (day + 60) written as YYMMDD-NNNN,
    YYMMDD+NNNN, YYMMDDNNNN, YYYYMMDD-NNNN or YYYYMMDDNNNN, with a space allowed instead of the
    dash. Only numbers with a real date and a correct Luhn check digit count, and digits inside
    longer numbers are ignored, so that editors are not stopped by false alarms. The result is
    masked so it can be shown in a message without publishing the number again.
    """
    if not text:
        return []
    found: list[str] = []
    for match in iter_personal_identity_numbers(text):
        masked = mask(match)
        if masked not in found:
            found.append(masked)
    return found


# Text collection ---------------------------------------------------------------------------

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|ul|ol|blockquote)>|<br\s*/?>", re.IGNORECASE)


def html_to_text(value: str) -> str:
    """Plain text of (rich text) HTML, with entities resolved so '&nbsp;' counts as a space.

    Same rule as ``search.documents.html_to_text`` (paragraph ends become line breaks, so
    numbers in neighbouring paragraphs are not glued together), which is not imported here
    because that module imports the page models, which import this one.
    """
    from django.utils.html import strip_tags

    return html.unescape(strip_tags(_BLOCK_END.sub("\n", value)))


def value_texts(value: Any) -> list[str]:
    """Every piece of text in a submitted form value: strings, rich text, StreamField values.

    Like ``search.documents._stream_text`` (which flattens a saved page for the search index),
    but it keeps digit-only strings (a number typed alone in a block is exactly what must be
    caught) and the titles of chosen documents, which are published as link text.
    """
    from django.db.models import Model, QuerySet
    from wagtail.blocks import StreamValue
    from wagtail.documents.models import AbstractDocument

    parts: list[str] = []

    def walk(item: Any) -> None:
        if item is None or isinstance(item, bool | int | float | date):
            return
        if isinstance(item, str):
            parts.append(item)
            if "<" in item or "&" in item:  # rich text HTML: also search it without the tags
                parts.append(html_to_text(item))
        elif isinstance(item, AbstractDocument):
            parts.append(item.title)
        elif isinstance(item, Model | QuerySet):  # themes, municipality, images: not typed here
            return
        elif isinstance(item, StreamValue):
            for child in item:
                walk(child.value)
        elif hasattr(item, "source"):  # RichText
            parts.append(html_to_text(item.source or ""))
        elif isinstance(item, dict):
            for child in item.values():
                walk(child)
        elif hasattr(item, "items") and callable(item.items):  # StructValue
            for _key, child in item.items():
                walk(child)
        elif hasattr(item, "__iter__") and not isinstance(item, bytes):  # lists, ListValue
            for child in item:
                walk(child)

    walk(value)
    return [part for part in parts if part]


# Small counts ------------------------------------------------------------------------------

SMALL_COUNT_LIMIT = 5

# Units that say "this value is a number of people (or of things that stand for people)".
COUNT_UNITS = frozenset(
    {
        "antal",
        "st",
        "stycken",
        "patienter",
        "patient",
        "personer",
        "person",
        "individer",
        "brukare",
        "vårdtagare",
        "boende",
        "invånare",
        "klienter",
        "fall",
        "händelser",
        "patients",
        "people",
        "persons",
        "individuals",
        "residents",
        "clients",
        "cases",
        "count",
        "number",
        "n",
    }
)


@dataclass(frozen=True)
class SmallCount:
    """One data point of a count measure with a value between 0 and the limit (exclusive)."""

    measure: str
    unit: str
    value: float
    date: date | None

    @property
    def value_text(self) -> str:
        """The value as an editor typed it: '3', not '3.0'."""
        return f"{self.value:g}"


def is_count_unit(unit: str) -> bool:
    """Whether a measure's unit says it counts people ('patienter', 'antal besök', 'st')."""
    words = re.findall(r"\w+", (unit or "").lower())
    return any(word in COUNT_UNITS for word in words)


def _get(value: Any, key: str, default: Any = None) -> Any:
    try:
        return value[key]
    except (KeyError, TypeError, IndexError):
        return getattr(value, key, default)


def small_counts(measure_value: Any) -> list[SmallCount]:
    """Data points of a measure that count people and are above 0 but below 5.

    A run chart of "3 patients readmitted" in a named municipality in a given week can point to
    a real person, so the editor is warned to use percentages or longer periods. Zero is not
    flagged (nobody is described by it) and measures in other units (days, %) are ignored.
    ``measure_value`` is a ``MeasureBlock`` value (StructValue) or an equivalent dict.
    """
    unit = str(_get(measure_value, "unit", "") or "")
    if not is_count_unit(unit):
        return []
    name = str(_get(measure_value, "name", "") or "")
    findings: list[SmallCount] = []
    for point in _get(measure_value, "data_points", None) or []:
        raw = _get(point, "value")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            continue
        if 0 < number < SMALL_COUNT_LIMIT:
            findings.append(
                SmallCount(measure=name, unit=unit, value=number, date=_get(point, "date"))
            )
    return findings
