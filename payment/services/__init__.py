"""Payment's writes, one module per subject, re-exported here."""

from .batches import batch_approve, batch_return, payments_retry
from .compensation import enrolments_compensate
from .cycles import (cycle_cancel, cycle_close, cycle_create, cycle_generate, cycle_generate_batch,
                     cycle_generate_finish, cycle_generate_plan, cycle_period, cycle_submit)
from .exports import batch_export, disbursement_file_path, files_dir, manifest, payment_reference
from .payments import payment_transition, payments_transition
from .projections import EnrolmentChange, HouseholdChange, enrolments_apply, households_apply
from .settlement import Resolution, exception_resolve, settlement_import

__all__ = ["EnrolmentChange", "HouseholdChange", "Resolution", "batch_approve", "batch_export", "batch_return",
           "cycle_cancel", "cycle_close", "cycle_create", "cycle_generate", "cycle_generate_batch",
           "cycle_generate_finish", "cycle_generate_plan", "cycle_period", "cycle_submit",
           "disbursement_file_path", "enrolments_apply", "enrolments_compensate", "exception_resolve", "files_dir",
           "households_apply", "manifest", "payment_reference", "payment_transition", "payments_retry",
           "payments_transition", "settlement_import"]
