from django.db import models


class HouseholdFact(models.Model):
    """Eligibility's projection of a household: the latest facts its registry events told, nothing more.

    Version-guarded: an event whose version is not newer than the one kept changes nothing. Members are
    kept as the events carry them (see docs/eligibility.md, "Ages"): no names, no ID numbers, the birth
    month at most.
    """

    household_id = models.UUIDField(primary_key=True)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20)
    region_code = models.CharField(max_length=10)
    province_code = models.CharField(max_length=10, blank=True, default="")
    municipality_code = models.CharField(max_length=10, blank=True, default="")
    barangay_code = models.CharField(max_length=10, blank=True, default="")
    household_size = models.PositiveIntegerField()
    monthly_income = models.DecimalField(max_digits=14, decimal_places=2)
    per_capita_income = models.DecimalField(max_digits=14, decimal_places=2)
    pmt_score = models.DecimalField(max_digits=5, decimal_places=4)
    pmt_model_version = models.PositiveIntegerField(default=0)
    members = models.JSONField(default=list)
    source_event_id = models.UUIDField()
    event_schema_version = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["region_code", "household_id"], name="elig_fact_region_idx")]

    def __str__(self):
        return f"{self.household_id} v{self.version}"
