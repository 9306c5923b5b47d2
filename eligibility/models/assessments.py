import uuid

from django.db import models
from django.utils import timezone


class Assessment(models.Model):
    """One decision on one household for one program, with the rule set that made it and why.

    A new assessment is made when the household's version or the program's rule set changes, or when a
    re-assessment reaches another outcome on the same facts (an age crossed a boundary); otherwise the
    latest one stands and nothing is published again.
    """

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household_id = models.UUIDField(help_text="the registry's household id")
    household_version = models.PositiveIntegerField()
    program_code = models.CharField(max_length=32)
    rule_set_version = models.PositiveIntegerField(default=0, help_text="0: made by the spine's threshold rule")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reasons = models.JSONField(default=list, blank=True, help_text="labels of the criteria that failed")
    explanation = models.JSONField(default=list, blank=True,
                                   help_text="every criterion: expression, values used, result, passed")
    outcome = models.CharField(max_length=200, blank=True, default="",
                               help_text="1 or 0 per criterion and exclusion, in order: whether it passed")
    region_code = models.CharField(max_length=10, db_index=True)
    # '' where the household event did not name the level: no province in NCR, nothing below the region in v1.
    province_code = models.CharField(max_length=10, blank=True, default="")
    municipality_code = models.CharField(max_length=10, blank=True, default="")
    barangay_code = models.CharField(max_length=10, blank=True, default="")
    pmt_score = models.DecimalField(max_digits=5, decimal_places=4)
    pmt_model_version = models.PositiveIntegerField(
        default=0, help_text="the PMT model that computed pmt_score; 0 where the household event did not say (v1)")
    monthly_income = models.DecimalField(max_digits=12, decimal_places=2)
    rule = models.JSONField(help_text="the rule set and parameters the decision was made with")
    source_event_id = models.UUIDField(help_text="the household event whose facts were assessed")
    assessed_on = models.DateField(default=timezone.localdate, help_text="the day ages were computed for")
    is_latest = models.BooleanField(default=True)
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at"]
        constraints = [
            models.UniqueConstraint(fields=["household_id", "program_code", "household_version", "rule_set_version",
                                            "assessed_on"], name="one_assessment_per_household_rules_and_day"),
            models.UniqueConstraint(fields=["household_id", "program_code"], condition=models.Q(is_latest=True),
                                    name="one_latest_assessment_per_household_program"),
        ]
        indexes = [models.Index(fields=["program_code", "decision", "region_code"], name="elig_assess_prog_idx")]

    def __str__(self):
        return f"{self.household_id} {self.program_code} v{self.household_version}: {self.decision}"

    def explain(self) -> str:
        """The decision in words, criterion by criterion, with the values each one used."""
        lines = [f"{self.program_code}: {self.decision} (rule set v{self.rule_set_version}, household version "
                 f"{self.household_version}, ages on {self.assessed_on})"]
        for item in self.explanation:
            values = ", ".join(f"{k} = {v}" for k, v in item["values"].items()) or "no household facts"
            verdict = "passed" if item["passed"] else "FAILED"
            kind = "exclusion" if item["kind"] == "exclusion" else "criterion"
            lines.append(f"- {verdict}: {kind} {item['code']} “{item['label']}”: {item['expression']} "
                         f"was {str(item['result']).lower()} with {values}")
        return "\n".join(lines)
