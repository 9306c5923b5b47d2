from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from dsrs.access import caller_of
from dsrs.querying import in_regions
from dsrs.audit.admin import AuditedAdminMixin
from dsrs.audit.models import AuditRecord
from dsrs.audit.services import audit_record_create

from . import services
from .models import PERSONAL_FIELDS, SENSITIVE_FIELDS, Household


@admin.register(Household)
class HouseholdAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    audit_object_type = "registry.household"
    audit_fields = PERSONAL_FIELDS
    list_display = ("household_number", "head_of_household_name", "region_code", "household_size",
                    "monthly_income", "pmt_score", "status", "version", "updated_at")
    list_filter = ("status", "region_code")
    search_fields = ("household_number", "head_of_household_name")
    readonly_fields = ("id", "household_number", "version", "created_at", "updated_at")
    date_hierarchy = "created_at"
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        """Saves go through the services, so the admin emits the same events as the API."""
        fields = {name: form.cleaned_data[name] for name in services.UPDATABLE_FIELDS if name in form.cleaned_data}
        if not caller_of(request).sees_region(fields.get("region_code", obj.region_code)):
            raise PermissionDenied("That region is not one of yours.")
        with transaction.atomic():
            if change:
                saved = services.household_update(household=obj, reason="edited in the admin", **fields)
            else:
                fields.pop("status", None)
                saved = services.household_register(**fields, reason="registered in the admin")
            audit_record_create(request=request, action=AuditRecord.Action.UPDATE if change else AuditRecord.Action.CREATE,
                                object_type=self.audit_object_type, object_ids=[saved.pk],
                                fields=form.changed_data, channel="admin")
        obj.pk, obj.household_number, obj.version = saved.pk, saved.household_number, saved.version

    def get_exclude(self, request, obj=None):
        """Whoever may not see the numbers in full does not get them on the page at all."""
        if request.user.has_perm("registry.view_unmasked_personal_data"):
            return super().get_exclude(request, obj)
        return [*(super().get_exclude(request, obj) or []), *SENSITIVE_FIELDS]

    def get_queryset(self, request):
        return in_regions(super().get_queryset(request), caller_of(request).regions)

    def has_delete_permission(self, request, obj=None):
        # Households are deactivated, never deleted: payments and assessments refer to them.
        return False
from . import admin_import  # noqa: E402,F401  (registers the import screens)
