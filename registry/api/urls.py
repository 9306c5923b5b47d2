from django.urls import path

from .views import HouseholdDetailApi, HouseholdListCreateApi

urlpatterns = [
    path("households", HouseholdListCreateApi.as_view(), name="household-list"),
    path("households/<uuid:household_id>", HouseholdDetailApi.as_view(), name="household-detail"),
]
