from django.db import models


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit records cannot be changed")

    def delete(self):
        raise PermissionError("audit records cannot be deleted")


class AuditRecord(models.Model):
    """One access to personal data or one change, as it happened. Written once, never changed.

    It names fields, never their values, so the trail itself holds no personal data.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Create"
        READ = "read", "Read"
        LIST = "list", "List"
        UPDATE = "update", "Update"
        EXPORT = "export", "Export"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=200, db_index=True, help_text="who: user:<id>:<username> or client:<id>")
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, help_text="e.g. registry.household")
    object_ids = models.JSONField(default=list, help_text="the records acted on")
    fields = models.JSONField(default=list, help_text="the personal-data fields read or changed (names only)")
    reason = models.CharField(max_length=500, blank=True)
    channel = models.CharField(max_length=20, help_text="api, admin or command")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=300, blank=True)
    correlation_id = models.CharField(max_length=128, blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "at"], name="audit_object_type_at_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records cannot be deleted")
