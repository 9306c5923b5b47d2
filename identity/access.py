"""Turns an authenticated user into the kernel's Caller: live data, so changes apply at once."""

from dsrs.access import ALL_REGIONS, Caller

from .models import REGIONAL_ROLES


def caller_for(user) -> Caller:
    client = getattr(user, "partner_client", None)
    if client is not None:
        return Caller(kind="client", name=f"client:{user.get_username()}", scopes=frozenset(client.scopes),
                      regions=frozenset(client.region_codes))
    roles = frozenset(user.groups.values_list("name", flat=True))
    # Someone who holds only regional roles sees only their regions; a national role or superuser, all.
    regional = bool(roles) and roles <= set(REGIONAL_ROLES) and not user.is_superuser
    profile = getattr(user, "staff_profile", None)
    regions = frozenset(profile.region_codes if profile else []) if regional else ALL_REGIONS
    return Caller(kind="staff", name=f"user:{user.pk}:{user.get_username()}", roles=roles,
                  permissions=frozenset(user.get_all_permissions()), regions=regions)
