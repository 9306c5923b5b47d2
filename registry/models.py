import uuid

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from encrypted_fields.fields import EncryptedCharField
from simple_history.models import HistoricalRecords

from .geography import REGION_CHOICES


# What the audit trail counts as a person's data when a household is shown or changed.
PERSONAL_FIELDS = ("head_of_household_name", "address", "monthly_income", "head_philsys_number", "phone_number",
                   "payout_account")
# Stored encrypted, found through a blind index, shown masked unless the caller's role needs them.
SENSITIVE_FIELDS = ("head_philsys_number", "phone_number", "payout_account")

def canonical_number(field: str, value: str | None) -> str | None:
    """One spelling per number, for storage and lookup: '+639171234567' is stored as '09171234567'."""
    if not value:
        return None
    if field == "phone_number" and value.startswith("+63"):
        return "0" + value[3:]
    return value


# Messages never repeat the value: it could be someone's real number.
PHILSYS = RegexValidator(r"^(\d{12}|\d{16})$", "A PhilSys number has 12 digits (PSN) or 16 (card number, PCN).")
PHONE = RegexValidator(r"^(\+639|09)\d{9}$", "A mobile number looks like 09171234567 or +639171234567.")
ACCOUNT = RegexValidator(r"^[0-9A-Za-z]{6,34}$", "An account number has 6 to 34 letters or digits, nothing else.")


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
    head_philsys_number = EncryptedCharField(max_length=16, blank=True, null=True, validators=[PHILSYS],
                                             help_text="the head's PhilSys number (encrypted)")
    phone_number = EncryptedCharField(max_length=13, blank=True, null=True, validators=[PHONE], help_text="encrypted")
    payout_account = EncryptedCharField(max_length=34, blank=True, null=True, validators=[ACCOUNT],
                                        help_text="bank or e-wallet account for payments (encrypted)")
    head_philsys_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    payout_account_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False,
                                          help_text="increments on every change; carried by every event")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    # Every change, who made it and why; the numbers stay encrypted in the history too.
    history = HistoricalRecords(excluded_fields=["head_philsys_index", "phone_index", "payout_account_index"])

    class Meta:
        ordering = ["-created_at", "id"]
        permissions = [
            ("view_unmasked_personal_data", "Can see PhilSys, phone and account numbers in full"),
            ("view_unmasked_payout_account", "Can see payout account numbers in full"),
        ]

    def __str__(self):
        return f"{self.household_number} {self.head_of_household_name}"
