from rest_framework import serializers

from dsrs.personal_data import masked

from ..geography import REGIONS
from ..models import ACCOUNT, PHILSYS, PHONE, SENSITIVE_FIELDS, Household


class HouseholdInputSerializer(serializers.Serializer):
    head_of_household_name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=500)
    region_code = serializers.CharField(max_length=10)
    household_size = serializers.IntegerField(min_value=1, max_value=50)
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    pmt_score = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)
    status = serializers.ChoiceField(choices=Household.Status.choices, required=False)
    head_philsys_number = serializers.CharField(required=False, allow_blank=True, validators=[PHILSYS])
    phone_number = serializers.CharField(required=False, allow_blank=True, validators=[PHONE])
    payout_account = serializers.CharField(required=False, allow_blank=True, validators=[ACCOUNT])
    change_reason = serializers.CharField(required=False, max_length=200, write_only=True,
                                          help_text="why, kept in the household's history")

    def validate_region_code(self, value):
        if value not in REGIONS:
            raise serializers.ValidationError(f"'{value}' is not a PSGC region code (e.g. 1300000000 for NCR).")
        return value

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return attrs


class HouseholdOutputSerializer(serializers.ModelSerializer):
    """A household as the caller may see it: sensitive numbers masked unless `unmasked` names them."""

    region_name = serializers.CharField(source="get_region_code_display", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "household_number", "head_of_household_name", "address", "region_code", "region_name",
                  "household_size", "monthly_income", "pmt_score", "status", "head_philsys_number", "phone_number",
                  "payout_account", "version", "created_at", "updated_at"]

    def to_representation(self, household):
        data = super().to_representation(household)
        unmasked = self.context.get("unmasked", ())
        for field in SENSITIVE_FIELDS:
            if field not in unmasked:
                data[field] = masked(data[field])
        return data


class HouseholdLookupSerializer(serializers.Serializer):
    """Exactly one sensitive number, sent in the body so that it never appears in a URL or access log."""

    head_philsys_number = serializers.CharField(required=False, validators=[PHILSYS])
    phone_number = serializers.CharField(required=False, validators=[PHONE])
    payout_account = serializers.CharField(required=False, validators=[ACCOUNT])

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        if len(attrs) != 1:
            raise serializers.ValidationError("Give exactly one of head_philsys_number, phone_number, payout_account.")
        return attrs


class HouseholdFilterSerializer(serializers.Serializer):
    ORDERINGS = ["created_at", "-created_at", "updated_at", "-updated_at", "pmt_score", "-pmt_score",
                 "household_number", "-household_number"]

    region_code = serializers.CharField(required=False, max_length=10)
    status = serializers.ChoiceField(choices=Household.Status.choices, required=False)
    search = serializers.CharField(required=False, max_length=200)
    pmt_min = serializers.DecimalField(required=False, max_digits=5, decimal_places=4, min_value=0, max_value=1)
    pmt_max = serializers.DecimalField(required=False, max_digits=5, decimal_places=4, min_value=0, max_value=1)
    updated_since = serializers.DateTimeField(required=False, help_text="ISO 8601, e.g. 2026-11-01T00:00:00+08:00")
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="-created_at")

    def validate(self, attrs):
        if "pmt_min" in attrs and "pmt_max" in attrs and attrs["pmt_min"] > attrs["pmt_max"]:
            raise serializers.ValidationError({"pmt_min": ["Must not be above pmt_max."]})
        return attrs
