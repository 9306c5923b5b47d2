from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self):
        from dsrs.events.registry import on_batch
        from dsrs.health import register_check

        from . import handlers  # registers the consumer group
        from .stores import get_store

        register_check("analytics_store", lambda: get_store().check())
        on_batch(group=handlers.GROUP, start=lambda: get_store().start_batch(), finish=lambda: get_store().finish_batch())
