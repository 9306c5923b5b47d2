import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .geography import REGION_CHOICES


# What the audit trail counts as a person's data when a household is shown or changed.
PERSONAL_FIELDS = ("head_of_household_name", "address", "monthly_income")


class Household(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household_number = models.CharField(max_length=32, unique=True, editable=False)
    head_of_household_name = models.CharField(max_length=200)
    address = models.CharField(max_length=500)
    region_code = models.CharField(max_length=10, choices=REGION_CHOICES, db_index=True)
    household_size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(50)])
    monthly_income = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    pmt_score = models.DecimalField(
        max_digits=5, decimal_places=4, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="proxy-means-test score between 0 and 1; lower is poorer",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False,
                                          help_text="increments on every change; carried by every event")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self):
        return f"{self.household_number} {self.head_of_household_name}"
