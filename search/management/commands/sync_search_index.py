"""Send the search engine the page changes it missed while it was unreachable."""

from django.core.management.base import BaseCommand, CommandError

from search.backends.base import BackendUnavailable
from search.indexing import sync_pending


class Command(BaseCommand):
    help = "Index pages changed while the search engine was down (safe to run from cron)."

    def handle(self, *args, **options):
        try:
            count = sync_pending()
        except BackendUnavailable as error:
            raise CommandError(f"The search engine is still unavailable: {error}") from error
        self.stdout.write(f"{count} page(s) synced.")
