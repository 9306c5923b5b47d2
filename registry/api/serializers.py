import copy
import uuid

from rest_framework import serializers

from dsrs.api_fields import StrictBooleanField, StrictCharField, StrictChoiceField, StrictUUIDField
from dsrs.personal_data import masked
from dsrs.query_parameters import QueryParameters, RefusingUnknownNames

from .pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, HouseholdCursorPagination

from ..geography import PSGC_RELEASE, area, name_of
from ..validation import MAX_MEMBERS, MAX_MONTHLY_INCOME
from ..models import (ACCOUNT, MEMBER_SENSITIVE_FIELDS, PHILSYS, PHONE, SENSITIVE_FIELDS, Asset, Household, Member,
                      RoofMaterial, Tenure, ToiletFacility, WallMaterial, WaterSource, canonical_number)

# Fields a client may see but never send, with the reason it cannot.
_FROM_MEMBERS = "Derived from the members (their number, incomes and head); change the members instead."
_FROM_PMT = "Computed by the PMT model from the household's answers and members; it cannot be typed."
READ_ONLY_REASONS = {
    "household_size": _FROM_MEMBERS,
    "monthly_income": _FROM_MEMBERS,
    "per_capita_income": _FROM_MEMBERS,
    "head_of_household_name": _FROM_MEMBERS,
    "pmt_score": _FROM_PMT,
    "pmt_model_version": _FROM_PMT,
    "status": "Changed only through POST /api/v1/households/{id}/deactivate, with a reason.",
    **{name: "Set by the registry; it cannot be sent." for name in (
        "id", "household_number", "version", "status_reason", "created_at", "updated_at", "region_name",
        "province_name", "municipality_name", "barangay_name")},
}
MEMBER_READ_ONLY_REASONS = {"full_name": "Composed of the member's names; change those instead."}
# What a household without these answers holds: a full replacement (PUT) clears what it leaves out.
HOUSEHOLD_BLANKS = {"province_code": "", "assets": [], "phone_number": None, "payout_account": None}


class PersonalNumberField(StrictCharField):
    """A PhilSys number, phone number or payout account: validated in its canonical spelling (ASCII
    digits whatever script it was typed in), the one the registry stores and indexes."""

    def __init__(self, *, number: str, **kwargs):
        self.number = number
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return canonical_number(self.number, super().to_internal_value(data)) or ""


class RefusingUnknownFields(RefusingUnknownNames):
    """Names every field the serializer does not take, together with the other errors, instead of
    silently dropping it: a partner's typo must not pass as success."""

    refusals: dict[str, str] = {}
    request_schema = {"additionalProperties": False}  # see dsrs.schema.AutoSchema

    def unknown_names(self, data) -> dict[str, list[str]]:
        if not isinstance(data, dict):
            return {}
        return {name: [self.refusals.get(name, "Unknown field.")] for name in data if name not in self.fields}


class MemberInputSerializer(RefusingUnknownFields, serializers.Serializer):
    refusals = MEMBER_READ_ONLY_REASONS

    id = StrictUUIDField(required=False, help_text="an existing member's id, on an update: that member changes; "
                                                  "a member without an id is added")
    given_name = StrictCharField(max_length=100)
    middle_name = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    family_name = StrictCharField(max_length=100)
    suffix = StrictCharField(max_length=10, required=False, allow_blank=True, default="")
    sex = StrictChoiceField(choices=Member.Sex.choices)
    birth_date = serializers.DateField()
    relationship = StrictChoiceField(choices=Member.Relationship.choices,
                                     help_text="to the head; exactly one member is the head")
    civil_status = StrictChoiceField(choices=Member.CivilStatus.choices)
    has_disability = StrictBooleanField(required=False, default=False)
    is_pregnant = StrictBooleanField(required=False, default=False)
    attending_school = StrictBooleanField(required=False, default=False)
    emancipated = StrictBooleanField(required=False, default=False,
                                     help_text="the head is a minor (15 to 17) living on their own, e.g. the eldest of "
                                               "orphaned siblings; a head is otherwise an adult")
    occupation = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0,
                                              max_value=MAX_MONTHLY_INCOME, required=False, default=0)
    philsys_number = PersonalNumberField(number="philsys_number", required=False, allow_blank=True,
                                         allow_null=True, default=None, validators=[PHILSYS], help_text="12 digits (PSN) or 16 (PCN)")


class HouseholdInputSerializer(RefusingUnknownFields, serializers.Serializer):
    """A household with its members. Sizes, incomes and the PMT score are derived, never sent."""

    refusals = READ_ONLY_REASONS

    address = StrictCharField(max_length=500, help_text="house number, street, purok or sitio")
    region_code = StrictCharField(max_length=10, help_text="PSGC region code, e.g. 1300000000 for NCR")
    province_code = StrictCharField(max_length=10, required=False, allow_blank=True,
                                    help_text="PSGC province code; empty where the locality has no province")
    municipality_code = StrictCharField(max_length=10, help_text="PSGC code of the city or municipality")
    barangay_code = StrictCharField(max_length=10, help_text="PSGC barangay code")
    roof_material = StrictChoiceField(choices=RoofMaterial.choices)
    wall_material = StrictChoiceField(choices=WallMaterial.choices)
    tenure = StrictChoiceField(choices=Tenure.choices)
    water_source = StrictChoiceField(choices=WaterSource.choices)
    toilet_facility = StrictChoiceField(choices=ToiletFacility.choices)
    has_electricity = StrictBooleanField()
    assets = serializers.ListField(child=StrictChoiceField(choices=Asset.choices), required=False,
                                   max_length=len(Asset.values), help_text="what the household owns")
    phone_number = PersonalNumberField(number="phone_number", required=False, allow_blank=True, allow_null=True,
                                       validators=[PHONE])
    payout_account = PersonalNumberField(number="payout_account", required=False, allow_blank=True, allow_null=True,
                                         validators=[ACCOUNT])
    # Refused before any member is looked at, however long the list.
    members = MemberInputSerializer(many=True, max_length=MAX_MEMBERS, help_text="every member, the head included")
    change_reason = StrictCharField(required=False, max_length=200, write_only=True,
                                    help_text="why, kept in the household's history")

    def validate_assets(self, value):
        return sorted(set(value))


class _NothingRequired:
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class MemberChangesSerializer(_NothingRequired, MemberInputSerializer):
    """A member in a PATCH: one given by `id` needs only the fields that change (`update_body` completes
    it from the stored member first); one without an `id` is new, and the rules want it whole."""


class HouseholdChangesSerializer(_NothingRequired, HouseholdInputSerializer):
    """A PATCH body: every field optional; a `members` list, if sent, is still the complete new list."""

    members = MemberChangesSerializer(many=True, max_length=MAX_MEMBERS, help_text="every member, the head included; a member given by "
                                                           "`id` with only the fields that change")


class FieldsBuiltOnce:
    """Builds the serializer's fields once per class, not once per instance: a ModelSerializer reads
    its model's fields and builds each of its own every time it is made, which was most of the cost
    of a page of households. Each instance gets fresh copies (unbound, so no request's context is kept)."""

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built = built
        return copy.deepcopy(built)


class Representing:
    """Answers an instance through the class's built fields (FieldsBuiltOnce) without binding copies
    of them to each serializer: the same `to_representation` of each field, in the same order, None
    left None, as DRF's Serializer.to_representation does. Method fields are called on this
    serializer; a nested list serializer is made once per serializer, with its context."""

    def to_representation(self, instance):
        plan = type(self).__dict__.get("_plan")
        if plan is None:
            plan = type(self)._plan = self._representation_plan()
        data = {}
        for name, kind, how in plan:
            if kind == "method":
                data[name] = getattr(self, how)(instance)
            elif kind == "nested":
                nested = self._nested.get(name)
                if nested is None:
                    nested = self._nested[name] = how(context=self.context)
                data[name] = [nested.to_representation(item) for item in getattr(instance, name).all()]
            else:
                value = getattr(instance, kind)
                data[name] = None if value is None else how(value)
        return data

    @property
    def _nested(self):
        if "_nested_serializers" not in self.__dict__:
            self.__dict__["_nested_serializers"] = {}
        return self.__dict__["_nested_serializers"]

    def _representation_plan(self):
        plan = []
        self.get_fields()  # builds the class's fields once
        for name, field in type(self)._fields_built.items():
            if field.write_only:
                continue
            if isinstance(field, serializers.SerializerMethodField):
                plan.append((name, "method", field.method_name or f"get_{name}"))
            elif isinstance(field, serializers.ListSerializer):
                plan.append((name, "nested", type(field.child)))
            elif type(field) is serializers.BooleanField:
                plan.append((name, field.source or name, _boolean(field.to_representation)))
            else:
                plan.append((name, field.source or name, field.to_representation))
        return plan


def _boolean(to_representation):
    """DRF's BooleanField.to_representation, which answers a bool as it is (True and False are among its
    TRUE_VALUES and FALSE_VALUES), without its three set lookups for a model's own bool (issue 12: a
    page of 50 households has about 800 of them)."""

    def represent(value):
        return value if value is True or value is False else to_representation(value)

    return represent


class Masking:
    """Shows the `sensitive` numbers masked unless the context's `unmasked` names them.

    Their fields are plain strings in the answer (and its schema): a masked number (`********9012`) has no
    longer the form the model's validators give the unmasked one."""

    sensitive: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        for name in self.sensitive:
            fields[name] = serializers.CharField(read_only=True, allow_null=True,
                                                 help_text="masked (`********9012`) unless your role may see it whole")
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for field in self.sensitive:
            if field not in self.context.get("unmasked", ()):
                data[field] = masked(data[field])
        return data


class MemberOutputSerializer(FieldsBuiltOnce, Masking, Representing, serializers.ModelSerializer):
    sensitive = MEMBER_SENSITIVE_FIELDS
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Member
        fields = ["id", "given_name", "middle_name", "family_name", "suffix", "full_name", "sex", "birth_date",
                  "relationship", "civil_status", "has_disability", "is_pregnant", "attending_school", "emancipated",
                  "occupation", "monthly_income", "philsys_number"]



class HouseholdOutputSerializer(FieldsBuiltOnce, Masking, Representing, serializers.ModelSerializer):
    """A household as the caller may see it: sensitive numbers masked unless `unmasked` names them.
    Members come head first, then oldest to youngest."""

    sensitive = SENSITIVE_FIELDS

    region_name = serializers.SerializerMethodField()
    province_name = serializers.SerializerMethodField()
    municipality_name = serializers.SerializerMethodField()
    barangay_name = serializers.SerializerMethodField()
    assets = serializers.ListField(child=serializers.ChoiceField(choices=Asset.choices))
    # In the model's roster order (the head, then from the eldest), from the prefetched members; one
    # member serializer for every household of a page.
    members = MemberOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = ["id", "household_number", "head_of_household_name", "address",
                  "region_code", "region_name", "province_code", "province_name",
                  "municipality_code", "municipality_name", "barangay_code", "barangay_name",
                  "roof_material", "wall_material", "tenure", "water_source", "toilet_facility", "has_electricity",
                  "assets", "household_size", "monthly_income", "per_capita_income", "pmt_score",
                  "pmt_model_version", "phone_number", "payout_account", "status", "status_reason", "version",
                  "created_at", "updated_at", "members"]

    def get_region_name(self, household) -> str:
        return name_of(household.region_code)

    def get_province_name(self, household) -> str:
        return name_of(household.province_code)

    def get_municipality_name(self, household) -> str:
        return name_of(household.municipality_code)

    def get_barangay_name(self, household) -> str:
        return name_of(household.barangay_code)



_DEACTIVATED = [(value, label) for value, label in Household.Status.choices if value != Household.Status.ACTIVE]


class HouseholdDeactivateSerializer(RefusingUnknownFields, serializers.Serializer):
    status = StrictChoiceField(choices=_DEACTIVATED, help_text="any status but active", error_messages={
        "invalid_choice": f"Deactivation sets one of: {', '.join(value for value, _ in _DEACTIVATED)}."})
    reason = StrictCharField(max_length=200, help_text="why, kept with the household and in its history")


class HouseholdLookupSerializer(RefusingUnknownFields, serializers.Serializer):
    """Exactly one sensitive number, sent in the body so that it never appears in a URL or access log."""

    request_schema = {"additionalProperties": False, "minProperties": 1, "maxProperties": 1}

    philsys_number = PersonalNumberField(number="philsys_number", required=False, validators=[PHILSYS],
                                         help_text="any member's")
    phone_number = PersonalNumberField(number="phone_number", required=False, validators=[PHONE])
    payout_account = PersonalNumberField(number="payout_account", required=False, validators=[ACCOUNT])

    def validate(self, attrs):
        if len(attrs) != 1:
            raise serializers.ValidationError("Give exactly one of philsys_number, phone_number, payout_account.")
        return attrs


class PsgcCode:
    """A filter's code must name an area of its level: a typo should not answer an empty list."""

    def __init__(self, *kinds: str):
        self.kinds = kinds

    def __call__(self, code):
        found = area(code)
        if found is None or found.kind not in self.kinds:
            raise serializers.ValidationError(f"'{code}' is not a PSGC {' or '.join(self.kinds)} code "
                                              f"(PSGC release {PSGC_RELEASE}).")


class HouseholdFilterSerializer(QueryParameters):
    paging = (HouseholdCursorPagination.cursor_query_param, HouseholdCursorPagination.page_size_query_param)

    ORDERINGS = ["created_at", "-created_at", "updated_at", "-updated_at", "pmt_score", "-pmt_score",
                 "household_number", "-household_number"]

    region_code = serializers.CharField(required=False, max_length=10, validators=[PsgcCode("region")])
    province_code = serializers.CharField(required=False, max_length=10, validators=[PsgcCode("province")])
    municipality_code = serializers.CharField(required=False, max_length=10,
                                              validators=[PsgcCode("city", "municipality")])
    barangay_code = serializers.CharField(required=False, max_length=10, validators=[PsgcCode("barangay")])
    status = serializers.ChoiceField(choices=Household.Status.choices, required=False)
    search = serializers.CharField(required=False, max_length=200,
                                   help_text="a household number, or part of a member's given or family name")
    pmt_min = serializers.DecimalField(required=False, max_digits=5, decimal_places=4, min_value=0, max_value=1)
    pmt_max = serializers.DecimalField(required=False, max_digits=5, decimal_places=4, min_value=0, max_value=1)
    updated_since = serializers.DateTimeField(required=False, help_text="ISO 8601, e.g. 2026-11-01T00:00:00+08:00")
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="-created_at",
                                       help_text="keep it the same while following `next` and `previous`")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE,
                                         help_text=f"households per page, {DEFAULT_PAGE_SIZE} unless given")

    def validate(self, attrs):
        if "pmt_min" in attrs and "pmt_max" in attrs and attrs["pmt_min"] > attrs["pmt_max"]:
            raise serializers.ValidationError({"pmt_min": ["Must not be above pmt_max."]})
        return attrs


def _same(given, stored) -> bool:
    """Equal as JSON values: true is not 1, "1" is not 1."""
    return type(given) is type(stored) and given == stored


def _without_stored(given: dict, stored: dict, *, read_only, sensitive) -> dict:
    """`given` without the read-only fields it repeats unchanged from `stored` (as the output
    serializer answers it, numbers in full), and with each masked number that is the stored
    number's mask replaced by that number: a body read with GET goes back as it came."""
    resolved = {name: value for name, value in given.items()
                if not (name in read_only and name in stored and _same(value, stored[name]))}
    for name in sensitive:
        value, number = resolved.get(name), stored.get(name)
        if isinstance(value, str) and number and value != number and value == masked(number):
            resolved[name] = number
    return resolved


def _stored_id(value) -> str | None:
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def update_body(data, *, household: Household, partial: bool):
    """The body of a PUT or PATCH of `household`, read as REST clients expect: what it repeats of the
    stored household (read-only fields equal to the stored values, masked numbers) is taken as
    unchanged rather than refused, and in a PATCH a member given by `id` with some of its fields
    keeps the others. Anything else goes to the input serializer as it came."""
    if not isinstance(data, dict):
        return data
    stored = HouseholdOutputSerializer(household, context={"unmasked": {*SENSITIVE_FIELDS,
                                                                         *MEMBER_SENSITIVE_FIELDS}}).data
    body = _without_stored(data, stored, read_only=READ_ONLY_REASONS, sensitive=SENSITIVE_FIELDS)
    if not isinstance(body.get("members"), list):
        return body
    members = {member["id"]: member for member in stored["members"]}
    writable = [name for name in MemberInputSerializer().fields if name != "id"]
    resolved = []
    for given in body["members"]:
        own = members.get(_stored_id(given.get("id"))) if isinstance(given, dict) else None
        if own is not None:
            given = _without_stored(given, own, read_only=MEMBER_READ_ONLY_REASONS, sensitive=MEMBER_SENSITIVE_FIELDS)
            if partial:
                given = {**{name: own[name] for name in writable}, **given}
        resolved.append(given)
    return {**body, "members": resolved}
