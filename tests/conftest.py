import importlib
import os
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from rest_framework.test import APIClient

from identity.roles import roles_ensure

KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS"


def pytest_collection_modifyitems(config, items):
    """Kafka tests need the servers of `scripts/infra up`; without them they fail loudly, never skip."""
    if os.environ.get(KAFKA_ENV):
        return
    for item in items:
        if item.get_closest_marker("kafka"):
            item.add_marker(pytest.mark.usefixtures("_require_real_infrastructure"))


@pytest.fixture
def _require_real_infrastructure():
    pytest.fail(f"{KAFKA_ENV} is not set: run the suite with `make test`, which starts the real servers "
                "(or deselect these tests with -m 'not kafka')")


@pytest.fixture(autouse=True)
def _seeded_pmt_model(request):
    """Transactional tests empty the database after them, and with it the PMT model v1 and the programs
    that data migrations seed: put them back for the next one, as `user_with_role` does for the roles."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        from django.apps import apps

        request.getfixturevalue("transactional_db")
        importlib.import_module("registry.migrations.0002_pmt_model_v1").create_model_v1(apps, None)
        importlib.import_module("eligibility.migrations.0004_seed_programs").seed_programs(apps, None)
        importlib.import_module("payment.migrations.0005_seed_4ps").seed_programs(apps, None)


def user_with_role(role: str, **fields):
    roles_ensure(Group, Permission)  # a transactional test before this one may have flushed them
    user = get_user_model().objects.create_user(username=f"{role.replace(' ', '-')}-{uuid.uuid4().hex[:6]}",
                                                password="a long enough pass phrase", **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def staff_user(db):
    """A national administrator: tests of other rules than access use one."""
    return user_with_role("admin")


@pytest.fixture
def api_client(staff_user):
    client = APIClient()
    client.force_authenticate(staff_user)
    return client


@pytest.fixture
def local_transport(settings):
    settings.EVENTS_TRANSPORT = "local"
    settings.ANALYTICS_MONGODB_URI = ""
    return settings
