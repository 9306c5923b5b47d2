"""Provider files: what was sent (disbursement files and their lines), what came back (the settlement
file as received, its parsed lines) and every mismatch (reconciliation exceptions): three things apart."""

import uuid

from django.db import models

from .entitlements import Batch
from .payments import Payment


class DisbursementFile(models.Model):
    """One export of a batch's approved payments. The file holds the payees' accounts, so only its name,
    digest and control totals live here; the bytes are on disk (PAYMENT_FILES_DIR), reproducible."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="files")
    sequence = models.PositiveSmallIntegerField(help_text="1 for the first export; a retry's export is the next")
    provider_code = models.CharField(max_length=32)
    name = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)
    line_count = models.PositiveIntegerField()
    total_centavos = models.PositiveBigIntegerField()
    exported_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "sequence"]
        constraints = [models.UniqueConstraint(fields=["batch", "sequence"], name="one_file_per_batch_sequence")]

    def __str__(self):
        return self.name


class DisbursementLine(models.Model):
    # Lines are written with their file, from the payments the export has just moved, in one transaction:
    # no foreign-key constraint in the database (it guarded nothing new and cost a check per line).
    file = models.ForeignKey(DisbursementFile, on_delete=models.PROTECT, related_name="lines", db_constraint=False)
    line_number = models.PositiveIntegerField()
    # The unique index is the reference's only one (no LIKE index: nothing searches references by prefix).
    reference = models.CharField(max_length=64, help_text="the payment's reference for this attempt")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="lines", db_constraint=False)
    attempt = models.PositiveSmallIntegerField()
    amount_centavos = models.PositiveBigIntegerField()
    payee_identifier_type = models.CharField(max_length=20, help_text="ACCOUNTID, MSISDN or VOUCHER (never the number)")
    settled = models.BooleanField(default=False)

    class Meta:
        ordering = ["file", "line_number"]
        constraints = [models.UniqueConstraint(fields=["reference"], name="one_disbursement_line_per_reference")]


class SettlementFile(models.Model):
    """A provider's settlement file as received (no account numbers in it); imported once by its digest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    content = models.TextField()
    line_count = models.PositiveIntegerField(default=0)
    paid = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    reversed = models.PositiveIntegerField(default=0)
    exceptions = models.PositiveIntegerField(default=0)
    imported_by = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self):
        return self.name


class SettlementLine(models.Model):
    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        EXCEPTION = "exception", "Exception"

    # Written with its file in one transaction (no constraint in the database); read by file only.
    file = models.ForeignKey(SettlementFile, on_delete=models.CASCADE, related_name="lines", db_constraint=False)
    line_number = models.PositiveIntegerField()
    reference = models.CharField(max_length=64)
    status = models.CharField(max_length=20)
    amount_centavos = models.BigIntegerField(null=True)
    reason = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ["file", "line_number"]


class ReconciliationException(models.Model):
    class Kind(models.TextChoices):
        UNKNOWN_REFERENCE = "unknown_reference", "Unknown reference"
        AMOUNT_MISMATCH = "amount_mismatch", "Amount differs"
        MISSING = "missing", "Payment missing from the file"
        DUPLICATE_LINE = "duplicate_line", "Duplicate line"
        CANCELLED_PAYMENT = "cancelled_payment", "Line for a cancelled payment"
        UNEXPECTED_STATUS = "unexpected_status", "Status the payment cannot take"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    settlement = models.ForeignKey(SettlementFile, on_delete=models.PROTECT, related_name="exception_rows")
    line = models.ForeignKey(SettlementLine, null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    reference = models.CharField(max_length=64, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="reconciliation_exceptions")
    expected_centavos = models.BigIntegerField(null=True, blank=True)
    found_centavos = models.BigIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=500)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(max_length=500, blank=True)
    resolved_by = models.CharField(max_length=200, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    region_code = models.CharField(max_length=10, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["status", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reference}"
