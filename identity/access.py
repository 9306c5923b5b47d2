"""Turns an authenticated user into the kernel's Caller: live data, so changes apply at once."""

from dsrs.access import ALL_REGIONS, Caller

from .models import REGIONAL_ROLES


def caller_for(user) -> Caller:
    client = getattr(user, "partner_client", None)
    if client is not None:
        return Caller(kind="client", name=f"client:{user.get_username()}", scopes=frozenset(client.scopes),
                      regions=frozenset(client.region_codes))
    roles = frozenset(user.groups.values_list("name", flat=True))
    # A superuser or a holder of a national role sees every region; anyone else, only their own.
    regional = not user.is_superuser and roles <= set(REGIONAL_ROLES)
    profile = getattr(user, "staff_profile", None)
    regions = frozenset(profile.region_codes if profile else []) if regional else ALL_REGIONS
    return Caller(kind="staff", name=f"user:{user.pk}:{user.get_username()}", roles=roles,
                  permissions=frozenset(user.get_all_permissions()), regions=regions)
