from django.urls import path

from .views import HouseholdDeactivateApi, HouseholdDetailApi, HouseholdListCreateApi, HouseholdLookupApi

urlpatterns = [
    path("households", HouseholdListCreateApi.as_view(), name="household-list"),
    path("households/lookup", HouseholdLookupApi.as_view(), name="household-lookup"),
    path("households/<uuid:household_id>", HouseholdDetailApi.as_view(), name="household-detail"),
    path("households/<uuid:household_id>/deactivate", HouseholdDeactivateApi.as_view(), name="household-deactivate"),
]
