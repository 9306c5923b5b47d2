"""The saga suite runs twice: on the real servers (kafka transport, PostgreSQL, MongoDB-wire server)
and on the embedded default (local transport, SQL read model). Each test gets topics, consumer groups
and a MongoDB database of its own, so nothing one test leaves behind reaches another."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db.models import Max
from django.utils import timezone
from rest_framework.test import APIClient

from analytics import stores
from dsrs.events import registry
from dsrs.events.models import OutboxEvent
from dsrs.events.relay import relay_once
from dsrs.events.runtime import ConsumerRuntime
from dsrs.events.topics import topic_name
from dsrs.events.transports import get_transport
from tests.conftest import user_with_role

REPO = Path(__file__).resolve().parents[2]

TRANSPORTS = [pytest.param("kafka", marks=pytest.mark.kafka, id="kafka"), pytest.param("local", id="local")]


class Saga:
    """Drives the relay and the consumer groups from the test; payment cycles are run by the tests (pay_cycle)."""

    def __init__(self, transport: str, namespace: str):
        self.transport = transport
        self.namespace = namespace
        self.runtimes: dict[str, ConsumerRuntime] = {}

    def runtime(self, group: str) -> ConsumerRuntime:
        if group not in self.runtimes:
            self.runtimes[group] = ConsumerRuntime(group)
        return self.runtimes[group]

    def start_consumers(self, groups=None, timeout: float = 30.0) -> None:
        """Open the groups' consumers and wait until Kafka has given each its partitions."""
        for group in groups or registry.groups():
            runtime = self.runtime(group)
            deadline = time.monotonic() + timeout
            while not runtime.session.ready():
                assert time.monotonic() < deadline, f"group {group} got no partitions in {timeout}s"
                runtime.poll_once(timeout=0.2)

    def relay(self) -> int:
        sent = 0
        while count := relay_once():
            sent += count
        return sent

    def step(self, *, groups=None) -> int:
        moved = self.relay()
        for group in groups or registry.groups():
            moved += self.runtime(group).poll_once(timeout=0.3)
        return moved

    def run_until(self, condition, *, timeout: float = 90.0, groups=None):
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"the saga did not reach {condition.__doc__ or condition} in {timeout}s"
            self.step(groups=groups)

    def settle(self, *, seconds: float = 2.0) -> None:
        """Keep everything running until nothing has moved for a while (to catch late duplicates)."""
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < seconds:
            if self.step():
                quiet_since = time.monotonic()
        assert not OutboxEvent.objects.filter(sent_at__isnull=True).exists()

    def lag(self, group: str) -> int:
        return self.runtime(group).session.lag()

    def inject_raw(self, family: str, *, key: str, value: bytes) -> None:
        """Put a record that is no DSRS event on a topic, as a misbehaving producer would."""
        topic = topic_name(family)
        if self.transport == "kafka":
            transport = get_transport()
            transport.ensure_topics([topic])
            transport.producer.produce(topic, key=key, value=value)
            assert transport.producer.flush(10) == 0
        else:
            last = OutboxEvent.objects.aggregate(last=Max("position"))["last"] or 0
            OutboxEvent.objects.create(event_id=uuid.uuid4(), topic=topic, key=key, event_type="?",
                                       stored_envelope={"not": "an event", "raw": value.decode(errors="replace")},
                                       sent_at=timezone.now(), position=last + 1)

    def read_topic(self, topic: str, timeout: float = 20.0) -> list[dict]:
        """The headers of every record on a Kafka topic, read from the start by a throwaway consumer."""
        from confluent_kafka import Consumer

        consumer = Consumer({"bootstrap.servers": django_settings.EVENTS_KAFKA_BOOTSTRAP_SERVERS,
                             **django_settings.EVENTS_KAFKA_SECURITY,
                             "group.id": f"{self.namespace}reader-{uuid.uuid4().hex[:6]}",
                             "auto.offset.reset": "earliest", "enable.auto.commit": False})
        consumer.subscribe([topic])
        headers, deadline, quiet_since = [], time.monotonic() + timeout, None
        try:
            while time.monotonic() < deadline:
                message = consumer.poll(0.5)
                if message is None or message.error():
                    quiet_since = quiet_since or time.monotonic()
                    if headers and time.monotonic() - quiet_since > 2:
                        break
                    continue
                quiet_since = None
                headers.append({k: v.decode() for k, v in message.headers() or []})
        finally:
            consumer.close()
        return headers

    def republish_everything(self) -> int:
        """Append every event ever published to the log again, unchanged (same ids)."""
        rows = list(OutboxEvent.objects.exclude(event_type="?").order_by("id"))
        OutboxEvent.objects.bulk_create(
            OutboxEvent(event_id=r.event_id, topic=r.topic, key=r.key, event_type=r.event_type,
                        stored_envelope=r.envelope)
            for r in rows
        )
        return len(rows)

    def close(self) -> None:
        for runtime in self.runtimes.values():
            runtime.close()
        self.runtimes.clear()

    def subprocess_env(self, **extra) -> dict:
        """The environment of a `manage.py` subprocess that shares this test's database and topics."""
        db = django_settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            database_url = f"sqlite:///{db['NAME']}"
        else:
            database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        env = dict(os.environ, DATABASE_URL=database_url, EVENTS_TRANSPORT=django_settings.EVENTS_TRANSPORT,
                   EVENTS_TOPIC_PREFIX=django_settings.EVENTS_TOPIC_PREFIX,
                   EVENTS_GROUP_PREFIX=django_settings.EVENTS_GROUP_PREFIX,
                   MONGODB_URI=django_settings.ANALYTICS_MONGODB_URI, MONGODB_DB=django_settings.ANALYTICS_MONGODB_DB,
                   EVENTS_RETRY_BACKOFF_SECONDS="0.01", LOG_LEVEL="WARNING")
        env.update(extra)
        return env

    def manage(self, *args: str, timeout: float = 120.0, **env) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(REPO / "manage.py"), *args], env=self.subprocess_env(**env),
                              capture_output=True, text=True, timeout=timeout, cwd=REPO)


@pytest.fixture(params=TRANSPORTS)
def saga(request, settings, transactional_db, tmp_path):
    transport = request.param
    settings.PAYMENT_FILES_DIR = tmp_path / "payment-files"
    namespace = f"t{uuid.uuid4().hex[:10]}."
    settings.EVENTS_TRANSPORT = transport
    settings.EVENTS_MAX_ATTEMPTS = 3
    settings.EVENTS_RETRY_BACKOFF_SECONDS = 0.01
    if transport == "kafka":
        settings.EVENTS_KAFKA_BOOTSTRAP_SERVERS = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        settings.EVENTS_KAFKA_TOPIC_PARTITIONS = 3
        settings.EVENTS_KAFKA_DELIVERY_TIMEOUT_SECONDS = 5.0
        settings.EVENTS_TOPIC_PREFIX = namespace
        settings.EVENTS_GROUP_PREFIX = namespace
        settings.ANALYTICS_MONGODB_URI = os.environ["MONGODB_URI"]
        settings.ANALYTICS_MONGODB_DB = f"dsrs_test_{namespace.strip('.')}"
    else:
        settings.ANALYTICS_MONGODB_URI = ""
    driver = Saga(transport, namespace)
    yield driver
    driver.close()
    if transport == "kafka":
        store = stores.get_store()
        store.client.drop_database(settings.ANALYTICS_MONGODB_DB)
        store.client.close()
        stores._store.cache_clear()
        admin = get_transport().admin()
        topics = [t for t in admin.list_topics(timeout=10).topics if t.startswith(namespace)]
        if topics:
            for future in admin.delete_topics(topics).values():
                future.result(timeout=30)


@pytest.fixture
def partner_client(transactional_db):
    """An API client holding a real JWT, as a partner agency's system would."""
    user = user_with_role("admin")
    token = APIClient().post("/api/v1/auth/token", {"username": user.username, "password": "a long enough pass phrase"},
                             format="json")
    assert token.status_code == 200, token.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")
    return client
