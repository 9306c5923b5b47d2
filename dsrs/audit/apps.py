from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Kernel: the audit trail every app writes to (who did or saw what, when, from where)."""

    name = "dsrs.audit"
    label = "audit"
    verbose_name = "Audit trail"
