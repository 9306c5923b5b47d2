import uuid

from django.db import models


class Payment(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Looked up through the unique constraint below, whose first column it is.
    household_id = models.UUIDField(help_text="the registry's household id")
    assessment_id = models.UUIDField(help_text="the approval this payment follows from")
    program_code = models.CharField(max_length=32)
    cycle = models.CharField(max_length=7, help_text="YYYY-MM")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    region_code = models.CharField(max_length=10, db_index=True)
    # '' where the approval did not name the level: no province in NCR, nothing below the region in v1.
    province_code = models.CharField(max_length=10, blank=True, default="")
    municipality_code = models.CharField(max_length=10, blank=True, default="")
    barangay_code = models.CharField(max_length=10, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_at"]
        constraints = [
            models.UniqueConstraint(fields=["household_id", "program_code", "cycle"],
                                    name="one_payment_per_household_program_cycle")
        ]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="payment_status_due_idx")]

    def __str__(self):
        return f"{self.household_id} {self.cycle} {self.amount} {self.currency} ({self.status})"
