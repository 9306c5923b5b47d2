"""What payment knows of other contexts, only from their events (no table of theirs is ever read)."""

from django.db import models


class EnrolmentFact(models.Model):
    """The latest enrolment status of a household in a program, by eligibility's enrolment_version."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WAITLISTED = "waitlisted", "Waitlisted"
        SUSPENDED = "suspended", "Suspended"
        EXITED = "exited", "Exited"

    household_id = models.UUIDField()
    program_code = models.CharField(max_length=32)
    enrolment_id = models.UUIDField()
    status = models.CharField(max_length=20, choices=Status.choices)
    enrolment_version = models.PositiveIntegerField()
    reason = models.CharField(max_length=500, blank=True)
    effective_on = models.DateField()
    region_code = models.CharField(max_length=10)
    province_code = models.CharField(max_length=10, blank=True, default="")
    municipality_code = models.CharField(max_length=10, blank=True, default="")
    barangay_code = models.CharField(max_length=10, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program_code", "household_id"]
        constraints = [models.UniqueConstraint(fields=["household_id", "program_code"],
                                               name="one_enrolment_fact_per_household_program")]
        indexes = [models.Index(fields=["program_code", "status"], name="payment_enrolment_status_idx")]

    def __str__(self):
        return f"{self.household_id} {self.program_code} {self.status} (v{self.enrolment_version})"


class HouseholdFact(models.Model):
    """The members' facts a formula reads (ages, school, pregnancy, disability), by the registry's version.

    Each member is {relationship, age, birth_month, attending_school, is_pregnant, has_disability};
    `observed_on` is the day of the event, so that an age can be carried forward where no birth month was sent.
    """

    household_id = models.UUIDField(primary_key=True)
    version = models.PositiveIntegerField()
    members = models.JSONField(default=list)
    observed_on = models.DateField()

    def __str__(self):
        return f"{self.household_id} v{self.version} ({len(self.members)} members)"
