"""Payment's refusals, each with a stable code (the API and the admin show the message)."""


class PaymentError(ValueError):
    code = "payment_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class IllegalTransition(PaymentError):
    code = "illegal_transition"

    def __init__(self, thing: str, from_status: str, to_status: str):
        super().__init__(f"a {thing} cannot go from {from_status} to {to_status}")
        self.thing, self.from_status, self.to_status = thing, from_status, to_status


class FourEyes(PaymentError):
    code = "four_eyes"


class Frozen(PaymentError):
    code = "frozen"


class NotReproducible(PaymentError):
    code = "not_reproducible"
