from django.contrib import admin

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("household_id", "program_code", "cycle", "amount", "currency", "region_code", "status",
                    "scheduled_at", "completed_at")
    list_filter = ("status", "cycle", "program_code", "region_code")
    search_fields = ("household_id", "id")
    date_hierarchy = "scheduled_at"
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
