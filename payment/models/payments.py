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
    # No foreign-key constraints in the database (db_constraint=False): a payment is written by
    # cycle_generate in the statement after its entitlement, from the same values (its cycle and batch are the
    # entitlement's, which its own constraints check), and nothing deletes these rows (PROTECT). The
    # constraints guarded nothing new and cost a deferred check, and a lock on the entitlement row, each.
    entitlement = models.OneToOneField(Entitlement, on_delete=models.PROTECT, related_name="payment",
                                       db_constraint=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="payments", db_constraint=False)
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="payments", db_constraint=False)
    household_id = models.UUIDField(db_index=True)
    program_code = models.CharField(max_length=32)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=1, help_text="increments on every transition")
    attempt = models.PositiveSmallIntegerField(default=1)
    amount_centavos = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    region_code = models.CharField(max_length=10)
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
        # No index holds a column a transition changes (status, version, attempt, reason, updated_at), so
        # each transition is a HOT update (the table keeps free room in its pages: migration 0006) that
        # writes no index entry. The selectors' lookups use these: batch (approve, export, retry), cycle
        # (totals, close), household (compensation), region (region scoping), and the primary key.
        indexes = [models.Index(fields=["region_code"], name="payment_region_idx")]

    def __str__(self):
        return f"{self.household_id} {self.amount_centavos} centavos ({self.status}, attempt {self.attempt})"


class PaymentChange(models.Model):
    """One transition of a payment, as it happened (the failures' reasons stay here)."""

    # Written from the payment's row in the transaction that moved it (the UPDATE's RETURNING): the
    # database's constraint guarded nothing new; one_change_per_payment_version's index serves lookups.
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="changes", db_constraint=False,
                                db_index=False)
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
