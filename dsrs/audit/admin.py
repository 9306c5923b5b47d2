from django.contrib import admin

from dsrs.readonly_admin import ReadOnlyModelAdmin

from .models import AuditRecord
from .services import audit_record_create


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyModelAdmin):
    """For auditors: search and read; nobody can add, change or delete a record here."""

    list_display = ("at", "actor", "action", "object_type", "channel", "ip_address", "correlation_id")
    list_filter = ("action", "object_type", "channel")
    search_fields = ("actor", "object_ids", "ip_address", "correlation_id", "path")
    date_hierarchy = "at"


class AuditedAdminMixin:
    """Records every opening of a record's change page as a read of its personal-data fields."""

    audit_object_type: str = ""
    audit_fields: tuple[str, ...] = ()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:  # shown, not refused or redirected
            audit_record_create(request=request, action=AuditRecord.Action.READ, object_type=self.audit_object_type,
                                object_ids=[object_id], fields=self.audit_fields, channel="admin")
        return response
