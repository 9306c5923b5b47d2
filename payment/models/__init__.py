from .cycles import Cycle, CycleChange
from .entitlements import Batch, Entitlement
from .files import DisbursementFile, DisbursementLine, ReconciliationException, SettlementFile, SettlementLine
from .payments import Payment, PaymentChange
from .programs import Formula, FormulaComponent, Program
from .projections import EnrolmentFact, HouseholdFact

__all__ = ["Batch", "Cycle", "CycleChange", "DisbursementFile", "DisbursementLine", "EnrolmentFact", "Entitlement",
           "Formula", "FormulaComponent", "HouseholdFact", "Payment", "PaymentChange", "Program",
           "ReconciliationException", "SettlementFile", "SettlementLine"]
