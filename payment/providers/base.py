"""The interface every disbursing provider's adapter implements (a bank, a payment hub, a wallet)."""

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class DisbursementRow:
    """One line of a disbursement file: one payment's attempt, with how to reach the payee."""

    line_number: int
    reference: str
    payee_identifier_type: str  # ACCOUNTID, MSISDN or VOUCHER
    payee_identifier: str
    amount_centavos: int
    currency: str
    note: str
    program_code: str
    cycle_code: str
    batch_id: str


@dataclass(frozen=True)
class SettlementRow:
    """One line of a provider's settlement file, as the provider wrote it."""

    line_number: int
    reference: str
    status: str  # COMPLETED, FAILED or REVERSED
    amount_centavos: int | None
    currency: str
    reason: str


class SettlementFormatError(ValueError):
    pass


class Provider(ABC):
    code: str
    label: str

    @abstractmethod
    def disbursement_file(self, *, rows: list[DisbursementRow], payer_identifier: str, payee_dfsp_id: str) -> bytes:
        """The file to hand over, byte for byte the same for the same rows (idempotent re-export)."""

    @abstractmethod
    def read_disbursement_file(self, content: bytes) -> list[DisbursementRow]:
        """What a provider (or the simulated one) reads back from such a file."""

    @abstractmethod
    def settlement_file(self, rows: list[SettlementRow], *, batch_id: str) -> bytes:
        """A settlement file as the provider writes it (the simulated provider's half)."""

    @abstractmethod
    def read_settlement_file(self, content: bytes) -> list[SettlementRow]:
        """The provider's settlement file, parsed; a malformed file raises SettlementFormatError."""
