from rest_framework import serializers

from ..geography import REGIONS
from ..models import Household


class HouseholdInputSerializer(serializers.Serializer):
    head_of_household_name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=500)
    region_code = serializers.CharField(max_length=10)
    household_size = serializers.IntegerField(min_value=1, max_value=50)
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    pmt_score = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)
    status = serializers.ChoiceField(choices=Household.Status.choices, required=False)

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
    region_name = serializers.CharField(source="get_region_code_display", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "household_number", "head_of_household_name", "address", "region_code", "region_name",
                  "household_size", "monthly_income", "pmt_score", "status", "version", "created_at", "updated_at"]
