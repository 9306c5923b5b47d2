"""Payment's own view of a program: how often it pays, through whom, and by which formula."""

from django.core.exceptions import ValidationError
from django.db import models


class Program(models.Model):
    """Payment's record of a program (eligibility keeps its own; they share only the code)."""

    class Schedule(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        BIMONTHLY = "bimonthly", "Every two months"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="PHP")
    schedule = models.CharField(max_length=20, choices=Schedule.choices, default=Schedule.MONTHLY)
    due_days = models.PositiveSmallIntegerField(default=15, help_text="a cycle is due this many days after its start")
    provider_code = models.CharField(max_length=32, default="mifos-csv", help_text="the disbursing provider's adapter")
    payer_identifier = models.CharField(max_length=64, default="", blank=True,
                                        help_text="the program's own account at the provider (the payer)")
    payee_dfsp_id = models.CharField(max_length=64, default="", blank=True,
                                     help_text="the payee's financial service provider at the payment hub")
    batch_size = models.PositiveIntegerField(default=5000, help_text="most payments in one batch")
    max_attempts = models.PositiveSmallIntegerField(default=3, help_text="sendings of one payment, retries included")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} ({self.get_schedule_display().lower()})"

    @property
    def months_per_cycle(self) -> int:
        return 2 if self.schedule == self.Schedule.BIMONTHLY else 1

    def current_formula(self) -> "Formula":
        formula = self.formulas.order_by("-version").first()
        if formula is None:
            raise ValidationError(f"program {self.code} has no entitlement formula")
        return formula


class Formula(models.Model):
    """An entitlement formula as data: a base per household plus components per qualifying member,
    each capped, and a cap per household. All amounts are integer centavos per month; a cycle of two
    months pays twice. A formula is never changed once it exists: a new version replaces it."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="formulas")
    version = models.PositiveIntegerField()
    base_centavos = models.PositiveBigIntegerField(help_text="per household per month")
    household_cap_centavos = models.PositiveBigIntegerField(null=True, blank=True,
                                                            help_text="most per household per month; empty: no cap")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "-version"]
        constraints = [models.UniqueConstraint(fields=["program", "version"], name="one_formula_version_per_program")]

    def __str__(self):
        return f"{self.program.code} formula v{self.version}"

    def as_data(self) -> dict:
        """The formula as it is recorded with every entitlement it computes."""
        return {"formula_id": self.pk, "program_code": self.program.code, "version": self.version,
                "base_centavos": self.base_centavos, "household_cap_centavos": self.household_cap_centavos,
                "components": [c.as_data() for c in self.components.order_by("position", "pk")]}


class FormulaComponent(models.Model):
    """An amount per member who meets every condition given (a condition left empty is not checked)."""

    formula = models.ForeignKey(Formula, on_delete=models.PROTECT, related_name="components")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    amount_centavos = models.PositiveBigIntegerField(help_text="per qualifying member per month")
    max_members = models.PositiveSmallIntegerField(null=True, blank=True, help_text="most members paid; empty: all")
    relationships = models.JSONField(default=list, blank=True, help_text="e.g. [\"child\", \"grandchild\"]; empty: any")
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    attending_school = models.BooleanField(null=True, blank=True)
    is_pregnant = models.BooleanField(null=True, blank=True)
    has_disability = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["formula", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["formula", "code"], name="one_component_code_per_formula")]

    def __str__(self):
        return f"{self.code}: {self.amount_centavos} centavos"

    def as_data(self) -> dict:
        return {"code": self.code, "label": self.label, "amount_centavos": self.amount_centavos,
                "max_members": self.max_members, "relationships": list(self.relationships),
                "min_age": self.min_age, "max_age": self.max_age, "attending_school": self.attending_school,
                "is_pregnant": self.is_pregnant, "has_disability": self.has_disability}
