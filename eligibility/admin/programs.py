import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from ..models import Program, RuleSet
from ..services import rule_set_publish, rule_set_retire
from ..services.programs import RULE_FIELDS, rule_set_check


class RuleSetForm(forms.ModelForm):
    """Every expression is compiled and checked when the draft is saved; errors name the expression."""

    class Meta:
        model = RuleSet
        fields = ["program", "criteria", "exclusions", "parameters", "region_parameters", "notes"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status != RuleSet.Status.DRAFT:
            raise ValidationError(f"rule set v{self.instance.version} is {self.instance.status} and cannot be changed")
        if not self.errors:
            try:
                rule_set_check(**{name: cleaned.get(name) or ([] if name in ("criteria", "exclusions") else {})
                                  for name in RULE_FIELDS})
            except ValidationError as refused:
                raise ValidationError([f"{path}: {'; '.join(m)}" for path, m in refused.message_dict.items()])
        return cleaned


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    form = RuleSetForm
    list_display = ("program", "version", "status", "criteria_count", "published_at", "retired_at")
    list_filter = ("status", "program")
    readonly_fields = ("version", "status", "published_at", "retired_at", "created_at", "criteria_readable")
    actions = ["preview", "publish", "retire"]

    @admin.display(description="criteria")
    def criteria_count(self, obj):
        return len(obj.criteria) + len(obj.exclusions)

    @admin.display(description="rules")
    def criteria_readable(self, obj):
        lines = [f"{'must' if kind == 'criteria' else 'must not'}: {c['code']} “{c['label']}”: {c['expression']}"
                 for kind in ("criteria", "exclusions") for c in getattr(obj, kind)]
        return format_html("<pre>{}</pre>", "\n".join(lines) + "\n\nparameters: " + json.dumps(obj.parameters)
                           + "\nby region: " + json.dumps(obj.region_parameters))

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != RuleSet.Status.DRAFT:
            return False  # published and retired rule sets are read, never changed
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            from ..services import rule_set_create

            created = rule_set_create(program=obj.program, **{name: getattr(obj, name) for name in RULE_FIELDS},
                                      notes=obj.notes)
            obj.pk, obj.version = created.pk, created.version
            obj._state.adding = False
            return
        from ..services import rule_set_update

        rule_set_update(rule_set=obj, **{name: getattr(obj, name) for name in RULE_FIELDS}, notes=obj.notes)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("eligibility.publish_ruleset"):
            actions.pop("publish", None)
            actions.pop("retire", None)
        return actions

    @admin.action(description="Preview the selected draft against the published rule set (changes nothing)")
    def preview(self, request, queryset):
        from ..selectors import rule_set_preview

        if not request.user.has_perm("eligibility.preview_ruleset") or queryset.count() != 1:
            self.message_user(request, "Select one rule set; previewing needs the preview permission.",
                              messages.ERROR)
            return
        result = rule_set_preview(rule_set=queryset.get())
        rows = [("total", result.total), *sorted(result.regions.items())]
        self.message_user(request, format_html(
            "<pre>{}</pre>", f"Rule set v{result.rule_set_version} against v{result.against_version}, "
            f"{result.households} households, ages on {result.day}\n"
            + "region       newly  still  losing  still-not  inclusion-err  exclusion-err  monthly cost\n"
            + "\n".join(f"{name:<12} {c.newly_eligible:>5}  {c.still_eligible:>5}  {c.losing_eligibility:>6}  "
                        f"{c.still_ineligible:>9}  {c.inclusion_error:>13}  {c.exclusion_error:>13}  "
                        f"{c.monthly_cost:>12}" for name, c in rows)))

    @admin.action(description="Publish the selected draft (re-assesses the program's households)")
    def publish(self, request, queryset):
        if not request.user.has_perm("eligibility.publish_ruleset"):
            raise PermissionError("publishing a rule set needs its own permission")
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one draft to publish.", messages.ERROR)
            return
        try:
            job = rule_set_publish(rule_set=queryset.get())
        except ValidationError as refused:
            self.message_user(request, "; ".join(refused.messages), messages.ERROR)
            return
        self.message_user(request, f"Published; re-assessment of {job.total} households started (see "
                                   "Re-assessment jobs for its progress).")

    @admin.action(description="Retire the selected rule sets")
    def retire(self, request, queryset):
        for rule_set in queryset:
            rule_set_retire(rule_set=rule_set)
        self.message_user(request, f"{queryset.count()} rule sets retired.")


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "status", "benefit_kind", "benefit_amount", "current_rule_set", "starts_on",
                    "ends_on")
    list_filter = ("status", "benefit_kind")
    search_fields = ("code", "name")
    readonly_fields = ("current_rule_set", "created_at", "updated_at")
