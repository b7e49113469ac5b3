from django.apps import AppConfig


class EditorsConfig(AppConfig):
    """Who may edit what: coach groups per municipality, Qulturum editors and their workflow."""

    name = "cms.editors"
    label = "editors"
    verbose_name = "Editors and permissions"
