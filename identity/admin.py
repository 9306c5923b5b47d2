from django import forms
from django.contrib import admin, messages

from dsrs.audit.models import AuditRecord
from dsrs.audit.services import audit_record_create

from . import services

CLIENT = "identity.partnerclient"


def _audit(request, action, client, reason):
    audit_record_create(request=request, action=action, object_type=CLIENT, object_ids=[client.pk], channel="admin",
                        reason=reason)
from .models import PartnerClient, StaffProfile


class RegionCodesField(forms.CharField):
    """A list of PSGC region codes, typed and shown comma-separated (stored as a JSON list)."""

    def __init__(self, *, required=True, **kwargs):
        super().__init__(required=required, help_text="PSGC region codes, comma-separated, e.g. 1300000000,0700000000",
                         **kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, (list, tuple)) else value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return list(value)
        return [code.strip() for code in (value or "").split(",") if code.strip()]

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError("Give at least one region.")

    def run_validators(self, value):
        bad = [code for code in value if not (code.isdigit() and len(code) == 10)]
        if bad:
            raise forms.ValidationError(f"Not PSGC region codes: {', '.join(bad)}")

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)


class PartnerClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=[(s, s) for s in PartnerClient.SCOPES],
                                       widget=forms.CheckboxSelectMultiple)
    region_codes = RegionCodesField()

    class Meta:
        model = PartnerClient
        fields = ["name", "scopes", "region_codes"]


class StaffProfileForm(forms.ModelForm):
    region_codes = RegionCodesField(required=False)

    class Meta:
        model = StaffProfile
        fields = ["user", "region_codes"]


def _listed(values) -> str:
    return ", ".join(values) or "-"


class RegionListMixin:
    @admin.display(description="regions")
    def region_list(self, obj):
        return _listed(obj.region_codes)


@admin.register(PartnerClient)
class PartnerClientAdmin(RegionListMixin, admin.ModelAdmin):
    form = PartnerClientForm
    list_display = ("name", "client_id", "scope_list", "region_list", "created_at", "secret_rotated_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "account__username")
    actions = ["rotate_secret", "revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            _audit(request, AuditRecord.Action.UPDATE, obj, "changed " + ", ".join(form.changed_data))
            return
        client, secret = services.partner_client_create(name=obj.name, scopes=form.cleaned_data["scopes"],
                                                        region_codes=form.cleaned_data["region_codes"])
        obj.pk, obj.account = client.pk, client.account
        _audit(request, AuditRecord.Action.CREATE, client, "created")
        messages.warning(request, f"Client id {client.client_id}, secret {secret} — copy the secret now: "
                                  "it is not shown again.")

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return _listed(obj.scopes)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead, so the audit trail keeps naming the client

    @admin.action(description="Rotate the secret of the selected clients", permissions=["change"])
    def rotate_secret(self, request, queryset):
        for client in queryset.filter(revoked_at__isnull=True):
            secret = services.partner_client_rotate_secret(client=client)
            _audit(request, AuditRecord.Action.UPDATE, client, "secret rotated")
            messages.warning(request, f"{client}: new secret {secret} — copy it now: it is not shown again.")

    @admin.action(description="Revoke the selected clients (their tokens stop working at once)",
                  permissions=["change"])
    def revoke(self, request, queryset):
        for client in queryset.filter(revoked_at__isnull=True):
            services.partner_client_revoke(client=client)
            _audit(request, AuditRecord.Action.UPDATE, client, "revoked")
        self.message_user(request, "Revoked.", messages.SUCCESS)


@admin.register(StaffProfile)
class StaffProfileAdmin(RegionListMixin, admin.ModelAdmin):
    form = StaffProfileForm
    list_display = ("user", "region_list")
    search_fields = ("user__username",)
