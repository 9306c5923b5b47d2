from django.urls import path

from .views import HouseholdDetailApi, HouseholdListCreateApi, HouseholdLookupApi

urlpatterns = [
    path("households", HouseholdListCreateApi.as_view(), name="household-list"),
    path("households/lookup", HouseholdLookupApi.as_view(), name="household-lookup"),
    path("households/<uuid:household_id>", HouseholdDetailApi.as_view(), name="household-detail"),
]
