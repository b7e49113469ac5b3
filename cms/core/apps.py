from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting site pieces: navigation, template helpers, error pages."""

    name = "cms.core"
    label = "core"
    verbose_name = "Core"
