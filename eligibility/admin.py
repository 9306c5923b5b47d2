from django.contrib import admin

from dsrs.access import caller_of
from dsrs.querying import in_regions
from dsrs.readonly_admin import ReadOnlyModelAdmin

from .models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyModelAdmin):
    list_display = ("household_id", "household_version", "program_code", "decision", "region_code", "pmt_score",
                    "pmt_model_version", "monthly_income", "assessed_at")
    list_filter = ("decision", "program_code", "region_code")
    search_fields = ("household_id",)
    def get_queryset(self, request):
        return in_regions(super().get_queryset(request), caller_of(request).regions)

    date_hierarchy = "assessed_at"
