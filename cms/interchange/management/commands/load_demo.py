from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_CONTENT = Path(settings.BASE_DIR) / "fixtures" / "demo"


class Command(BaseCommand):
    help = "Build the demo site from fixtures/demo (safe to run again: nothing is duplicated)."

    def handle(self, *args, **options):
        call_command("import_content", str(DEMO_CONTENT), stdout=self.stdout, stderr=self.stderr)
        # Coach groups per municipality, Qulturum editors and the review workflow.
        call_command("setup_editors", stdout=self.stdout, stderr=self.stderr)
