"""The spine's default program becomes the seeded 4PS program, whose rule set v1 is the settings'
thresholds in CEL; and a second demo program, the social pension for indigent seniors (seeded as a draft
program with a published rule set: an officer activates it, then re-assesses)."""

from datetime import date

from django.conf import settings
from django.db import migrations
from django.utils import timezone

ACTIVE_HOUSEHOLD = {"code": "active", "label": "The household is active in the registry",
                    "expression": 'status == "active"'}

FOUR_PS = {
    "name": "Pantawid Pamilyang Pilipino Program (4Ps)",
    "description": "Conditional cash transfer for poor households, with health and education grants.",
    "benefit_kind": "cash", "benefit_amount": "750.00", "status": "active",
    "rules": {
        "criteria": [
            ACTIVE_HOUSEHOLD,
            {"code": "pmt", "label": "PMT score at most the poverty cut-off",
             "expression": "pmt_score <= params.max_pmt_score"},
            {"code": "income", "label": "Monthly income at most the ceiling",
             "expression": "monthly_income <= params.max_monthly_income"},
        ],
        "exclusions": [],
        "region_parameters": {},
    },
}

SOCIAL_PENSION = {
    "name": "Social Pension for Indigent Senior Citizens",
    "description": "Monthly stipend for senior citizens (60 and over) with no pension, in poor households.",
    "benefit_kind": "cash", "benefit_amount": "1000.00", "status": "draft",
    "rules": {
        "criteria": [
            ACTIVE_HOUSEHOLD,
            {"code": "senior", "label": "A member is a senior citizen",
             "expression": "members.exists(m, m.age >= params.senior_age)"},
            {"code": "no_pension", "label": "A senior member has no income of their own (no pension)",
             "expression": "members.exists(m, m.age >= params.senior_age && m.monthly_income == 0.0)"},
            {"code": "pmt", "label": "PMT score under the regional poverty cut-off",
             "expression": "pmt_score < params.pmt_cutoff"},
            {"code": "per_capita", "label": "Per-capita income at most the regional poverty line",
             "expression": "per_capita_income <= params.poverty_line"},
        ],
        "exclusions": [
            {"code": "earning_senior", "label": "Every senior member earns an income",
             "expression": "members.all(m, m.age < params.senior_age || m.monthly_income > 0.0)"},
        ],
        "parameters": {"senior_age": 60, "pmt_cutoff": 0.45, "poverty_line": 3500.0},
        "region_parameters": {"1300000000": {"pmt_cutoff": 0.40, "poverty_line": 4200.0},
                              "1900000000": {"pmt_cutoff": 0.50, "poverty_line": 3200.0}},
    },
}


def seed_programs(apps, schema_editor):
    """Idempotent: tests that empty the database call it again (tests/conftest.py)."""
    Program = apps.get_model("eligibility", "Program")
    RuleSet = apps.get_model("eligibility", "RuleSet")
    four_ps_parameters = {"max_pmt_score": float(settings.ELIGIBILITY_MAX_PMT_SCORE),
                          "max_monthly_income": float(settings.ELIGIBILITY_MAX_MONTHLY_INCOME)}
    for code, spec in ((settings.ELIGIBILITY_PROGRAM_CODE, FOUR_PS), ("SOCPEN", SOCIAL_PENSION)):
        if Program.objects.filter(code=code).exists():
            continue
        rules = dict(spec["rules"])
        rules.setdefault("parameters", four_ps_parameters)
        program = Program.objects.create(code=code, name=spec["name"], description=spec["description"],
                                         benefit_kind=spec["benefit_kind"], benefit_amount=spec["benefit_amount"],
                                         status=spec["status"], starts_on=date(2026, 1, 1))
        rule_set = RuleSet.objects.create(program=program, version=1, status="published",
                                          published_at=timezone.now(), notes="seeded", **rules)
        program.current_rule_set = rule_set
        program.save(update_fields=["current_rule_set"])


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0003_programs_rule_sets_projection_enrolment")]

    operations = [migrations.RunPython(seed_programs, migrations.RunPython.noop)]
