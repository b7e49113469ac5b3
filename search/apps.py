from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The search service: one API over the database and Elasticsearch backends."""

    name = "search"
    label = "search"
    verbose_name = "Search"
