"""Who a command acts for: a payment officer's user name, so the four-eyes rule holds for scripts too."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from dsrs.access import caller_for


def actor_of(username: str) -> str:
    if not username:
        raise CommandError("--actor is required: the user name of the payment officer acting")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    caller = caller_for(user)
    return caller.name if caller.kind != "anonymous" else f"user:{user.pk}:{user.get_username()}"
