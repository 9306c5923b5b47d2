import re
import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from encrypted_fields.fields import EncryptedCharField
from simple_history.models import HistoricalRecords

from dsrs.personal_data import ascii_form

from .geography import REGION_CHOICES


# What the audit trail counts as a person's data when a household is shown or changed.
PERSONAL_FIELDS = ("head_of_household_name", "address", "monthly_income", "phone_number", "payout_account",
                   "members")
# Stored encrypted, found through a blind index, shown masked unless the caller's role needs them.
SENSITIVE_FIELDS = ("phone_number", "payout_account")
MEMBER_SENSITIVE_FIELDS = ("philsys_number",)


# The personal numbers: each is stored, indexed and validated in its one canonical spelling.
NUMBER_FIELDS = ("philsys_number", "phone_number", "payout_account")


def canonical_number(field: str, value: str | None) -> str | None:
    """One spelling per number, for validation, storage and lookup: in ASCII whatever script its
    digits were typed in ('٠٩١٧...' is '0917...'), and '+639171234567' is stored as '09171234567'."""
    if not value:
        return None
    value = ascii_form(value) if isinstance(value, str) else value
    if field == "phone_number" and isinstance(value, str) and value.startswith("+63"):
        return "0" + value[3:]
    return value


def canonical_numbers(fields: dict) -> dict:
    """A household's or member's fields with each personal number given in its canonical spelling."""
    given = [name for name in NUMBER_FIELDS if fields.get(name)]
    return {**fields, **{name: canonical_number(name, fields[name]) for name in given}} if given else fields


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# The largest amount an income column (12 digits, 2 of them decimals) holds.
LARGEST_AMOUNT = Decimal("9999999999.99")

# Messages never repeat the value: it could be someone's real number.
# ASCII digits only ([0-9], not \d, which takes every script's): numbers are validated canonical.
PHILSYS = RegexValidator(r"^([0-9]{12}|[0-9]{16})$", "A PhilSys number has 12 digits (PSN) or 16 (card number, PCN).")
PHONE = RegexValidator(r"^(\+639|09)[0-9]{9}$", "A mobile number looks like 09171234567 or +639171234567.")
ACCOUNT = RegexValidator(r"^[0-9A-Za-z]{6,34}$", "An account number has 6 to 34 letters or digits, nothing else.")
PSGC_CODE = RegexValidator(r"^\d{10}$", "A PSGC code has 10 digits.")


class RoofMaterial(models.TextChoices):
    STRONG = "strong", "Strong (galvanized iron, concrete, tile)"
    LIGHT = "light", "Light (cogon, nipa, anahaw)"
    SALVAGED = "salvaged", "Salvaged or makeshift"
    MIXED = "mixed", "Mixed, mostly strong"


class WallMaterial(models.TextChoices):
    STRONG = "strong", "Strong (concrete, brick, stone, wood)"
    LIGHT = "light", "Light (bamboo, sawali, cogon, nipa)"
    SALVAGED = "salvaged", "Salvaged or makeshift"
    MIXED = "mixed", "Mixed, mostly strong"


class Tenure(models.TextChoices):
    OWNED = "owned", "Owns the house and lot"
    AMORTIZED = "amortized", "Owns the house, pays for the lot"
    RENTED = "rented", "Rents the house or room"
    RENT_FREE = "rent_free", "Rent-free with the owner's consent"
    INFORMAL = "informal", "Rent-free without the owner's consent (informal settler)"


class WaterSource(models.TextChoices):
    PIPED = "piped", "Piped into the dwelling"
    SHARED_TAP = "shared_tap", "Shared faucet or community system"
    PROTECTED_WELL = "protected_well", "Protected well or tube well"
    UNPROTECTED = "unprotected", "Unprotected well, spring, river, rain"
    BOUGHT = "bought", "Bought (peddler, refilling station)"


class ToiletFacility(models.TextChoices):
    WATER_SEALED = "water_sealed", "Water-sealed, own"
    SHARED = "shared", "Water-sealed, shared with other households"
    PIT = "pit", "Closed or open pit"
    NONE = "none", "None (open field, bodies of water)"


class Asset(models.TextChoices):
    TELEVISION = "television", "Television"
    REFRIGERATOR = "refrigerator", "Refrigerator"
    WASHING_MACHINE = "washing_machine", "Washing machine"
    AIRCON = "aircon", "Air conditioner"
    COMPUTER = "computer", "Computer or laptop"
    SMARTPHONE = "smartphone", "Smartphone"
    MOTORCYCLE = "motorcycle", "Motorcycle or tricycle"
    CAR = "car", "Car, jeep or truck"


class Household(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        GRADUATED = "graduated", "Graduated (no longer poor)"
        DECEASED_HEAD = "deceased_head", "Head deceased (awaiting a new head)"
        TRANSFERRED = "transferred", "Moved out of the area"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household_number = models.CharField(max_length=32, editable=False)
    import_reference = models.CharField(
        max_length=64, null=True, blank=True, editable=False,
        help_text="the source's own key for this household (a bulk import's household_ref); re-imports find it",
    )
    # Derived from the head member, kept here so lists and searches need no join.
    head_of_household_name = models.CharField(max_length=200, editable=False)
    address = models.CharField(max_length=500, help_text="house number, street, purok or sitio")
    region_code = models.CharField(max_length=10, choices=REGION_CHOICES)
    province_code = models.CharField(max_length=10, blank=True,
                                     help_text="empty where the city or municipality is in no province (NCR)")
    municipality_code = models.CharField(max_length=10, validators=[PSGC_CODE],
                                         help_text="city or municipality")
    barangay_code = models.CharField(max_length=10, validators=[PSGC_CODE])

    # Proxy-means-test inputs.
    roof_material = models.CharField(max_length=20, choices=RoofMaterial.choices)
    wall_material = models.CharField(max_length=20, choices=WallMaterial.choices)
    tenure = models.CharField(max_length=20, choices=Tenure.choices)
    water_source = models.CharField(max_length=20, choices=WaterSource.choices)
    toilet_facility = models.CharField(max_length=20, choices=ToiletFacility.choices)
    has_electricity = models.BooleanField()
    assets = models.JSONField(default=list, blank=True, help_text="asset codes the household owns")

    # Derived from the members, never typed: kept here to filter and sort on.
    household_size = models.PositiveSmallIntegerField(editable=False, default=0)
    monthly_income = models.DecimalField(max_digits=12, decimal_places=2, editable=False, default=0,
                                         help_text="the members' monthly incomes added up")
    per_capita_income = models.DecimalField(max_digits=12, decimal_places=2, editable=False, default=0)
    pmt_score = models.DecimalField(
        max_digits=5, decimal_places=4, validators=[MinValueValidator(0), MaxValueValidator(1)], editable=False,
        help_text="proxy-means-test score between 0 and 1; lower is poorer", default=0,
    )
    pmt_model_version = models.PositiveIntegerField(editable=False, default=0)

    phone_number = EncryptedCharField(max_length=13, blank=True, null=True, validators=[PHONE], help_text="encrypted")
    payout_account = EncryptedCharField(max_length=34, blank=True, null=True, validators=[ACCOUNT],
                                        help_text="bank or e-wallet account for payments (encrypted)")
    phone_index = models.CharField(max_length=64, blank=True, editable=False)
    payout_account_index = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=200, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False,
                                          help_text="increments on every change; carried by every event")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Every change, who made it and why; the numbers stay encrypted in the history too. History is
    # read by household (`id`) and date only: the live table's indexes would only slow its writes.
    history = HistoricalRecords(excluded_fields=["phone_index", "payout_account_index"],
                                no_db_index=["household_number", "import_reference"],
                                history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-created_at", "id"]
        # Plain b-tree indexes (a field's db_index would add a LIKE index to every text column on
        # PostgreSQL, which no filter here uses and every write pays for).
        indexes = [models.Index(fields=[name], name=f"registry_hh_{short}") for name, short in (
            ("region_code", "region"), ("province_code", "province"), ("municipality_code", "municipality"),
            ("barangay_code", "barangay"), ("status", "status"), ("updated_at", "updated"),
            ("phone_index", "phone"), ("payout_account_index", "payout"))]
        constraints = [
            models.UniqueConstraint(fields=["household_number"], name="registry_household_number_unique"),
            models.UniqueConstraint(fields=["import_reference"], name="registry_household_import_reference_unique"),
            # The rules bound the members' incomes so that their sum fits; this keeps a row that could
            # not be read back out of the database where the column type does not (SQLite).
            models.CheckConstraint(condition=Q(monthly_income__gte=0, monthly_income__lte=LARGEST_AMOUNT,
                                               per_capita_income__gte=0, per_capita_income__lte=LARGEST_AMOUNT),
                                   name="registry_household_incomes_fit"),
        ]
        permissions = [
            ("view_unmasked_personal_data", "Can see PhilSys, phone and account numbers in full"),
            ("view_unmasked_payout_account", "Can see payout account numbers in full"),
            ("import_households", "Can import households from a file"),
        ]

    def __str__(self):
        return f"{self.household_number} {self.head_of_household_name}"


class Member(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"

    class Relationship(models.TextChoices):
        HEAD = "head", "Head"
        SPOUSE = "spouse", "Spouse or partner"
        CHILD = "child", "Son or daughter"
        CHILD_IN_LAW = "child_in_law", "Son- or daughter-in-law"
        GRANDCHILD = "grandchild", "Grandchild"
        PARENT = "parent", "Father or mother"
        SIBLING = "sibling", "Brother or sister"
        OTHER_RELATIVE = "other_relative", "Other relative"
        NON_RELATIVE = "non_relative", "Not related"

    class CivilStatus(models.TextChoices):
        SINGLE = "single", "Single"
        MARRIED = "married", "Married"
        LIVE_IN = "live_in", "Common-law or live-in"
        WIDOWED = "widowed", "Widowed"
        SEPARATED = "separated", "Separated or annulled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    given_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    suffix = models.CharField(max_length=10, blank=True, help_text="Jr., III, ...")
    sex = models.CharField(max_length=6, choices=Sex.choices)
    birth_date = models.DateField(db_index=True)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    civil_status = models.CharField(max_length=20, choices=CivilStatus.choices)
    has_disability = models.BooleanField(default=False)
    is_pregnant = models.BooleanField(default=False)
    attending_school = models.BooleanField(default=False)
    emancipated = models.BooleanField(default=False, help_text="a head under 18 living on their own (e.g. the eldest "
                                                               "of orphaned siblings), as the caseworker found")
    occupation = models.CharField(max_length=100, blank=True)
    monthly_income = models.DecimalField(max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)])
    philsys_number = EncryptedCharField(max_length=16, blank=True, null=True, validators=[PHILSYS],
                                        help_text="PhilSys number (encrypted)")
    philsys_index = models.CharField(max_length=64, blank=True, editable=False)
    # The duplicate check's block (registry.dedup.match_key): barangay and birth date, and for a
    # placeholder birth date (1 January) the birth year and the family name's first letters.
    match_key = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["philsys_index", "match_key"],
                                no_db_index=["birth_date", "household"],
                                history_change_reason_field=models.TextField(null=True))

    class Meta:
        # The roster's order: the head, then the others from the eldest (members registered together
        # share their creation time, so it cannot order them).
        ordering = [models.Case(models.When(relationship="head", then=models.Value(0)), default=models.Value(1)),
                    "birth_date", "id"]
        constraints = [
            # The database's own guard against two records of one person, even under concurrent writes.
            models.UniqueConstraint(fields=["philsys_index"], condition=~Q(philsys_index=""),
                                    name="registry_member_one_record_per_philsys_number"),
            models.CheckConstraint(condition=Q(monthly_income__gte=0, monthly_income__lte=LARGEST_AMOUNT),
                                   name="registry_member_income_fits"),
        ]
        indexes = [models.Index(fields=["match_key", "created_at"], name="registry_member_match")]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.match_key = member_match_key(self, barangay_code=self.household.barangay_code)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "match_key"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.middle_name, self.family_name, self.suffix) if part)

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


def _family_prefix(family_name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", (family_name or "").lower())[:3]


def member_match_key(member, *, barangay_code: str) -> str:
    """Where the duplicate check looks for a member's probable duplicates: the members of the same
    barangay born the same day; if the day is a placeholder (1 January, what field offices write
    when only the year is known), those born that year whose family name starts alike, so that a
    barangay's many 1-January members are not all compared with each other."""
    born = member.birth_date
    if isinstance(born, str):
        born = date.fromisoformat(born)
    if born.month == 1 and born.day == 1:
        return f"{barangay_code}:{born.year}:{_family_prefix(member.family_name)}"
    return f"{barangay_code}:{born.isoformat()}"


class PmtModel(models.Model):
    """One version of the proxy-means test: an intercept and weighted indicators, reviewed as data.

    A draft can be edited; activating it retires the active one and rescores every household. An
    active or retired model never changes, so every score can be explained by the version it carries.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    version = models.PositiveIntegerField(unique=True)
    description = models.TextField(blank=True)
    intercept = models.DecimalField(max_digits=8, decimal_places=4,
                                    help_text="the score before any indicator; the sum is kept between 0 and 1")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["-version"]
        verbose_name = "PMT model"
        permissions = [("activate_pmtmodel", "Can activate a PMT model (rescores every household)")]
        constraints = [models.UniqueConstraint(fields=["status"], condition=Q(status="active"),
                                               name="registry_pmtmodel_one_active")]

    def __str__(self):
        return f"PMT model v{self.version} ({self.status})"


class PmtWeight(models.Model):
    """Points for one indicator: per option for a category, per unit for a count.

    A weight with a region code replaces the national weight (region code empty) of the same
    indicator and option for households of that region.
    """

    model = models.ForeignKey(PmtModel, on_delete=models.CASCADE, related_name="weights")
    indicator = models.CharField(max_length=40)
    option = models.CharField(max_length=40, blank=True, help_text="empty for a count (points per unit)")
    region_code = models.CharField(max_length=10, blank=True, choices=REGION_CHOICES,
                                   help_text="empty: every region without a weight of its own")
    weight = models.DecimalField(max_digits=8, decimal_places=4)

    class Meta:
        ordering = ["indicator", "option", "region_code"]
        verbose_name = "PMT weight"
        constraints = [models.UniqueConstraint(fields=["model", "indicator", "option", "region_code"],
                                               name="registry_pmtweight_one_per_indicator_option_region")]

    def __str__(self):
        return f"{self.indicator}{'=' + self.option if self.option else ''}: {self.weight}"


class Reviewed(models.Model):
    """A queue entry that a reviewer decides on: when it was queued, who decided when, and their note."""

    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_note = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class DuplicateCandidate(Reviewed):
    """A member who may be a person already registered: a supervisor confirms or dismisses it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        CONFIRMED = "confirmed", "Confirmed duplicate"
        DISMISSED = "dismissed", "Dismissed (different people)"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="duplicate_flags")
    matches = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+",
                                help_text="the member registered earlier")
    similarity = models.DecimalField(max_digits=5, decimal_places=2, help_text="name similarity, 0 to 100")
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)

    class Meta:
        ordering = ["status", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["member", "matches"], name="registry_duplicate_once_per_pair")]
        permissions = [("review_duplicatecandidate", "Can confirm or dismiss probable duplicates")]

    def __str__(self):
        return f"{self.member} ~ {self.matches} ({self.similarity})"


class NumberConflict(Reviewed):
    """A registration or change refused because a member of another household has the PhilSys number
    given: kept for a reviewer who may see both households. The caller who tried was told only that
    the number is registered, unless they may see the household that has it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        REVIEWED = "reviewed", "Reviewed"

    holder = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+",
                               help_text="the member who has the number")
    attempted_region_code = models.CharField(max_length=10, choices=REGION_CHOICES,
                                             help_text="the region of the household the number was given for")
    attempted_household_number = models.CharField(max_length=32, blank=True,
                                                  help_text="on a change, the household that was being changed")
    attempted_name = models.CharField(max_length=200, help_text="the name the number was given with")
    attempted_birth_date = models.DateField(null=True, blank=True)
    attempted_by = models.CharField(max_length=200, help_text="who: user:<id>:<username> or client:<id>")
    channel = models.CharField(max_length=20, help_text="api, admin or import")
    correlation_id = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)

    class Meta:
        ordering = ["status", "-created_at"]
        verbose_name = "PhilSys number conflict"

    def __str__(self):
        return f"{self.attempted_name} ~ {self.holder} ({self.status})"


class ImportJob(models.Model):
    """One file of households given to the bulk import, by the admin upload or the command."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    rows_total = models.PositiveIntegerField(default=0)
    households_created = models.PositiveIntegerField(default=0)
    households_already_imported = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    duplicates_flagged = models.PositiveIntegerField(default=0)
    error_report = models.TextField(blank=True, help_text="CSV of the rejected rows with the reason of each")
    failure = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.file_name} ({self.status})"


from .idempotency import IdempotencyKey  # noqa: E402,F401  (its own module; a model of this app)
