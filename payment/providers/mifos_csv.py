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


def _records(text: str, columns: list[str]):
    """The header and, for each non-empty line, the values of `columns` (None where a short line has
    none, a name absent from the header gives KeyError): what csv.DictReader gives for those columns,
    without a dict per line (a tenth of reading a 10,000-line file)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return None, iter(())
    position = {name: i for i, name in enumerate(header)}
    wanted = [position[name] for name in columns] if set(columns) <= set(position) else None

    def values():
        if wanted is None:
            raise KeyError(next(name for name in columns if name not in position))
        last = max(wanted)
        for row in reader:
            if not row:
                continue
            if len(row) > last:
                yield [row[i] for i in wanted]
            else:
                yield [row[i] if i < len(row) else None for i in wanted]

    return header, values()


_READ_DISBURSEMENT = ["id", "request_id", "payee_identifier_type", "payee_identifier", "amount", "currency", "note",
                      "program_shortcode", "cycle", "batch_id"]
_READ_SETTLEMENT = ["request_id", "status", "amount", "currency", "error_description"]


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
        _, lines = _records(content.decode(), _READ_DISBURSEMENT)
        return [DisbursementRow(line_number=int(number), reference=reference, payee_identifier_type=payee_type,
                                payee_identifier=payee, amount_centavos=exact_centavos(amount), currency=currency,
                                note=note, program_code=program, cycle_code=cycle, batch_id=batch)
                for number, reference, payee_type, payee, amount, currency, note, program, cycle, batch in lines]

    def settlement_file(self, rows, *, batch_id) -> bytes:
        return _csv(SETTLEMENT_COLUMNS, (
            [r.line_number, r.reference, batch_id, r.status,
             "" if r.amount_centavos is None else pesos(r.amount_centavos), r.currency,
             r.reason.split(":", 1)[0] if r.reason else "", r.reason] for r in rows))

    def read_settlement_file(self, content: bytes) -> list[SettlementRow]:
        try:
            header, lines = _records(content.decode("utf-8-sig"), _READ_SETTLEMENT)
            if header is None or not set(SETTLEMENT_COLUMNS) <= set(header):
                raise SettlementFormatError(f"a settlement file starts with the columns {', '.join(SETTLEMENT_COLUMNS)}")
            rows = []
            for number, (reference, given_status, amount, currency, reason) in enumerate(lines, start=1):
                status = given_status.strip().upper()
                if status not in STATUSES:
                    raise SettlementFormatError(f"line {number}: status {given_status!r} is not one of {sorted(STATUSES)}")
                amount = amount.strip()
                rows.append(SettlementRow(line_number=number, reference=reference.strip(), status=status,
                                          amount_centavos=exact_centavos(amount) if amount else None,
                                          currency=currency.strip(), reason=(reason or "").strip()))
            return rows
        except (UnicodeDecodeError, ValueError, KeyError, csv.Error) as exc:
            if isinstance(exc, SettlementFormatError):
                raise
            raise SettlementFormatError(f"not a settlement file: {exc}") from None
