"""The staff roles: Django groups and the model permissions each carries."""

# "app_label.codename" of each role's permissions; "admin" gets every permission there is.
ROLE_PERMISSIONS = {
    "caseworker": ["registry.view_household", "registry.add_household", "registry.change_household",
                   "registry.view_member", "registry.add_member", "registry.change_member", "registry.delete_member",
                   "registry.view_unmasked_personal_data", "registry.import_households", "registry.view_importjob",
                   "registry.view_pmtmodel", "registry.view_pmtweight", "registry.view_duplicatecandidate"],
    "supervisor": ["registry.view_household", "registry.add_household", "registry.change_household",
                   "registry.view_member", "registry.add_member", "registry.change_member", "registry.delete_member",
                   "registry.view_unmasked_personal_data", "registry.import_households", "registry.view_importjob",
                   "registry.view_pmtmodel", "registry.add_pmtmodel", "registry.change_pmtmodel",
                   "registry.activate_pmtmodel", "registry.view_pmtweight", "registry.add_pmtweight",
                   "registry.change_pmtweight", "registry.delete_pmtweight",
                   "registry.view_duplicatecandidate", "registry.review_duplicatecandidate",
                   "eligibility.view_assessment", "eligibility.view_enrolment", "eligibility.view_program",
                   "eligibility.view_ruleset", "payment.view_payment", "analytics.view_summary"],
    "program officer": ["registry.view_household", "registry.view_pmtmodel", "registry.view_pmtweight",
                        "eligibility.view_program", "eligibility.add_program", "eligibility.change_program",
                        "eligibility.view_ruleset", "eligibility.add_ruleset", "eligibility.change_ruleset",
                        "eligibility.preview_ruleset", "eligibility.publish_ruleset",
                        "eligibility.view_assessment", "eligibility.view_enrolment", "eligibility.change_enrolment",
                        "eligibility.view_enrolmentchange", "eligibility.view_reassessmentjob",
                        "analytics.view_summary"],
    "payment officer": ["registry.view_household", "registry.view_unmasked_payout_account", "payment.view_payment",
                        "analytics.view_summary",
                        # issue 9: cycles, batches (four eyes: approving another officer's), settlement, exceptions
                        "payment.view_program", "payment.view_formula", "payment.view_cycle", "payment.change_cycle",
                        "payment.view_batch", "payment.change_batch", "payment.view_entitlement",
                        "payment.view_paymentchange", "payment.view_disbursementfile", "payment.view_settlementfile",
                        "payment.add_settlementfile", "payment.view_reconciliationexception",
                        "payment.change_reconciliationexception"],
    "auditor": ["registry.view_household", "eligibility.view_assessment", "eligibility.view_enrolment",
                "eligibility.view_enrolmentchange", "eligibility.view_program", "eligibility.view_ruleset", "payment.view_payment",
                "analytics.view_summary", "audit.view_auditrecord", "events.view_deadletter",
                "payment.view_cycle", "payment.view_batch", "payment.view_entitlement", "payment.view_paymentchange",
                "payment.view_settlementfile", "payment.view_reconciliationexception"],
}


def roles_ensure(group_model, permission_model) -> None:
    """Create or complete every role group (idempotent); works with migration-time models too."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(permission_model.objects.get(content_type__app_label=app_label, codename=codename))
    admin, _ = group_model.objects.get_or_create(name="admin")
    admin.permissions.set(permission_model.objects.all())


def roles_ensure_for_migration(apps, schema_editor) -> None:
    """`roles_ensure` as a data migration step: permissions are made first, as post_migrate would."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    roles_ensure(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
