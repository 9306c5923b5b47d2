import uuid

from django.db import models

from .cycles import Cycle


class Batch(models.Model):
    """Payments of one cycle for one provider, at most the program's batch size; prepared (submitted)
    by one payment officer and approved by another. Its amounts are frozen once approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        EXPORTED = "exported", "Exported"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="batches")
    number = models.PositiveIntegerField()
    provider_code = models.CharField(max_length=32)
    region_code = models.CharField(max_length=10, db_index=True, help_text="a batch holds the payments of one region")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    payment_count = models.PositiveIntegerField(default=0)
    total_centavos = models.PositiveBigIntegerField(default=0)
    prepared_by = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.CharField(max_length=200, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "number"]
        verbose_name_plural = "batches"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="one_batch_number_per_cycle"),
            # Four eyes, in the database too: whoever approved is never who prepared.
            models.CheckConstraint(condition=models.Q(approved_by="") | ~models.Q(approved_by=models.F("prepared_by")),
                                   name="batch_approver_is_not_its_preparer"),
        ]

    def __str__(self):
        return f"{self.cycle.code} batch {self.number} ({self.status})"

    @property
    def is_frozen(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.EXPORTED)


class Entitlement(models.Model):
    """What one enrolled household is owed in one cycle, with the formula (and its result) that computed it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="entitlements")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="entitlements")
    household_id = models.UUIDField()
    program_code = models.CharField(max_length=32)
    enrolment_id = models.UUIDField()
    amount_centavos = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    formula_id = models.PositiveIntegerField(help_text="the Formula row that computed it")
    formula_version = models.PositiveIntegerField()
    breakdown = models.JSONField(help_text="base, each component's qualifying members and amount, the cap applied")
    region_code = models.CharField(max_length=10)
    province_code = models.CharField(max_length=10, blank=True, default="")
    municipality_code = models.CharField(max_length=10, blank=True, default="")
    barangay_code = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "batch", "id"]
        indexes = [models.Index(fields=["region_code"], name="entitlement_region_idx")]  # no LIKE index: = only
        constraints = [models.UniqueConstraint(fields=["household_id", "program_code", "cycle"],
                                               name="one_entitlement_per_household_program_cycle")]

    def __str__(self):
        return f"{self.household_id} {self.cycle.code}: {self.amount_centavos} centavos"

    def save(self, *args, **kwargs):
        """An entitlement of an approved (or exported) batch is frozen: no save changes it."""
        if not self._state.adding and Batch.objects.filter(
                pk=self.batch_id, status__in=(Batch.Status.APPROVED, Batch.Status.EXPORTED)).exists():
            from ..errors import Frozen

            raise Frozen(f"the batch of entitlement {self.pk} is approved: its amounts are frozen")
        super().save(*args, **kwargs)
