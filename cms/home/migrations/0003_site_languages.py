"""Create a Locale for every site language and keep English in step with Swedish.

Swedish is where coaches write; English is synchronised from it (wagtail-localize's "Sync from"),
so every Swedish page has an English counterpart from the moment it is created: an alias that
shows the Swedish page at its English address until someone translates it. That is the "honest
fallback" of DESIGN.md: English visitors, listings and search never lose a page to a 404.
"""

from django.conf import settings
from django.db import migrations


def create_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    LocaleSynchronization = apps.get_model("wagtail_localize", "LocaleSynchronization")
    default_code = settings.LANGUAGE_CODE
    default, _ = Locale.objects.get_or_create(language_code=default_code)
    for code, _name in settings.LANGUAGES:
        if code == default_code:
            continue
        locale, _ = Locale.objects.get_or_create(language_code=code)
        LocaleSynchronization.objects.get_or_create(locale=locale, defaults={"sync_from": default})


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
    ]

    operations = [migrations.RunPython(create_locales, migrations.RunPython.noop)]
