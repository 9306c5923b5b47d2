from django.contrib import admin

from .models import HouseholdAssessmentFact, PaymentFact


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HouseholdAssessmentFact)
class HouseholdAssessmentFactAdmin(ReadOnlyAdmin):
    list_display = ("household_id", "decision", "program_code", "region_code", "household_version", "assessed_at")
    list_filter = ("decision", "program_code", "region_code")


@admin.register(PaymentFact)
class PaymentFactAdmin(ReadOnlyAdmin):
    list_display = ("payment_id", "status", "cycle", "amount_centavos", "currency", "region_code")
    list_filter = ("status", "cycle", "region_code")
