import uuid

from django.db import models


class ReassessmentJob(models.Model):
    """Re-assessing every household of a program's regions, in chunks by household id, resumable.

    `last_household_id` is written in the same transaction as each chunk's assessments and events, so a
    job killed midway restarts after the last chunk it finished and never decides a household twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program_code = models.CharField(max_length=32)
    rule_set_version = models.PositiveIntegerField()
    assessed_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    decisions = models.PositiveIntegerField(default=0, help_text="assessments made (a household whose outcome "
                                                                 "did not change makes none)")
    last_household_id = models.UUIDField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"reassess {self.program_code} v{self.rule_set_version} ({self.status})"

    @property
    def progress(self) -> str:
        return f"{self.done}/{self.total} ({100 * self.done // self.total if self.total else 100}%)"
