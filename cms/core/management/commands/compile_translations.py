"""Compile the project's .po translation catalogues to .mo files with polib.

Django's ``compilemessages`` shells out to GNU gettext's ``msgfmt``, which is not installed on
every machine that runs the site (containers, CI, a coach's laptop). polib is already installed
with wagtail-localize, so the setup scripts call this command instead and the .mo files stay
build output, never committed.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every .po file under settings.LOCALE_PATHS to .mo (no gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Also fail if a catalogue has untranslated or fuzzy entries.",
        )

    def handle(self, *args, check: bool = False, **options):
        po_files = sorted(
            path for root in settings.LOCALE_PATHS for path in Path(root).rglob("*.po")
        )
        if not po_files:
            raise CommandError(f"No .po files found under {list(settings.LOCALE_PATHS)}.")
        problems: list[str] = []
        for po_path in po_files:
            try:
                catalogue = polib.pofile(str(po_path))
            except (OSError, ValueError) as error:
                raise CommandError(f"{po_path}: cannot be read: {error}") from error
            mo_path = po_path.with_suffix(".mo")
            catalogue.save_as_mofile(str(mo_path))
            untranslated = len(catalogue.untranslated_entries())
            fuzzy = len(catalogue.fuzzy_entries())
            self.stdout.write(
                f"{mo_path}: {len(catalogue.translated_entries())} translated, "
                f"{untranslated} untranslated, {fuzzy} fuzzy"
            )
            if check and (untranslated or fuzzy):
                problems.append(f"{po_path}: {untranslated} untranslated, {fuzzy} fuzzy")
        if problems:
            raise CommandError("Incomplete translations:\n" + "\n".join(problems))
        self.stdout.write(self.style.SUCCESS(f"Compiled {len(po_files)} catalogue(s)."))
