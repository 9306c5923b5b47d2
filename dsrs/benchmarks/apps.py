from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Project-level tools that drive several apps at once; no app may import them."""

    name = "dsrs.benchmarks"
    label = "benchmarks"
