from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.interchange.exporter import export_content


class Command(BaseCommand):
    help = (
        "Export all content (pages, themes, organisations, glossary, tags, images, documents) "
        "in the Esther JSON content format; import_content reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("output_dir", help="folder for content.json, images/ and documents/")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Write into a folder that is not empty (files of the same name are replaced).",
        )

    def handle(self, *args, output_dir, force=False, **options):
        target = Path(output_dir)
        if target.exists() and not target.is_dir():
            raise CommandError(f"{target} exists and is not a folder")
        if target.is_dir() and any(target.iterdir()) and not force:
            raise CommandError(f"{target} is not empty; use --force to write into it anyway")
        report = export_content(target)
        self.stdout.write(report.summary())
        if report.warnings:
            for warning in report.warnings:
                self.stderr.write(f"warning: {warning}")
            self.stdout.write(
                self.style.WARNING(
                    f"Exported to {report.path} with {len(report.warnings)} warning(s)."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Exported to {report.path}."))
