"""The read model's tables for the embedded default (no MongoDB). Production keeps it in MongoDB."""

from django.db import models


class HouseholdAssessmentFact(models.Model):
    """A household's latest decision in one program."""

    household_id = models.UUIDField()
    program_code = models.CharField(max_length=32)
    household_version = models.PositiveIntegerField()
    decision = models.CharField(max_length=20, db_index=True)
    region_code = models.CharField(max_length=10, db_index=True)
    province_code = models.CharField(max_length=10, blank=True, default="", db_index=True)
    municipality_code = models.CharField(max_length=10, blank=True, default="", db_index=True)
    barangay_code = models.CharField(max_length=10, blank=True, default="", db_index=True)
    assessed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household_id", "program_code"],
                                               name="one_assessment_fact_per_household_program")]
        permissions = [("view_summary", "Can view the analytics summary")]


class PaymentFact(models.Model):
    payment_id = models.UUIDField(primary_key=True)
    household_id = models.UUIDField()
    program_code = models.CharField(max_length=32)
    cycle = models.CharField(max_length=7)
    status = models.CharField(max_length=20, db_index=True)
    amount_centavos = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    region_code = models.CharField(max_length=10, db_index=True)
    province_code = models.CharField(max_length=10, blank=True, default="", db_index=True)
    municipality_code = models.CharField(max_length=10, blank=True, default="", db_index=True)
    barangay_code = models.CharField(max_length=10, blank=True, default="", db_index=True)
    scheduled_at = models.DateTimeField(null=True)
    completed_at = models.DateTimeField(null=True)
