from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "dsrs.events"
    label = "events"
    verbose_name = "Events (outbox, inbox, dead letters)"

    def ready(self):
        from . import metrics

        metrics.register_collectors()
