import uuid

from django.conf import settings
from django.db import models


class Enrolment(models.Model):
    """A household's place in a program; its transitions are eligibility/states.py's table."""

    class Status(models.TextChoices):
        ELIGIBLE = "eligible", "Eligible"
        ENROLLED = "enrolled", "Enrolled"
        WAITLISTED = "waitlisted", "Waitlisted"
        SUSPENDED = "suspended", "Suspended"
        EXITED = "exited", "Exited"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program_code = models.CharField(max_length=32)
    household_id = models.UUIDField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ELIGIBLE)
    reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="increments on every transition; carried in events")
    assessment_id = models.UUIDField(null=True, blank=True, help_text="the assessment behind the latest transition")
    region_code = models.CharField(max_length=10)
    province_code = models.CharField(max_length=10, blank=True, default="")
    municipality_code = models.CharField(max_length=10, blank=True, default="")
    barangay_code = models.CharField(max_length=10, blank=True, default="")
    pmt_score = models.DecimalField(max_digits=5, decimal_places=4, help_text="orders the waitlist, poorest first")
    enrolled_on = models.DateField(null=True, blank=True)
    waitlisted_on = models.DateField(null=True, blank=True)
    suspended_on = models.DateField(null=True, blank=True)
    exited_on = models.DateField(null=True, blank=True)
    status_changed_at = models.DateTimeField()

    class Meta:
        ordering = ["program_code", "region_code", "status", "pmt_score"]
        constraints = [models.UniqueConstraint(fields=["program_code", "household_id"],
                                               name="one_enrolment_per_household_program")]
        indexes = [models.Index(fields=["program_code", "region_code", "status", "pmt_score"],
                                name="elig_enrol_queue_idx")]

    def __str__(self):
        return f"{self.household_id} in {self.program_code}: {self.status}"


class EnrolmentChange(models.Model):
    """One transition of an enrolment, with its reason and who made it (nobody: a rule did)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=500, blank=True)
    assessment_id = models.UUIDField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["enrolment", "version"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "version"], name="one_change_per_enrolment_version")]
