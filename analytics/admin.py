from django.contrib import admin

from dsrs.readonly_admin import ReadOnlyModelAdmin

from .models import HouseholdAssessmentFact, PaymentFact


@admin.register(HouseholdAssessmentFact)
class HouseholdAssessmentFactAdmin(ReadOnlyModelAdmin):
    list_display = ("household_id", "decision", "program_code", "region_code", "household_version", "assessed_at")
    list_filter = ("decision", "program_code", "region_code")


@admin.register(PaymentFact)
class PaymentFactAdmin(ReadOnlyModelAdmin):
    list_display = ("payment_id", "status", "cycle", "amount_centavos", "currency", "region_code")
    list_filter = ("status", "cycle", "region_code")
