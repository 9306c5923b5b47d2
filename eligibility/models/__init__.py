from .assessments import Assessment
from .enrolments import Enrolment, EnrolmentChange
from .facts import HouseholdFact
from .jobs import ReassessmentJob
from .programs import Program, RuleSet

__all__ = ["Assessment", "Enrolment", "EnrolmentChange", "HouseholdFact", "Program", "ReassessmentJob", "RuleSet"]
