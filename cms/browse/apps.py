from django.apps import AppConfig


class BrowseConfig(AppConfig):
    """How visitors find work: municipality sections, theme pages and filtered listings."""

    name = "cms.browse"
    label = "browse"
    verbose_name = "Browse"
