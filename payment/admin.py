from django.contrib import admin

from dsrs.access import caller_of
from dsrs.querying import in_regions
from dsrs.readonly_admin import ReadOnlyModelAdmin

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyModelAdmin):
    list_display = ("household_id", "program_code", "cycle", "amount", "currency", "region_code", "status",
                    "scheduled_at", "completed_at")
    list_filter = ("status", "cycle", "program_code", "region_code")
    search_fields = ("household_id", "id")
    def get_queryset(self, request):
        return in_regions(super().get_queryset(request), caller_of(request).regions)

    date_hierarchy = "scheduled_at"
