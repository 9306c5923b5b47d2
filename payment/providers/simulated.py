"""A simulated provider: reads a disbursement file and answers with a settlement file in which a
configurable share of lines failed and a share was paid and then returned. Which lines is decided
by a hash of the seed and the reference, so the same file and seed always give the same answer."""

import hashlib

from .base import SettlementRow

FAILURES = ["AC04: account closed", "AM05: duplicate at the receiving bank", "MS03: payee not reachable"]


def _draw(seed: str, reference: str) -> float:
    digest = hashlib.sha256(f"{seed}:{reference}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def simulate_settlement(provider, content: bytes, *, fail_share: float = 0.0, return_share: float = 0.0,
                        seed: str = "dsrs") -> bytes:
    if not (0 <= fail_share <= 1 and 0 <= return_share <= 1 and fail_share + return_share <= 1):
        raise ValueError("the failure and return shares are between 0 and 1 and add up to at most 1")
    rows = provider.read_disbursement_file(content)
    answer = []
    for row in rows:
        draw = _draw(seed, row.reference)
        if draw < fail_share:
            status, reason = "FAILED", FAILURES[int(draw * 1000) % len(FAILURES)]
        elif draw < fail_share + return_share:
            status, reason = "REVERSED", "RR04: returned by the receiving bank"
        else:
            status, reason = "COMPLETED", ""
        answer.append(SettlementRow(line_number=row.line_number, reference=row.reference, status=status,
                                    amount_centavos=row.amount_centavos, currency=row.currency, reason=reason))
    return provider.settlement_file(answer, batch_id=rows[0].batch_id if rows else "")
