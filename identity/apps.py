from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity and access"

    def ready(self):
        from dsrs.access import register_caller_resolver

        from .access import caller_for

        register_caller_resolver(caller_for)
