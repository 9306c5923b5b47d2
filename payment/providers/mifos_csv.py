"""Files in the bulk CSV layout of the Mifos Payment Hub (payment-hub-ee's bulk processor).

Disbursement: `id, request_id, payment_mode, payer_identifier_type, payer_identifier, payee_identifier_type,
payee_identifier, amount, currency, note, account_number, program_shortcode, cycle, payee_dfsp_id, batch_id`,
one line per payment attempt; `request_id` is the payment's unique reference, `amount` pesos with two
decimals written from integer centavos. Settlement: `id, request_id, batch_id, status, amount, currency,
error_code, error_description`, status COMPLETED, FAILED or REVERSED.
"""

import csv
import io

from ..money import exact_centavos, pesos
from .base import DisbursementRow, Provider, SettlementFormatError, SettlementRow

DISBURSEMENT_COLUMNS = ["id", "request_id", "payment_mode", "payer_identifier_type", "payer_identifier",
                        "payee_identifier_type", "payee_identifier", "amount", "currency", "note", "account_number",
                        "program_shortcode", "cycle", "payee_dfsp_id", "batch_id"]
SETTLEMENT_COLUMNS = ["id", "request_id", "batch_id", "status", "amount", "currency", "error_code", "error_description"]
STATUSES = {"COMPLETED", "FAILED", "REVERSED"}


def _csv(header: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


class MifosBulkCsv(Provider):
    code = "mifos-csv"
    label = "Mifos Payment Hub bulk CSV"

    def disbursement_file(self, *, rows, payer_identifier, payee_dfsp_id) -> bytes:
        return _csv(DISBURSEMENT_COLUMNS, (
            [r.line_number, r.reference, "closedloop", "ACCOUNTID", payer_identifier, r.payee_identifier_type,
             r.payee_identifier, pesos(r.amount_centavos), r.currency, r.note,
             r.payee_identifier if r.payee_identifier_type == "ACCOUNTID" else "", r.program_code, r.cycle_code,
             payee_dfsp_id, r.batch_id] for r in rows))

    def read_disbursement_file(self, content: bytes) -> list[DisbursementRow]:
        reader = csv.DictReader(io.StringIO(content.decode()))
        return [DisbursementRow(line_number=int(r["id"]), reference=r["request_id"],
                                payee_identifier_type=r["payee_identifier_type"], payee_identifier=r["payee_identifier"],
                                amount_centavos=exact_centavos(r["amount"]), currency=r["currency"], note=r["note"],
                                program_code=r["program_shortcode"], cycle_code=r["cycle"], batch_id=r["batch_id"])
                for r in reader]

    def settlement_file(self, rows, *, batch_id) -> bytes:
        return _csv(SETTLEMENT_COLUMNS, (
            [r.line_number, r.reference, batch_id, r.status,
             "" if r.amount_centavos is None else pesos(r.amount_centavos), r.currency,
             r.reason.split(":", 1)[0] if r.reason else "", r.reason] for r in rows))

    def read_settlement_file(self, content: bytes) -> list[SettlementRow]:
        try:
            reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
            if reader.fieldnames is None or not set(SETTLEMENT_COLUMNS) <= set(reader.fieldnames):
                raise SettlementFormatError(f"a settlement file starts with the columns {', '.join(SETTLEMENT_COLUMNS)}")
            rows = []
            for number, r in enumerate(reader, start=1):
                status = r["status"].strip().upper()
                if status not in STATUSES:
                    raise SettlementFormatError(f"line {number}: status {r['status']!r} is not one of {sorted(STATUSES)}")
                amount = r["amount"].strip()
                rows.append(SettlementRow(line_number=number, reference=r["request_id"].strip(), status=status,
                                          amount_centavos=exact_centavos(amount) if amount else None,
                                          currency=r["currency"].strip(), reason=(r["error_description"] or "").strip()))
            return rows
        except (UnicodeDecodeError, ValueError, KeyError, csv.Error) as exc:
            if isinstance(exc, SettlementFormatError):
                raise
            raise SettlementFormatError(f"not a settlement file: {exc}") from None
