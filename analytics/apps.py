from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self):
        from dsrs.health import register_check

        from . import handlers  # noqa: F401  registers the consumer group
        from .stores import get_store

        register_check("analytics_store", lambda: get_store().check())

        from .metrics import register_collector

        register_collector()
