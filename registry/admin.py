"""The registry's admin for caseworkers and supervisors.

Every write goes through `services`, so the admin scores, keeps history and emits events exactly
as the API does; nothing here saves a household, a member or a review directly. What a caller
sees is narrowed to their regions, and numbers stay out of the page unless their role needs them.
"""

import re
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import construct_change_message, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from dsrs.access import caller_of
from dsrs.audit.admin import AuditedAdminMixin
from dsrs.audit.models import AuditRecord
from dsrs.audit.services import audit_record_create
from dsrs.querying import in_regions
from dsrs.readonly_admin import ReadOnlyModelAdmin

from . import selectors, services, tasks
from .geography import name_of, provinces
from .models import (MEMBER_SENSITIVE_FIELDS, PERSONAL_FIELDS, SENSITIVE_FIELDS, Asset, DuplicateCandidate,
                     Household, Member, PmtModel, PmtWeight)
from .pmt import INDICATORS, weight_errors
from .validation import HOUSEHOLD_FIELDS, MEMBER_FIELDS, HouseholdInvalid

UNMASKED = "registry.view_unmasked_personal_data"
_MEMBER_PATH = re.compile(r"^members\[(\d+)\]\.(\w+)$")


def _may_see_numbers(request) -> bool:
    return request.user.has_perm(UNMASKED)


def _without(fieldsets, hidden) -> list:
    return [(title, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for title, options in fieldsets]


def _household_link(household: Household, label: str) -> str:
    return format_html('<a href="{}">{}</a>', reverse("admin:registry_household_change", args=[household.pk]), label)


class _MaskedHistory(HistoricalRecordContextHelper):
    """The history's list of changes, with the numbers hidden from whoever may not see them."""

    hidden = ()

    def prepare_delta_change_value(self, change, value):
        if change.field in self.hidden:
            return "(hidden)" if value else value
        return super().prepare_delta_change_value(change, value)


class RegionScopedHistoryAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    """History pages in the caller's regions only, never reverted: a revert would bypass the services."""

    sensitive_fields: tuple[str, ...] = ()

    def revert_disabled(self, request, obj=None):
        return True

    def _check_in_scope(self, request, object_id):
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404("No such record in your regions.")

    def history_view(self, request, object_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_in_scope(request, object_id)
        if request.method == "POST":
            raise PermissionDenied("Past versions are read here, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        helper = _MaskedHistory(self.model, historical_record)
        helper.hidden = () if _may_see_numbers(request) else self.sensitive_fields
        return helper


# --- Household list filters ---------------------------------------------------------------


class ProvinceFilter(admin.SimpleListFilter):
    """Only the provinces the caller has households in: at most some 80, a short list of links."""

    title = "province"
    parameter_name = "province"

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).exclude(province_code="").order_by().values_list(
            "province_code", flat=True).distinct()
        return sorted(((code, provinces().get(code) or code) for code in codes), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(province_code=self.value()) if self.value() else queryset


class CodeFilter(admin.SimpleListFilter):
    """A box taking a PSGC code: 1,600 municipalities and 42,000 barangays make no list of links."""

    template = "admin/registry/code_filter.html"
    field = ""

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value().strip()}) if self.value() else queryset

    def choices(self, changelist):
        others = QueryDict(changelist.get_query_string(remove=[self.parameter_name, "p"])[1:])
        yield {"parameter_name": self.parameter_name, "value": self.value() or "",
               "place": name_of((self.value() or "").strip()),
               "others": [(key, value) for key, values in others.lists() for value in values],
               "reset": changelist.get_query_string(remove=[self.parameter_name, "p"])}


class MunicipalityFilter(CodeFilter):
    title = "city or municipality (PSGC code)"
    parameter_name = "municipality"
    field = "municipality_code"


class BarangayFilter(CodeFilter):
    title = "barangay (PSGC code)"
    parameter_name = "barangay"
    field = "barangay_code"


class PmtRangeFilter(admin.SimpleListFilter):
    title = "PMT score"
    parameter_name = "pmt"
    BUCKETS = {"lt0.3": (None, "0.3"), "0.3-0.5": ("0.3", "0.5"), "0.5-0.7": ("0.5", "0.7"), "ge0.7": ("0.7", None)}

    def lookups(self, request, model_admin):
        return [("lt0.3", "below 0.3"), ("0.3-0.5", "0.3 to 0.5"), ("0.5-0.7", "0.5 to 0.7"), ("ge0.7", "0.7 or more")]

    def queryset(self, request, queryset):
        if self.value() not in self.BUCKETS:
            return queryset
        low, high = self.BUCKETS[self.value()]
        if low is not None:
            queryset = queryset.filter(pmt_score__gte=Decimal(low))
        return queryset.filter(pmt_score__lt=Decimal(high)) if high is not None else queryset


# --- Household change form: validated and saved by the services ----------------------------


class _Refused(Exception):
    """The service refused the household; the page is shown again with its reasons by field."""

    def __init__(self, errors: dict[str, list[str]], *, conflicts=()):
        super().__init__(errors)
        self.errors, self.conflicts = errors, list(conflicts)


def _messages(errors) -> list[str]:
    return errors if isinstance(errors, list) else [errors]


def kept_member_forms(formset) -> list:
    """The member rows the household keeps, in the order the service numbers them (members[i])."""
    return [form for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]


def member_rows(formset) -> list[dict]:
    rows = []
    for form in kept_member_forms(formset):
        row = {name: form.cleaned_data[name] for name in MEMBER_FIELDS if name in form.cleaned_data}
        if form.cleaned_data.get("id"):
            row["id"] = form.cleaned_data["id"].pk
        rows.append(row)
    return rows


class HouseholdForm(forms.ModelForm):
    assets = forms.MultipleChoiceField(choices=Asset.choices, required=False, widget=forms.CheckboxSelectMultiple)
    change_reason = forms.CharField(max_length=100, required=False,
                                    help_text="why; kept in the history (empty: 'edited in the admin')")
    regions = None  # the caller's; None: every region
    refusal: dict = {}  # the service's reasons, by field path, when the page is shown again

    def clean(self):
        cleaned = super().clean()
        region = cleaned.get("region_code")
        if region and self.regions is not None and region not in self.regions:
            self.add_error("region_code", "That region is not one of yours.")
        for path, errors in self.refusal.items():
            if path.startswith("members"):
                continue
            self.add_error(path if path in self.fields else None,
                           [f"{path}: {m}" if path not in self.fields else m for m in _messages(errors)])
        return cleaned


class MemberFormSet(forms.BaseInlineFormSet):
    refusal: dict = {}

    def clean(self):
        super().clean()
        kept = kept_member_forms(self)
        whole = []
        for path, errors in self.refusal.items():
            found = _MEMBER_PATH.match(path)
            if found and int(found[1]) < len(kept):
                form, field = kept[int(found[1])], found[2]
                form.add_error(field if field in form.fields else None,
                               [m if field in form.fields else f"{field}: {m}" for m in _messages(errors)])
            elif path.startswith("members"):
                whole += _messages(errors)
        if whole:
            raise ValidationError(whole)


class MemberInline(admin.TabularInline):
    model = Member
    formset = MemberFormSet
    fields = ("given_name", "middle_name", "family_name", "suffix", "sex", "birth_date", "relationship",
              "civil_status", "has_disability", "is_pregnant", "attending_school", "emancipated", "occupation",
              "monthly_income", "philsys_number", "history_link")
    readonly_fields = ("history_link",)

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def get_exclude(self, request, obj=None):
        return [] if _may_see_numbers(request) else list(MEMBER_SENSITIVE_FIELDS)

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f not in self.get_exclude(request, obj)]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"refusal": getattr(request, "household_refusal", {})})

    @admin.display(description="history")
    def history_link(self, member):
        if member._state.adding:  # a new row's id is already drawn (uuid default) but has no history yet
            return "-"
        return format_html('<a href="{}">history</a>', reverse("admin:registry_member_history", args=[member.pk]))


class HouseholdActionForm(ActionForm):
    status = forms.ChoiceField(choices=Household.Status.choices, initial=Household.Status.INACTIVE, required=False)
    reason = forms.CharField(max_length=200, required=False, help_text="kept in the history")


@admin.register(Household)
class HouseholdAdmin(RegionScopedHistoryAdmin):
    audit_object_type = "registry.household"
    audit_fields = PERSONAL_FIELDS
    sensitive_fields = SENSITIVE_FIELDS
    form = HouseholdForm
    inlines = [MemberInline]
    action_form = HouseholdActionForm
    actions = ["set_status", "recompute_pmt"]
    list_display = ("household_number", "head_of_household_name", "barangay", "municipality", "household_size",
                    "per_capita_income", "pmt_score", "status", "version", "updated_at")
    list_filter = ("status", "region_code", ProvinceFilter, MunicipalityFilter, BarangayFilter, PmtRangeFilter)
    search_fields = ("household_number", "head_of_household_name", "members__given_name", "members__family_name")
    date_hierarchy = "updated_at"
    list_per_page = 50
    readonly_fields = ("household_number", "status", "status_reason", "head_of_household_name", "place",
                       "household_size", "monthly_income", "per_capita_income", "pmt_score", "pmt_model_version",
                       "pmt_breakdown", "version", "created_at", "updated_at")
    fieldsets = [
        (None, {"fields": ["household_number", "head_of_household_name", "status", "status_reason", "address"]}),
        ("Location (PSGC codes)", {"fields": ["region_code", "province_code", "municipality_code", "barangay_code",
                                              "place"]}),
        ("Proxy-means-test inputs", {"fields": ["roof_material", "wall_material", "tenure", "water_source",
                                                "toilet_facility", "has_electricity", "assets"]}),
        ("Derived from the members and the PMT model", {"fields": [
            "household_size", "monthly_income", "per_capita_income", "pmt_score", "pmt_model_version",
            "pmt_breakdown"]}),
        ("Contact and payout", {"fields": list(SENSITIVE_FIELDS)}),
        ("Record", {"fields": ["version", "created_at", "updated_at", "change_reason"]}),
    ]

    @admin.display(description="barangay")
    def barangay(self, household):
        return name_of(household.barangay_code)

    @admin.display(description="city or municipality")
    def municipality(self, household):
        return name_of(household.municipality_code)

    @admin.display(description="place")
    def place(self, household):
        codes = (household.barangay_code, household.municipality_code, household.province_code, household.region_code)
        return ", ".join(name for name in map(name_of, codes) if name) or "-"

    @admin.display(description="PMT breakdown")
    def pmt_breakdown(self, household):
        if not household.pk or not household.pmt_model_version:
            return "-"
        model = PmtModel.objects.filter(version=household.pmt_model_version).first()
        if model is None:
            return f"model v{household.pmt_model_version} no longer exists"
        lines = selectors.pmt_breakdown(household=household)
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                                ((line.indicator, line.value, f"{line.points:+.4f}") for line in lines))
        total = model.intercept + sum((line.points for line in lines), Decimal(0))
        return format_html(
            '<table class="pmt-breakdown"><thead><tr><th>indicator</th><th>value</th><th>points</th></tr></thead>'
            "<tbody><tr><td>intercept</td><td></td><td>{}</td></tr>{}</tbody>"
            "<tfoot><tr><th>total</th><th></th><th>{}</th></tr></tfoot></table>"
            "<p>score {} (kept between 0 and 1) by PMT model v{}</p>",
            f"{model.intercept:+.4f}", rows, f"{total:.4f}", household.pmt_score, model.version)

    def get_queryset(self, request):
        return in_regions(super().get_queryset(request), caller_of(request).regions)

    def get_fieldsets(self, request, obj=None):
        hidden = [] if _may_see_numbers(request) else [*SENSITIVE_FIELDS]
        if obj is not None and not self.has_change_permission(request, obj):
            hidden.append("change_reason")  # a reader changes nothing
        return _without(super().get_fieldsets(request, obj), hidden)

    def get_exclude(self, request, obj=None):
        """Whoever may not see the numbers in full does not get them on the page at all."""
        if _may_see_numbers(request):
            return super().get_exclude(request, obj)
        return [*(super().get_exclude(request, obj) or []), *SENSITIVE_FIELDS]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"regions": caller_of(request).regions,
                                             "refusal": getattr(request, "household_refusal", {})})

    def has_delete_permission(self, request, obj=None):
        # Households are deactivated, never deleted: payments and assessments refer to them.
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            # Nothing was saved (the save's transaction rolled back): show the same page again, with the
            # service's reasons on the fields and member rows they are about.
            services.number_conflicts_record(conflicts=refused.conflicts, channel="admin", request=request)
            request.household_refusal = refused.errors
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Nothing is saved here: `save_related` gives the household and its members to the service at once."""

    def save_related(self, request, form, formsets, change):
        # On a change only what was changed: a list of assets given in another order is no change.
        given = [name for name in HOUSEHOLD_FIELDS if name in (form.changed_data if change else form.cleaned_data)]
        household = {name: form.cleaned_data[name] for name in given}
        # Without the members' inline (no permission for members) a change keeps them as they are.
        members = member_rows(formsets[0]) if formsets else (None if change else [])
        reason = form.cleaned_data.get("change_reason") or (
            "edited in the admin" if change else "registered in the admin")
        try:
            with transaction.atomic():
                regions = caller_of(request).regions
                if change:
                    saved = services.household_update(household=form.instance, changes=household, members=members,
                                                      reason=reason, regions=regions)
                else:
                    saved = services.household_register(household=household, members=members, reason=reason,
                                                         user=request.user, regions=regions)
                audit_record_create(request=request, action=AuditRecord.Action.UPDATE if change else
                                    AuditRecord.Action.CREATE, object_type=self.audit_object_type,
                                    object_ids=[saved.pk], fields=form.changed_data, channel="admin")
        except HouseholdInvalid as invalid:
            raise _Refused(invalid.message_dict, conflicts=getattr(invalid, "conflicts", [])) from None
        except selectors.NoActivePmtModel as missing:
            raise _Refused({"__all__": [str(missing)]}) from None
        for field in Household._meta.concrete_fields:
            setattr(form.instance, field.attname, getattr(saved, field.attname))
        form.instance._state.adding = False

    def construct_change_message(self, request, form, formsets, add=False):
        # The service saved the members, so the formsets hold no saved objects to describe.
        return construct_change_message(form, [], add)

    @admin.action(description="Set the status chosen below (deactivate), with the reason", permissions=["change"])
    def set_status(self, request, queryset):
        status, reason = request.POST.get("status") or Household.Status.INACTIVE, request.POST.get("reason", "")
        if status not in Household.Status.values or not reason.strip():
            self.message_user(request, "Choose a status and say why (the reason is kept in the history); "
                                       "nothing was changed.", messages.ERROR)
            return
        changed = 0
        for household in queryset:
            saved = services.household_set_status(household=household, status=status, reason=reason)
            changed += saved.version != household.version
        self.message_user(request, f"{changed} of {len(queryset)} households set to {status}; "
                                   f"the others had that status already.")

    @admin.action(description="Recompute PMT score", permissions=["change"])
    def recompute_pmt(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        try:
            changed = services.households_rescore(household_ids=ids, reason="PMT recomputed in the admin")
        except selectors.NoActivePmtModel as missing:
            self.message_user(request, str(missing), messages.ERROR)
            return
        self.message_user(request, f"PMT recomputed for {len(ids)} households; {changed} scores changed.")


@admin.register(Member)
class MemberAdmin(RegionScopedHistoryAdmin, ReadOnlyModelAdmin):
    """Members are edited in their household; this admin only keeps their history and detail reachable."""

    audit_object_type = "registry.member"
    audit_fields = ("given_name", "middle_name", "family_name", "birth_date", "philsys_number")
    sensitive_fields = MEMBER_SENSITIVE_FIELDS
    list_display = ("__str__", "household", "relationship", "birth_date")
    search_fields = ("given_name", "family_name", "household__household_number")

    def get_queryset(self, request):
        regions = caller_of(request).regions
        members = super().get_queryset(request).select_related("household")
        return members if regions is None else members.filter(household__region_code__in=regions)

    def get_fields(self, request, obj=None):
        hidden = () if _may_see_numbers(request) else MEMBER_SENSITIVE_FIELDS
        return ["household", *(f for f in MEMBER_FIELDS if f not in hidden), "created_at", "updated_at"]

    def get_model_perms(self, request):
        return {}  # not on the index: members are found through their household


# --- PMT models ---------------------------------------------------------------------------


class PmtWeightForm(forms.ModelForm):
    indicator = forms.ChoiceField(choices=[(name, name) for name in INDICATORS])

    class Meta:
        model = PmtWeight
        fields = ("indicator", "option", "region_code", "weight")

    def clean(self):
        cleaned = super().clean()
        if "indicator" in cleaned and (problem := weight_errors(cleaned["indicator"], cleaned.get("option") or "")):
            self.add_error("option", problem)
        return cleaned


class PmtWeightInline(admin.TabularInline):
    model = PmtWeight
    form = PmtWeightForm
    extra = 0

    # An active or retired model never changes: every score must stay explainable by its version.
    def has_add_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_delete_permission(request, obj)


def _is_draft(pmt_model) -> bool:
    return pmt_model is not None and pmt_model.status == PmtModel.Status.DRAFT


@admin.register(PmtModel)
class PmtModelAdmin(admin.ModelAdmin):
    inlines = [PmtWeightInline]
    actions = ["copy_to_draft", "activate"]
    list_display = ("version", "status", "weight_count", "description", "created_at", "activated_by", "activated_at")
    list_filter = ("status",)
    fields = ("version", "status", "description", "intercept", "created_by", "created_at", "activated_by",
              "activated_at")
    readonly_fields = ("version", "status", "created_by", "created_at", "activated_by", "activated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(weight_total=Count("weights"))

    @admin.display(description="weights", ordering="weight_total")
    def weight_count(self, pmt_model):
        return pmt_model.weight_total

    def has_add_permission(self, request):
        return False  # a new version starts as a copy of one under review: "Copy to a new draft"

    def has_change_permission(self, request, obj=None):
        return (obj is None or _is_draft(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # scores carry the version: the model that made them stays

    def has_copy_permission(self, request):
        return request.user.has_perm("registry.add_pmtmodel")

    def has_activate_permission(self, request):
        return request.user.has_perm("registry.activate_pmtmodel")

    @admin.action(description="Copy to a new draft", permissions=["copy"])
    def copy_to_draft(self, request, queryset):
        drafts = [services.pmt_model_copy(pmt_model=model, user=request.user) for model in queryset.order_by("version")]
        self.message_user(request, "New drafts to review and edit: " + ", ".join(f"v{d.version}" for d in drafts))

    @admin.action(description="Activate (rescores every household)", permissions=["activate"])
    def activate(self, request, queryset):
        if len(queryset) != 1:
            self.message_user(request, "Select exactly one draft to activate.", messages.ERROR)
            return
        try:
            with transaction.atomic():
                active = services.pmt_model_activate(pmt_model=queryset[0], user=request.user)
                transaction.on_commit(lambda: tasks.rescore_households.delay())
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
            return
        self.message_user(request, f"PMT model v{active.version} is active; every household is being rescored "
                                   "in the background (their history and events show each new score).")


# --- Probable duplicates --------------------------------------------------------------------


class ReviewStatusFilter(admin.SimpleListFilter):
    """Pending flags unless another status is asked for: the queue is what needs a decision."""

    title = "status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*DuplicateCandidate.Status.choices, (self.ALL, "All")]

    def chosen(self):
        return self.value() or DuplicateCandidate.Status.PENDING

    def queryset(self, request, queryset):
        return queryset if self.chosen() == self.ALL else queryset.filter(status=self.chosen())

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {"selected": self.chosen() == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}


class ReviewActionForm(ActionForm):
    note = forms.CharField(max_length=200, required=False, help_text="kept with the decision")


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReadOnlyModelAdmin):
    """The review queue: a supervisor confirms (the later household is deactivated) or dismisses."""

    action_form = ReviewActionForm
    actions = ["confirm", "dismiss"]
    list_display = ("member_link", "matches_link", "similarity", "reason", "status", "created_at")
    list_filter = (ReviewStatusFilter,)
    fields = ("member_link", "matches_link", "similarity", "reason", "status", "created_at", "reviewed_by",
              "reviewed_at", "review_note")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        regions = caller_of(request).regions
        queue = selectors.duplicate_queue(status=None)
        return queue if regions is None else queue.filter(member__household__region_code__in=regions)

    @admin.display(description="member (registered later)")
    def member_link(self, candidate):
        household = candidate.member.household
        return _household_link(household, f"{candidate.member.full_name} ({household.household_number})")

    @admin.display(description="matches (registered earlier)")
    def matches_link(self, candidate):
        household = candidate.matches.household
        return _household_link(household, f"{candidate.matches.full_name} ({household.household_number})")

    def has_review_permission(self, request):
        return request.user.has_perm("registry.review_duplicatecandidate")

    def _review(self, request, queryset, *, confirmed: bool):
        note = request.POST.get("note", "")
        pending = list(queryset.filter(status=DuplicateCandidate.Status.PENDING))
        for candidate in pending:
            services.duplicate_review(candidate=candidate, confirmed=confirmed, user=request.user, note=note)
        outcome = "confirmed (their later households deactivated)" if confirmed else "dismissed"
        self.message_user(request, f"{len(pending)} flags {outcome}; {len(queryset) - len(pending)} were reviewed "
                                   f"already and left as they were.")

    @admin.action(description="Confirm duplicate (deactivates the later household)", permissions=["review"])
    def confirm(self, request, queryset):
        self._review(request, queryset, confirmed=True)

    @admin.action(description="Dismiss (different people)", permissions=["review"])
    def dismiss(self, request, queryset):
        self._review(request, queryset, confirmed=False)


from . import admin_conflicts, admin_import  # noqa: E402,F401  (registers the import and review screens)
