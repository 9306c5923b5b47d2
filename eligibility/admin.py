from django.contrib import admin

from .models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("household_id", "household_version", "program_code", "decision", "region_code", "pmt_score",
                    "monthly_income", "assessed_at")
    list_filter = ("decision", "program_code", "region_code")
    search_fields = ("household_id",)
    date_hierarchy = "assessed_at"
    readonly_fields = [f.name for f in Assessment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
