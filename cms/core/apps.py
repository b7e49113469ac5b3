from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting site pieces: navigation, template helpers, error pages."""

    name = "cms.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Locale

        from cms.core import languages, pagecache

        pagecache.connect_signals()
        for signal in (post_save, post_delete):
            signal.connect(languages.forget_locale_codes, sender=Locale)
