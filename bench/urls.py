"""The site's URLs plus the stock Wagtail search view; used only by ``bench.settings``."""

from django.urls import path

from bench import stock_search
from cms.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/stock-search/", stock_search.search, name="bench_stock_search"),
    *site_urlpatterns,
]
