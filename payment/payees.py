"""How payment learns where to send each household's money, without the number ever crossing the broker.

Payment never stores or publishes a payee's account. At export time it asks the registry, which holds
the encrypted field, through a synchronous boundary call (`registry.payees`, dsrs/boundaries.py) for the
batch's households only; the answer goes straight into the disbursement file and is then dropped.
A household with neither account nor phone is paid over the counter against a voucher: its payee
identifier is the payment's own reference. (The trade-off is written up in docs/payment.md.)
"""

from dsrs.boundaries import NoProvider, call

VOUCHER = "VOUCHER"


def payees_resolve(*, household_ids: list, purpose: str, actor: str) -> dict[str, dict]:
    if not household_ids:
        return {}
    try:
        return call("registry.payees", household_ids=household_ids, purpose=purpose, actor=actor)
    except NoProvider:
        return {}  # no registry in this process (a benchmark on payment's tables alone): vouchers for all
