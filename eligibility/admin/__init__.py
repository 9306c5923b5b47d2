"""Admin for program officers: programs, rule sets (checked as they are saved, published with a permission
of their own), assessments with their explanations, enrolments and re-assessment jobs with progress."""

from . import decisions, programs  # noqa: F401  registers the model admins
