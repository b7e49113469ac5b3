from django.core.management.base import BaseCommand, CommandError

from cms.interchange.importer import ContentError, Importer


class Command(BaseCommand):
    help = "Import content in the Esther JSON content format (see docs/content-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="JSON files or folders of JSON files")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite pages that already exist (default: leave editors' versions alone).",
        )

    def handle(self, *args, paths, update=False, **options):
        try:
            report = Importer(update=update).run(paths)
        except ContentError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"Nothing was imported: {error}") from error
        self.stdout.write(report.summary())
        self.stdout.write(self.style.SUCCESS("Import complete."))
