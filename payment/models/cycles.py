import uuid

from django.db import models

from .programs import Program


class Cycle(models.Model):
    """One period of a program's schedule, paid once: draft → to_approve → approved → distributed → closed,
    or cancelled (payment/states.py)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        TO_APPROVE = "to_approve", "To approve"
        APPROVED = "approved", "Approved"
        DISTRIBUTED = "distributed", "Distributed"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cycles")
    code = models.CharField(max_length=64, unique=True, help_text="e.g. 4PS-2026-12")
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Control totals, kept by the services that change entitlements: they must equal the rows' sums.
    entitlement_count = models.PositiveIntegerField(default=0)
    total_centavos = models.PositiveBigIntegerField(default=0)
    created_by = models.CharField(max_length=200, blank=True)
    submitted_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "program"]
        constraints = [models.UniqueConstraint(fields=["program", "period_start"], name="one_cycle_per_program_period")]

    def __str__(self):
        return f"{self.code} ({self.status})"


class CycleChange(models.Model):
    """One transition of a cycle, with who made it."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    actor = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
