"""Every UI string in the templates is translated into both site languages.

Extraction uses Django's own ``templatize`` (what ``makemessages`` runs), so no gettext
binaries are needed; the catalogues are read with polib.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

TEMPLATES = Path(settings.BASE_DIR) / "templates"
LOCALE = Path(settings.BASE_DIR) / "cms" / "locale"
CALL = re.compile(r"\b(?:n?gettext)\((u(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"))")


def template_msgids() -> dict[str, str]:
    """msgid → the template it first appears in."""
    found: dict[str, str] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        for literal in CALL.findall(templatize(path.read_text(encoding="utf-8"))):
            found.setdefault(ast.literal_eval(literal), str(path.relative_to(TEMPLATES)))
    return found


def test_templates_have_translatable_strings():
    assert len(template_msgids()) > 100


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_template_string_is_translated(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    translated = {
        entry.msgid
        for entry in catalogue
        if (entry.msgstr or entry.msgstr_plural) and "fuzzy" not in entry.flags
    }
    missing = {
        msgid: template for msgid, template in template_msgids().items() if msgid not in translated
    }
    assert not missing, f"untranslated in {language}: {missing}"
