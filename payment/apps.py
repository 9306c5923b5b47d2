from django.apps import AppConfig


class PaymentConfig(AppConfig):
    name = "payment"
    verbose_name = "Payment"

    def ready(self):
        from . import handlers  # noqa: F401  registers the consumer group
