"""The officers' admin: drafts checked as they save, published rule sets read-only, explanations shown."""

import json

import pytest

from eligibility.models import Assessment, Program, RuleSet
from tests.conftest import user_with_role
from tests.eligibility.factories import HouseholdDataFactory, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    """A program officer, with no more than the role gives."""
    client.force_login(user_with_role("program officer", is_staff=True))
    return client


def test_a_caseworker_may_neither_write_nor_publish_rule_sets(client):
    client.force_login(user_with_role("caseworker", is_staff=True))

    assert client.get("/admin/eligibility/ruleset/add/").status_code == 403


def test_a_draft_with_an_expression_that_does_not_compile_is_refused_with_the_librarys_message(officer):
    program = Program.objects.get(code="SOCPEN")
    page = officer.post("/admin/eligibility/ruleset/add/", {
        "program": program.pk, "criteria": json.dumps([{"code": "x", "label": "X", "expression": "pmt_score <"}]),
        "exclusions": "[]", "parameters": "{}", "region_parameters": "{}", "notes": ""})

    assert page.status_code == 200
    assert "Syntax error" in page.content.decode() and "criteria.0.expression" in page.content.decode()
    assert RuleSet.objects.filter(program=program).count() == 1


def test_a_published_rule_set_opens_read_only(officer):
    published = Program.objects.get(code="4PS").current_rule_set

    page = officer.get(f"/admin/eligibility/ruleset/{published.pk}/change/")

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


def test_an_assessment_page_explains_the_decision(officer):
    deliver(HouseholdDataFactory(pmt_score=0.7))
    assessment = Assessment.objects.get(program_code="4PS")

    page = officer.get(f"/admin/eligibility/assessment/{assessment.pk}/change/").content.decode()

    assert "FAILED: criterion pmt" in page and "pmt_score = 0.7" in page


def test_the_preview_action_shows_the_counts_and_changes_nothing(officer):
    deliver(*[HouseholdDataFactory(pmt_score=s) for s in (0.2, 0.45, 0.7)])
    four_ps = Program.objects.get(code="4PS")
    draft = RuleSet.objects.create(program=four_ps, version=2, criteria=[
        {"code": "pmt", "label": "PMT", "expression": "pmt_score <= params.max_pmt_score"}],
        parameters={"max_pmt_score": 0.3})

    page = officer.post("/admin/eligibility/ruleset/", {"action": "preview", "_selected_action": [draft.pk]},
                        follow=True).content.decode()

    assert "Rule set v2 against v1, 3 households" in page
    assert Assessment.objects.filter(rule_set_version=2).count() == 0


def test_an_officer_suspends_an_enrolment_from_the_admin_and_it_is_audited(officer):
    from dsrs.audit.models import AuditRecord
    from eligibility.models import Enrolment

    deliver(HouseholdDataFactory(pmt_score=0.2))
    enrolment = Enrolment.objects.get(program_code="4PS")

    officer.post("/admin/eligibility/enrolment/", {"action": "suspend", "_selected_action": [enrolment.pk]})

    enrolment.refresh_from_db()
    assert enrolment.status == "suspended" and enrolment.changes.last().actor.groups.get().name == "program officer"
    assert AuditRecord.objects.filter(object_type="eligibility.enrolment", reason="suspended").exists()
