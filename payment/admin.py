"""The payment officer's admin: cycles and batches with their actions (each a service call, its result
shown), entitlements and payments (read-only), settlement import, reconciliation exceptions to resolve."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path

from dsrs.access import caller_of
from dsrs.querying import in_regions
from dsrs.readonly_admin import ReadOnlyModelAdmin

from . import selectors, services
from .errors import PaymentError
from .models import (Batch, Cycle, DisbursementFile, Entitlement, Formula, FormulaComponent, Payment, PaymentChange,
                     Program, ReconciliationException, SettlementFile)
from .money import pesos


def _actor(request) -> str:
    return caller_of(request).name


class RegionalAdmin(ReadOnlyModelAdmin):
    def get_queryset(self, request):
        return in_regions(super().get_queryset(request), caller_of(request).regions)


def _run(modeladmin, request, rows, step, describe):
    """Run `step(row)` for each row; say what each did, or why it was refused."""
    for row in rows:
        try:
            modeladmin.message_user(request, describe(row, step(row)), messages.SUCCESS)
        except PaymentError as exc:
            modeladmin.message_user(request, f"{row}: {exc}", messages.ERROR)


class FormulaComponentInline(admin.TabularInline):
    model = FormulaComponent
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Formula)
class FormulaAdmin(admin.ModelAdmin):
    """A formula is added, never changed: a new version replaces it."""

    list_display = ("program", "version", "base", "household_cap", "created_at")
    inlines = [FormulaComponentInline]

    @admin.display(description="base a month")
    def base(self, obj):
        return pesos(obj.base_centavos)

    @admin.display(description="household cap a month")
    def household_cap(self, obj):
        return "" if obj.household_cap_centavos is None else pesos(obj.household_cap_centavos)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "schedule", "provider_code", "batch_size", "max_attempts", "is_active")
    actions = ["create_current_cycle"]

    def has_create_cycle_permission(self, request):
        return request.user.has_perm("payment.change_cycle")

    @admin.action(description="Create the cycle of today's period", permissions=["create_cycle"])
    def create_current_cycle(self, request, queryset):
        _run(self, request, queryset, lambda p: services.cycle_create(program_code=p.code, actor=_actor(request),
                                                                      channel="admin"),
             lambda p, cycle: f"{cycle.code}: {cycle.period_start} to {cycle.period_end} ({cycle.status})")


class BatchInline(admin.TabularInline):
    model = Batch
    fields = ("number", "region_code", "status", "payment_count", "total", "prepared_by", "approved_by")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    @admin.display(description="total")
    def total(self, obj):
        return pesos(obj.total_centavos)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Cycle)
class CycleAdmin(ReadOnlyModelAdmin):
    list_display = ("code", "program", "period_start", "period_end", "due_on", "status", "entitlement_count", "total")
    list_filter = ("status", "program")
    readonly_fields = ("totals",)
    inlines = [BatchInline]
    actions = ["generate", "submit", "close"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "totals"]

    @admin.display(description="total")
    def total(self, obj):
        return pesos(obj.total_centavos)

    @admin.display(description="payments per status (your regions)")
    def totals(self, obj):
        figures = selectors.cycle_totals(obj, regions=caller_of(self._request).regions) if obj else {}
        return "; ".join(f"{status}: {f['count']} = {pesos(f['centavos'])}" for status, f in figures.items())

    def change_view(self, request, *args, **kwargs):
        self._request = request
        return super().change_view(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.has_perm("payment.change_cycle")

    @admin.action(description="Generate entitlements (again: only what is missing)", permissions=["change"])
    def generate(self, request, queryset):
        _run(self, request, queryset, lambda c: services.cycle_generate(cycle_id=c.pk, actor=_actor(request),
                                                                        channel="admin"),
             lambda c, r: f"{c.code}: {r.created} created, {r.already} existed, "
                          f"{r.without_household_facts} waiting for member facts")

    @admin.action(description="Submit for approval (you become the preparer)", permissions=["change"])
    def submit(self, request, queryset):
        _run(self, request, queryset, lambda c: services.cycle_submit(cycle_id=c.pk, actor=_actor(request),
                                                                      channel="admin"),
             lambda c, r: f"{r.code}: {r.status}")

    @admin.action(description="Close (every payment paid, cancelled or reversed)", permissions=["change"])
    def close(self, request, queryset):
        _run(self, request, queryset, lambda c: services.cycle_close(cycle_id=c.pk, actor=_actor(request),
                                                                     channel="admin"),
             lambda c, r: f"{r.code}: {r.status}")


@admin.register(Batch)
class BatchAdmin(RegionalAdmin):
    list_display = ("__str__", "region_code", "status", "payment_count", "total", "prepared_by", "approved_by")
    list_filter = ("status", "cycle__program", "region_code")
    search_fields = ("cycle__code",)
    actions = ["approve", "export", "retry"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "totals", "files"]

    @admin.display(description="total")
    def total(self, obj):
        return pesos(obj.total_centavos)

    @admin.display(description="payments per status")
    def totals(self, obj):
        return "; ".join(f"{s}: {f['count']} = {pesos(f['centavos'])}" for s, f in selectors.batch_totals(obj).items())

    @admin.display(description="disbursement files")
    def files(self, obj):
        return "; ".join(f"{f.name} ({f.line_count} lines, {pesos(f.total_centavos)}, sha256 {f.sha256})"
                         for f in obj.files.all())

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.has_perm("payment.change_batch")

    @admin.action(description="Approve (not a batch you prepared)", permissions=["change"])
    def approve(self, request, queryset):
        _run(self, request, queryset, lambda b: services.batch_approve(batch_id=b.pk, actor=_actor(request),
                                                                       channel="admin"),
             lambda b, r: f"{r}: approved, {r.payment_count} payments, {pesos(r.total_centavos)} frozen")

    @admin.action(description="Export the disbursement file (again: the same file)", permissions=["change"])
    def export(self, request, queryset):
        def export(batch):
            file = services.batch_export(batch_id=batch.pk, actor=_actor(request), channel="admin")
            return file, services.disbursement_file_path(file, actor=_actor(request))

        _run(self, request, queryset, export, lambda b, r: f"{b}: {r[1]} ({r[0].line_count} lines, "
                                                           f"{pesos(r[0].total_centavos)}, sha256 {r[0].sha256})")

    @admin.action(description="Retry failed payments (attempt + 1; cancelled after the last)", permissions=["change"])
    def retry(self, request, queryset):
        _run(self, request, queryset, lambda b: services.payments_retry(batch_id=b.pk, actor=_actor(request),
                                                                        channel="admin"),
             lambda b, r: f"{b}: {r['retried']} retried, {r['cancelled']} cancelled")


@admin.register(Entitlement)
class EntitlementAdmin(RegionalAdmin):
    list_display = ("household_id", "cycle", "batch", "amount_centavos", "formula_version", "region_code")
    list_filter = ("cycle__program", "region_code")
    search_fields = ("household_id", "cycle__code")


class PaymentChangeInline(admin.TabularInline):
    model = PaymentChange
    fields = ("version", "from_status", "to_status", "attempt", "reason", "actor", "at")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(RegionalAdmin):
    list_display = ("household_id", "program_code", "cycle", "amount", "currency", "region_code", "status", "attempt",
                    "needs_review", "updated_at")
    list_filter = ("status", "needs_review", "program_code", "region_code", "cycle")
    search_fields = ("household_id", "id")
    date_hierarchy = "updated_at"
    inlines = [PaymentChangeInline]

    @admin.display(description="amount")
    def amount(self, obj):
        return pesos(obj.amount_centavos)


@admin.register(DisbursementFile)
class DisbursementFileAdmin(ReadOnlyModelAdmin):
    list_display = ("name", "batch", "sequence", "line_count", "total_centavos", "sha256", "exported_by", "created_at")


class SettlementUpload(forms.Form):
    file = forms.FileField(help_text="the provider's settlement file (Mifos bulk CSV layout)")


@admin.register(SettlementFile)
class SettlementFileAdmin(ReadOnlyModelAdmin):
    list_display = ("name", "line_count", "paid", "failed", "reversed", "exceptions", "imported_by", "imported_at")
    change_list_template = "admin/payment/settlementfile_change_list.html"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="payment_settlementfile_import"),
                *super().get_urls()]

    def import_view(self, request):
        if not request.user.has_perm("payment.add_settlementfile"):
            messages.error(request, "You may not import settlement files.")
            return redirect("admin:payment_settlementfile_changelist")
        form = SettlementUpload(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.settlement_import(content=upload.read(), name=upload.name, actor=_actor(request),
                                                    channel="admin")
            except PaymentError as exc:
                messages.error(request, str(exc))
            else:
                s = result.file
                messages.success(request, f"{upload.name} was imported already; nothing changed" if result.already_imported
                                 else f"{upload.name}: {s.line_count} lines, {s.paid} paid, {s.failed} failed, "
                                      f"{s.reversed} reversed, {s.exceptions} exceptions")
                return redirect("admin:payment_settlementfile_changelist")
        return render(request, "admin/payment/settlement_import.html",
                      {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                       "title": "Import a settlement file"})


class ResolveForm(forms.ModelForm):
    decision = forms.ChoiceField(choices=services.Resolution.CHOICES)
    note = forms.CharField(max_length=400, widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = ReconciliationException
        fields = []


@admin.register(ReconciliationException)
class ReconciliationExceptionAdmin(admin.ModelAdmin):
    list_display = ("kind", "reference", "payment", "expected_centavos", "found_centavos", "status", "resolved_by")
    list_filter = ("status", "kind", "region_code")
    search_fields = ("reference",)
    form = ResolveForm

    def get_queryset(self, request):
        return in_regions(super().get_queryset(request), caller_of(request).regions)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def get_fields(self, request, obj=None):
        shown = [f.name for f in self.model._meta.fields]
        return shown + (["decision", "note"] if obj and obj.status == obj.Status.OPEN else [])

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.exception_resolve(exception_id=obj.pk, actor=_actor(request), channel="admin",
                                       resolution=form.cleaned_data["decision"], note=form.cleaned_data["note"])
        except PaymentError as exc:
            messages.error(request, str(exc))
        else:
            obj.refresh_from_db()
