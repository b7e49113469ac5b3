from django.apps import AppConfig


class MediaConfig(AppConfig):
    """Images and documents, with the alt text and upload rules this site needs."""

    name = "cms.media"
    label = "media"
    verbose_name = "Media"
