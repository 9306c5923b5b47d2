"""Eligibility's writes, one module per subject."""

from .assessments import households_assess, households_changed
from .enrolments import enrolment_resume, enrolment_suspend, enrolments_apply
from .facts import household_facts_record
from .programs import rule_set_create, rule_set_publish, rule_set_retire, rule_set_update
from .reassessment import reassessment_run, reassessment_start

__all__ = ["households_assess", "households_changed", "enrolment_resume", "enrolment_suspend", "enrolments_apply", "household_facts_record",
           "rule_set_create", "rule_set_publish", "rule_set_retire", "rule_set_update", "reassessment_run",
           "reassessment_start"]
