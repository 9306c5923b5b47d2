import uuid

from django.core.exceptions import ValidationError
from django.db import models


class Program(models.Model):
    """A social protection program: who runs it where and when, and which published rule set decides."""

    class BenefitKind(models.TextChoices):
        CASH = "cash", "Cash"
        IN_KIND = "in_kind", "In kind"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        ENDED = "ended", "Ended"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    benefit_kind = models.CharField(max_length=10, choices=BenefitKind.choices, default=BenefitKind.CASH)
    benefit_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                                         help_text="nominal monthly benefit per household (PHP), for the preview's cost")
    regions = models.JSONField(default=list, blank=True,
                               help_text="PSGC region codes the program runs in; empty: every region")
    capacity = models.JSONField(default=dict, blank=True,
                                help_text="places per region code; a region not named has no limit")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    current_rule_set = models.OneToOneField("RuleSet", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+", editable=False,
                                            help_text="the published rule set; set by publishing")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        permissions = [("publish_ruleset", "Can publish a rule set"),
                       ("preview_ruleset", "Can preview a draft rule set")]

    def __str__(self):
        return f"{self.code}: {self.name}"

    def runs_in(self, region_code: str) -> bool:
        return not self.regions or region_code in self.regions

    def runs_on(self, day) -> bool:
        return (self.status == self.Status.ACTIVE and (self.starts_on is None or self.starts_on <= day)
                and (self.ends_on is None or day <= self.ends_on))

    def places_in(self, region_code: str) -> int | None:
        places = self.capacity.get(region_code)
        return None if places is None else int(places)


class RuleSet(models.Model):
    """One version of a program's rules, as data: CEL criteria, exclusions and per-region parameters.

    A published rule set is immutable (save() refuses any change but retiring it); one per program at a time.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="rule_sets")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    criteria = models.JSONField(default=list, help_text="[{code, label, expression}], all must hold")
    exclusions = models.JSONField(default=list, blank=True, help_text="[{code, label, expression}], none may hold")
    parameters = models.JSONField(default=dict, blank=True, help_text="default parameters, read as params.<name>")
    region_parameters = models.JSONField(default=dict, blank=True,
                                         help_text="{region code: {name: value}} overriding the defaults")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)

    RULE_FIELDS = ("criteria", "exclusions", "parameters", "region_parameters", "program_id", "version")

    class Meta:
        ordering = ["program", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["program", "version"], name="one_rule_set_per_program_version"),
            models.UniqueConstraint(fields=["program"], condition=models.Q(status="published"),
                                    name="one_published_rule_set_per_program"),
        ]

    def __str__(self):
        return f"{self.program.code if self.program_id else '?'} rules v{self.version} ({self.status})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = RuleSet.objects.filter(pk=self.pk).values(*self.RULE_FIELDS, "status").first()
            if stored and stored["status"] != self.Status.DRAFT:
                changed = [f for f in self.RULE_FIELDS if stored[f] != getattr(self, f)]
                if changed or (stored["status"], self.status) not in {
                        (self.Status.PUBLISHED, self.Status.PUBLISHED), (self.Status.PUBLISHED, self.Status.RETIRED),
                        (self.Status.RETIRED, self.Status.RETIRED)}:
                    raise ValidationError(f"rule set v{self.version} is {stored['status']} and cannot be changed"
                                          + (f" ({', '.join(changed)})" if changed else ""))
        super().save(*args, **kwargs)
