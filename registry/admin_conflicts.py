"""The review queue of refused PhilSys numbers: who gave which household a number that a member of
another household has. Only reviewers who may see both households see an entry."""

from django.contrib import admin
from django.db.models import Q

from dsrs.access import caller_of
from dsrs.readonly_admin import ReadOnlyModelAdmin

from . import services
from .admin import ReviewActionForm, _household_link
from .models import NumberConflict

REVIEW_PERMISSION = "registry.review_duplicatecandidate"  # the reviewers of probable duplicates


@admin.register(NumberConflict)
class NumberConflictAdmin(ReadOnlyModelAdmin):
    action_form = ReviewActionForm
    actions = ["mark_reviewed"]
    list_display = ("attempted_name", "attempted_region_code", "holder_link", "attempted_by", "channel", "status",
                    "created_at")
    list_filter = ("status", "channel")
    fields = ("attempted_name", "attempted_birth_date", "attempted_region_code", "attempted_household_number",
              "holder_link", "attempted_by", "channel", "correlation_id", "status", "created_at", "reviewed_by",
              "reviewed_at", "review_note")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        regions = caller_of(request).regions
        queue = super().get_queryset(request).select_related("holder__household")
        if regions is None:
            return queue
        return queue.filter(Q(holder__household__region_code__in=regions) & Q(attempted_region_code__in=regions))

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(REVIEW_PERMISSION)

    def has_module_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    def has_review_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    @admin.display(description="has the number")
    def holder_link(self, conflict):
        household = conflict.holder.household
        return _household_link(household, f"{conflict.holder.full_name} ({household.household_number})")

    @admin.action(description="Mark reviewed, with the note below", permissions=["review"])
    def mark_reviewed(self, request, queryset):
        done = services.number_conflicts_review(conflicts=queryset, user=request.user,
                                                note=request.POST.get("note", ""))
        self.message_user(request, f"{done} marked reviewed.")
