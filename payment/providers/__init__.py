"""Providers by code: the program names its provider's adapter (payment.Program.provider_code)."""

from .base import DisbursementRow, Provider, SettlementFormatError, SettlementRow
from .mifos_csv import MifosBulkCsv

PROVIDERS: dict[str, Provider] = {p.code: p for p in (MifosBulkCsv(),)}


def provider_for(code: str) -> Provider:
    try:
        return PROVIDERS[code]
    except KeyError:
        raise LookupError(f"no provider adapter {code!r}; known: {', '.join(sorted(PROVIDERS))}") from None


__all__ = ["DisbursementRow", "Provider", "SettlementFormatError", "SettlementRow", "provider_for", "PROVIDERS"]
