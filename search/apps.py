from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The search service: one API over the database and search-engine backends."""

    name = "search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from search import indexing

        indexing.connect()
