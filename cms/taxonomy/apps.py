from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    """Controlled vocabularies: themes, municipalities and organisations, free tags."""

    name = "cms.taxonomy"
    label = "taxonomy"
    verbose_name = "Taxonomy"
