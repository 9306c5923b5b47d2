"""Export of an approved batch as the provider's disbursement file, with its SHA-256 manifest.

The same batch gives the same file: exporting again when nothing new is approved returns the last
file, rewritten byte for byte from its stored lines if it is no longer on disk (and refused if the
payees' data changed so that the bytes would differ). Retried payments go out in the next file of
the batch (sequence 2, 3, ...), each line under a new reference (payment id and attempt).
"""

import hashlib
import json
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction

from dsrs.events.bulk import insert_rows

from ..audit import Action, audit
from ..errors import NotReproducible, PaymentError
from ..lock_objects import batch_lock
from ..models import Batch, DisbursementFile, DisbursementLine, Payment
from ..money import pesos
from ..payees import VOUCHER, payees_resolve
from ..providers import DisbursementRow, provider_for
from .cycles import cycle_advance_after
from .payments import payments_move


def payment_reference(payment) -> str:
    """Unique per line: a retry is a new line under a new reference (a Payment or a PaymentRow, whose id
    may be the uuid's text)."""
    pk = payment.id
    return f"{pk.replace('-', '') if isinstance(pk, str) else pk.hex}-{payment.attempt}"


def files_dir() -> Path:
    path = Path(settings.PAYMENT_FILES_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _rows(batch: Batch, lines: list[tuple], *, actor: str) -> list[DisbursementRow]:
    """lines: (line_number, reference, household_id, amount_centavos)."""
    payees = payees_resolve(household_ids=[h for _, _, h, _ in lines], actor=actor,
                            purpose=f"disbursement file of {batch.cycle.code} batch {batch.number}")
    cycle = batch.cycle
    program = cycle.program
    # What every line of the batch shares, read once (not through the relations per line).
    shared = {"currency": program.currency, "note": f"{program.code} {cycle.code}", "program_code": program.code,
              "cycle_code": cycle.code, "batch_id": str(batch.pk)}
    rows = []
    for number, reference, household_id, amount in lines:
        payee = payees.get(str(household_id)) or {"type": VOUCHER, "identifier": reference}
        rows.append(DisbursementRow(line_number=number, reference=reference, payee_identifier_type=payee["type"],
                                    payee_identifier=payee["identifier"], amount_centavos=amount, **shared))
    return rows


def _render(batch: Batch, lines: list[tuple], *, actor: str) -> tuple[bytes, list[DisbursementRow]]:
    rows = _rows(batch, lines, actor=actor)
    program = batch.cycle.program
    content = provider_for(batch.provider_code).disbursement_file(rows=rows, payer_identifier=program.payer_identifier,
                                                                  payee_dfsp_id=program.payee_dfsp_id)
    return content, rows


def manifest(file: DisbursementFile) -> dict:
    batch = file.batch
    return {"file": f"{file.name}", "sha256": file.sha256, "lines": file.line_count,
            "total_centavos": file.total_centavos, "total": pesos(file.total_centavos),
            "currency": batch.cycle.program.currency, "provider": file.provider_code, "cycle": batch.cycle.code,
            "batch_id": str(batch.pk), "batch_number": batch.number, "sequence": file.sequence}


def _write(file: DisbursementFile, content: bytes) -> Path:
    """The file, its `.sha256` (sha256sum's format) and its manifest, readable by the owner only."""
    directory = files_dir()
    for name, data in ((file.name, content), (f"{file.name}.sha256", f"{file.sha256}  {file.name}\n".encode()),
                       (f"{file.name}.manifest.json", (json.dumps(manifest(file), indent=2) + "\n").encode())):
        target = directory / name
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
    return directory / file.name


def disbursement_file_path(file: DisbursementFile, *, actor: str = "system") -> Path:
    """Where the file is; written again from its stored lines if it is missing or altered on disk."""
    path = files_dir() / file.name
    if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == file.sha256:
        return path
    lines = list(file.lines.order_by("line_number").values_list("line_number", "reference", "payment__household_id",
                                                                 "amount_centavos"))
    content, _ = _render(file.batch, lines, actor=actor)
    if hashlib.sha256(content).hexdigest() != file.sha256:
        raise NotReproducible(f"{file.name} cannot be written again as it was sent: the payees' data has changed "
                              "since; the provider holds the original")
    return _write(file, content)


def batch_export(*, batch_id, actor: str, channel: str = "command") -> DisbursementFile:
    """Export the batch's approved payments (sent from then on); with none left, the last file again.
    Batches of one cycle are exported at once if asked to; the cycle moves on after the last."""
    file = _batch_export(batch_id=batch_id, actor=actor, channel=channel)
    cycle_advance_after(file.batch.cycle_id, actor=actor)
    return file


@transaction.atomic
def _batch_export(*, batch_id, actor: str, channel: str) -> DisbursementFile:
    batch = batch_lock(batch_id, shared_cycle=True)
    if batch.status not in (Batch.Status.APPROVED, Batch.Status.EXPORTED):
        raise PaymentError(f"batch {batch.number} of {batch.cycle.code} is {batch.status}: an unapproved batch "
                           "cannot be exported", code="not_approved")
    sequence = (batch.files.order_by("-sequence").values_list("sequence", flat=True).first() or 0) + 1
    name = f"{batch.cycle.code}-b{batch.number:04d}-{sequence}.csv"
    # The approved payments are locked and sent in one statement; the file is made from them (their
    # attempt and amount are those the transition leaves), all in this transaction.
    sent = payments_move(batch_id=batch.pk, from_status=Payment.Status.APPROVED, to_status=Payment.Status.SENT,
                         actor=actor, reason=f"in {name}")
    if not sent:
        last = batch.files.order_by("-sequence").first()
        if last is None:
            raise PaymentError(f"batch {batch.number} has no approved payment to export", code="nothing_to_export")
        disbursement_file_path(last, actor=actor)
        return last
    lines = [(number, payment_reference(p), p.household_id, p.amount_centavos) for number, p in enumerate(sent, start=1)]
    content, rows = _render(batch, lines, actor=actor)
    file = DisbursementFile.objects.create(
        batch=batch, sequence=sequence, provider_code=batch.provider_code, exported_by=actor, name=name,
        sha256=hashlib.sha256(content).hexdigest(), line_count=len(rows),
        total_centavos=sum(p.amount_centavos for p in sent))
    insert_rows(DisbursementLine, ("file_id", "line_number", "reference", "payment_id", "attempt", "amount_centavos",
                                   "payee_identifier_type", "settled"),
                [(file.pk, row.line_number, row.reference, p.pk, p.attempt, p.amount_centavos,
                  row.payee_identifier_type, False) for row, p in zip(rows, sent)], binary=True)
    if batch.status == Batch.Status.APPROVED:
        batch.status = Batch.Status.EXPORTED
        batch.save(update_fields=["status"])
    audit(actor=actor, action=Action.EXPORT, object_type="payment.batch", object_ids=[batch.pk], channel=channel,
          fields=["payee_identifier"], reason=f"{file.name}: {file.line_count} lines, {file.total_centavos} centavos, "
                                              f"sha256 {file.sha256}")
    _write(file, content)
    return file
