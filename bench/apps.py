from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Only so that ``bench/templates`` is found; installed by ``bench.settings`` alone."""

    name = "bench"
    label = "bench"
