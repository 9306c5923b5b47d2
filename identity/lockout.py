"""Login lockout (django-axes), configured in settings.AXES_*: who is locked and what they are told.

Failures count two ways. Per username from one source: LOGIN_FAILURE_LIMIT failures lock that pair,
so guessing one account's password stops, while its owner, elsewhere, still logs in. Per source:
LOGIN_SOURCE_FAILURE_LIMIT failures lock that address for every username, so spraying a few
passwords across many accounts stops too. The source is `dsrs.access.client_address`, which believes
X-Forwarded-For only from the configured proxies, so one caller behind the ingress never locks out
the others behind it.
"""

from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.contrib.auth import get_user_model
from django.db.models import Sum

from dsrs.api_responses import error_response


def bounded_username(request, credentials=None) -> str | None:
    """The username a login tried, cut to the longest a user can have: a 2 MB one is stored and
    logged as its first 150 characters (no account has a longer name, so none is confused)."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None:
        return None
    return str(username)[:get_user_model()._meta.get_field("username").max_length]


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per source of its own (axes has one limit for all its
    parameters). AXES_LOCKOUT_PARAMETERS is `[["username", "ip_address"], "ip_address"]`, in that order."""

    def get_failures(self, request, credentials=None) -> int:
        pair, source = (attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
                        for attempts in self.get_user_attempts(request, credentials))
        if source >= settings.LOGIN_SOURCE_FAILURE_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A success clears its own username's failures from its source, never the source's others:
        a sprayer's own good account must not reset the count of its failures on everyone else's."""
        pair_attempts = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair_attempts.delete()
        return count


def locked_out_response(request, credentials, *args, **kwargs):
    """What a locked-out login gets, in the API's error shape, whichever endpoint it used."""
    return error_response(429, code="locked_out", message=(
        "Too many failed logins for this account or from this address; try again later or ask an administrator."))
