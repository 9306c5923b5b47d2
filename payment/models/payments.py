import uuid

from django.db import models

from .cycles import Cycle
from .entitlements import Batch, Entitlement


class Payment(models.Model):
    """The money movement of one entitlement: pending → approved → sent → paid | failed;
    failed → approved (a retry, attempt + 1) | cancelled; paid → reversed (payment/states.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SENT = "sent", "Sent"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REVERSED = "reversed", "Reversed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entitlement = models.OneToOneField(Entitlement, on_delete=models.PROTECT, related_name="payment")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="payments")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="payments")
    household_id = models.UUIDField(db_index=True)
    program_code = models.CharField(max_length=32)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=1, help_text="increments on every transition")
    attempt = models.PositiveSmallIntegerField(default=1)
    amount_centavos = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    region_code = models.CharField(max_length=10, db_index=True)
    province_code = models.CharField(max_length=10, blank=True, default="")
    municipality_code = models.CharField(max_length=10, blank=True, default="")
    barangay_code = models.CharField(max_length=10, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, help_text="of the last transition")
    needs_review = models.BooleanField(default=False, help_text="flagged for the payment officer")
    review_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "batch", "id"]
        indexes = [models.Index(fields=["batch", "status"], name="payment_batch_status_idx"),
                   models.Index(fields=["household_id", "program_code", "status"], name="payment_household_status_idx")]

    def __str__(self):
        return f"{self.household_id} {self.amount_centavos} centavos ({self.status}, attempt {self.attempt})"


class PaymentChange(models.Model):
    """One transition of a payment, as it happened (the failures' reasons stay here)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    version = models.PositiveIntegerField()
    attempt = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=500, blank=True)
    actor = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["payment", "version"]
        constraints = [models.UniqueConstraint(fields=["payment", "version"], name="one_change_per_payment_version")]
