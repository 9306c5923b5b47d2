from django.conf import settings
from django.db import models

# Roles are Django groups (identity/roles.py, created by a data migration). These see and change only
# the regions assigned to them; every other role works nationally.
REGIONAL_ROLES = ("caseworker", "supervisor")


class StaffProfile(models.Model):
    """The regions a staff member works in (it matters only for the regional roles)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    region_codes = models.JSONField(default=list, blank=True, help_text="PSGC region codes, e.g. 1300000000")

    def __str__(self):
        return f"{self.user} ({', '.join(self.region_codes) or 'no region'})"


class PartnerClient(models.Model):
    """A partner agency's system: a service account with scopes and the regions it may see.

    Its credentials are the service account's username (the client id) and password (the secret),
    used at /api/v1/auth/token; revoking deactivates the account, which refuses its tokens at once.
    """

    SCOPES = ("registry:read", "registry:write", "eligibility:read", "payment:read", "analytics:read")

    name = models.CharField(max_length=200, help_text="the agency, e.g. DOH Region VII")
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner_client",
                                   editable=False)
    scopes = models.JSONField(default=list)
    region_codes = models.JSONField(default=list, blank=True, help_text="empty: no region at all")
    created_at = models.DateTimeField(auto_now_add=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name

    @property
    def client_id(self) -> str:
        return self.account.get_username()
