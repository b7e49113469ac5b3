from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    """Ways out of the site for machines: RSS/Atom feeds, the sitemap and the read-only API."""

    name = "cms.syndication"
    label = "syndication"
    verbose_name = "Feeds and API"
