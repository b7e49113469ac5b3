from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """The content itself: improvement projects, training material, case stories, listings."""

    name = "cms.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge"
