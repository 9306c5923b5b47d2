import uuid

from django.db import models


class Assessment(models.Model):
    """One decision on one version of a household for one program."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Looked up through the unique constraint below, whose first column it is.
    household_id = models.UUIDField(help_text="the registry's household id")
    household_version = models.PositiveIntegerField()
    program_code = models.CharField(max_length=32)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reasons = models.JSONField(default=list, blank=True)
    region_code = models.CharField(max_length=10, db_index=True)
    # '' where the household event did not name the level: no province in NCR, nothing below the region in v1.
    province_code = models.CharField(max_length=10, blank=True, default="")
    municipality_code = models.CharField(max_length=10, blank=True, default="")
    barangay_code = models.CharField(max_length=10, blank=True, default="")
    pmt_score = models.DecimalField(max_digits=5, decimal_places=4)
    pmt_model_version = models.PositiveIntegerField(
        default=0, help_text="the PMT model that computed pmt_score; 0 where the household event did not say (v1)")
    monthly_income = models.DecimalField(max_digits=12, decimal_places=2)
    rule = models.JSONField(help_text="the thresholds the decision was made with")
    source_event_id = models.UUIDField(help_text="the household event that caused this assessment")
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at"]
        constraints = [
            models.UniqueConstraint(fields=["household_id", "program_code", "household_version"],
                                    name="one_assessment_per_household_version")
        ]

    def __str__(self):
        return f"{self.household_id} v{self.household_version}: {self.decision}"
