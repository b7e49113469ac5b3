from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """The documented JSON content format and its importer (demo content, migrations, backups)."""

    name = "cms.interchange"
    label = "interchange"
    verbose_name = "Content import and export"
