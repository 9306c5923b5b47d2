"""The read model's tables for the embedded default (no MongoDB). Production keeps it in MongoDB."""

from django.db import models


class HouseholdAssessmentFact(models.Model):
    household_id = models.UUIDField(primary_key=True)
    household_version = models.PositiveIntegerField()
    program_code = models.CharField(max_length=32)
    decision = models.CharField(max_length=20, db_index=True)
    region_code = models.CharField(max_length=10, db_index=True)
    assessed_at = models.DateTimeField()


class PaymentFact(models.Model):
    payment_id = models.UUIDField(primary_key=True)
    household_id = models.UUIDField()
    program_code = models.CharField(max_length=32)
    cycle = models.CharField(max_length=7)
    status = models.CharField(max_length=20, db_index=True)
    amount_centavos = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    region_code = models.CharField(max_length=10, db_index=True)
    scheduled_at = models.DateTimeField(null=True)
    completed_at = models.DateTimeField(null=True)
