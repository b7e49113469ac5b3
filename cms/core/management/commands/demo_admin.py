"""Create (once) the local demo administrator and print how to log in.

The password is generated on first run and kept in build/demo-admin.txt (git-ignored), so no
password lives in the repository. Refuses to run with DEBUG off: this is for a local demo only.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "demo"


class Command(BaseCommand):
    help = "Create the local demo admin account (DEBUG only) and print its credentials."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo admin account is for local development (DEBUG) only.")
        credentials = Path(settings.BUILD_DIR) / "demo-admin.txt"
        user_model = get_user_model()
        user = user_model.objects.filter(username=USERNAME).first()
        if user is None or not credentials.exists():
            password = secrets.token_urlsafe(12)
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.write_text(password + "\n")
            credentials.chmod(0o600)
            user = user or user_model(username=USERNAME, email="demo@example.se")
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
        password = credentials.read_text().strip()
        self.stdout.write(
            self.style.SUCCESS(
                f"Local demo admin: {settings.WAGTAILADMIN_BASE_URL}/admin/  user '{USERNAME}'  "
                f"password '{password}'  (stored in {credentials})"
            )
        )
