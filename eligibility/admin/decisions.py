from django.contrib import admin
from django.utils.html import format_html

from dsrs.access import caller_of
from dsrs.querying import in_regions
from dsrs.readonly_admin import ReadOnlyModelAdmin

from ..models import Assessment, Enrolment, EnrolmentChange, ReassessmentJob


class InRegions:
    def get_queryset(self, request):
        return in_regions(super().get_queryset(request), caller_of(request).regions)


@admin.register(Assessment)
class AssessmentAdmin(InRegions, ReadOnlyModelAdmin):
    list_display = ("household_id", "household_version", "program_code", "rule_set_version", "decision",
                    "region_code", "pmt_score", "assessed_on", "is_latest")
    list_filter = ("decision", "program_code", "is_latest", "region_code")
    search_fields = ("household_id",)
    date_hierarchy = "assessed_at"

    def get_readonly_fields(self, request, obj=None):
        return ["why", *super().get_readonly_fields(request, obj)]

    @admin.display(description="why (every criterion with the values it used)")
    def why(self, obj):
        return format_html("<pre>{}</pre>", obj.explain())


class EnrolmentChangeInline(admin.TabularInline):
    model = EnrolmentChange
    extra = 0
    can_delete = False
    readonly_fields = ("version", "from_status", "to_status", "reason", "assessment_id", "actor", "changed_at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(InRegions, ReadOnlyModelAdmin):
    list_display = ("household_id", "program_code", "status", "region_code", "pmt_score", "reason",
                    "status_changed_at")
    list_filter = ("program_code", "status", "region_code")
    search_fields = ("household_id",)
    inlines = [EnrolmentChangeInline]
    actions = ["suspend", "resume"]

    def _officer_action(self, request, queryset, service, wanted: str, verb: str):
        from dsrs.audit.models import AuditRecord
        from dsrs.audit.services import audit_record_create

        done = 0
        for enrolment in queryset.filter(status=wanted):
            service(enrolment=enrolment, reason=f"{verb} by {request.user.get_username()} in the admin",
                    actor=request.user)
            done += 1
        audit_record_create(request=request, action=AuditRecord.Action.UPDATE, object_type="eligibility.enrolment",
                            object_ids=[str(e.pk) for e in queryset], fields=["status"], channel="admin",
                            reason=verb)
        self.message_user(request, f"{done} of {queryset.count()} enrolments {verb}.")

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Suspend the selected enrolled households", permissions=["suspend"])
    def suspend(self, request, queryset):
        from ..services import enrolment_suspend

        self._officer_action(request, queryset, enrolment_suspend, Enrolment.Status.ENROLLED, "suspended")

    @admin.action(description="Lift the suspension of the selected households", permissions=["suspend"])
    def resume(self, request, queryset):
        from ..services import enrolment_resume

        self._officer_action(request, queryset, enrolment_resume, Enrolment.Status.SUSPENDED, "resumed")

    def has_suspend_permission(self, request):
        return request.user.has_perm("eligibility.change_enrolment")


@admin.register(ReassessmentJob)
class ReassessmentJobAdmin(ReadOnlyModelAdmin):
    list_display = ("program_code", "rule_set_version", "assessed_on", "status", "progress", "decisions",
                    "created_at", "finished_at")
    list_filter = ("status", "program_code")
