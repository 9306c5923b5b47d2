from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Registry"

    def ready(self):
        from . import boundary  # noqa: F401  provides registry.payees (dsrs/boundaries.py)
