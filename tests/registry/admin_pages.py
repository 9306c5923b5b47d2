"""Helpers of the admin tests: a logged-in staff member of a role, and a page's form sent back as a browser would."""

from datetime import date
from decimal import Decimal

from django.test import Client

from identity.models import StaffProfile
from registry.geography import areas, locate
from tests.conftest import user_with_role


def staff_client(role: str, regions: list[str] | None = None) -> tuple[Client, object]:
    """A client logged into the admin as a new user of `role`, working in `regions` if given."""
    user = user_with_role(role, is_staff=True)
    if regions is not None:
        StaffProfile.objects.create(user=user, region_codes=regions)
    client = Client()
    client.force_login(user)
    return client, user


def _posted(value):
    if isinstance(value, (date, Decimal, int)) and not isinstance(value, bool):
        return str(value)
    return "" if value is None else value


def _fields(form) -> dict:
    data = {}
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        else:
            data[bound.html_name] = _posted(value)
    return data


def form_data(page) -> dict:
    """Everything the change or add page would post back unchanged: the form, each inline row and
    the inlines' management forms."""
    data = _fields(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_fields(formset.management_form))
        for form in formset.forms:
            data.update(_fields(form))
    return data


def barangay_elsewhere(location: dict, *, level: str) -> dict:
    """The four codes of another barangay of the same region that differs from `location` at `level`
    (`province_code`, `municipality_code` or `barangay_code`) and agrees above it."""
    above = {"province_code": ["region_code"], "municipality_code": ["region_code", "province_code"],
             "barangay_code": ["region_code", "province_code", "municipality_code"]}[level]
    for code in sorted(c for c, a in areas().items() if a.kind == "barangay" and c[:2] == location["region_code"][:2]):
        found = vars(locate(code))
        if found[level] != location[level] and all(found[name] == location[name] for name in above):
            return found
    raise LookupError(f"no other {level} in region {location['region_code']}")
