"""Who is calling and what they may see: the kernel's view of access, so no app imports identity.

identity registers the resolver that turns an authenticated Django user (a staff member, or the
service account of a partner agency) into a `Caller`; apps ask `caller_of(request)` and use
`ContextPermission` on their API views and `Caller.regions` to scope their queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import BaseThrottle

ALL_REGIONS = None


@dataclass(frozen=True)
class Caller:
    kind: str  # "staff", "client" or "anonymous"
    name: str
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()  # partner clients: e.g. registry:read
    permissions: frozenset[str] = frozenset()  # staff: Django model permissions, e.g. registry.view_household
    regions: frozenset[str] | None = frozenset()  # None means every region

    def sees_region(self, region_code: str) -> bool:
        return self.regions is ALL_REGIONS or region_code in self.regions

    def may(self, context: str, model: str, *, write: bool) -> bool:
        if self.kind == "client":
            return f"{context}:{'write' if write else 'read'}" in self.scopes
        actions = ("add", "change") if write else ("view",)
        return any(f"{context}.{action}_{model}" in self.permissions for action in actions)


ANONYMOUS = Caller(kind="anonymous", name="anonymous")
_resolver: Callable[[object], Caller] | None = None


def register_caller_resolver(resolver: Callable[[object], Caller]) -> None:
    global _resolver
    _resolver = resolver


def caller_of(request) -> Caller:
    """The caller of a request (DRF's or Django's), resolved once per request."""
    django_request = getattr(request, "_request", request)
    cached = getattr(django_request, "_dsrs_caller", None)
    if cached is not None:
        return cached
    caller = django_request._dsrs_caller = caller_for(getattr(request, "user", None))
    return caller


def caller_for(user) -> Caller:
    """The Caller of a user outside a request (an import running in a worker, a command)."""
    if user is None or not user.is_authenticated or _resolver is None:
        return ANONYMOUS
    return _resolver(user)


def client_address(request) -> str | None:
    """The address the request came from: the socket's, or with TRUSTED_PROXY_COUNT proxies in front,
    the one the farthest trusted proxy put into X-Forwarded-For; what a client writes there itself is
    never believed. DRF's own rule (its throttles' NUM_PROXIES), so throttles, lockout and audit agree."""
    return BaseThrottle().get_ident(getattr(request, "_request", request)) or None


class ContextPermission(BasePermission):
    """Allows a view's reads and writes by the caller's scopes (clients) or model permissions (staff).

    The view names what it serves: `access_context = "registry"`, `access_model = "household"`; a view
    whose POST only reads (a lookup with the query in the body) sets `access_is_read = True`.
    """

    message = "Your role or client scopes do not allow this."

    def has_permission(self, request, view):
        caller = caller_of(request)
        if caller.kind == "anonymous":
            return False
        write = request.method not in SAFE_METHODS and not getattr(view, "access_is_read", False)
        return caller.may(view.access_context, view.access_model, write=write)
