"""Production settings plus the stock Wagtail search view, for the benchmark servers only.

``BENCH_STOCK_BACKEND`` picks the engine behind Wagtail's own search (``WAGTAILSEARCH_BACKENDS``)
so that "ours vs stock" always compares the same engine: ``database`` (Wagtail's database
backend, PostgreSQL full-text search on PostgreSQL) or ``opensearch`` (Wagtail's ``opensearch2``
backend on the same OpenSearch node, in indexes of its own, ``<SEARCH_INDEX_PREFIX>-wagtail-*``:
one set per corpus size, like ours).
"""

from cms.settings.env import env_str
from cms.settings.production import *  # noqa: F403
from cms.settings.production import INSTALLED_APPS, SEARCH_ENGINE_URL

ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = ["bench", *INSTALLED_APPS]

if env_str("BENCH_STOCK_BACKEND", "database") == "opensearch":
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.opensearch2",
            "URLS": [SEARCH_ENGINE_URL],
            # modelsearch (the search package under Wagtail 8) names indexes INDEX_PREFIX + model;
            # it ignores the older INDEX option, which left every size in one "wagtailcore_page".
            "INDEX_PREFIX": f"{env_str('SEARCH_INDEX_PREFIX', 'bench')}-wagtail-",
            "TIMEOUT": 10,
        }
    }
