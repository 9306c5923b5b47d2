"""The TLS servers of `scripts/infra` (kafka-tls, mongo-tls, PostgreSQL with ssl=on) refuse what they must,
and DSRS reaches each over verified TLS from its environment alone. scripts/test runs this file with the
saga suite in its TLS pass (`eval "$(scripts/infra env --tls)"`)."""

import os

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.kafka, pytest.mark.tls, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _tls_environment():
    if os.environ.get("KAFKA_SECURITY_PROTOCOL") != "SASL_SSL":
        pytest.fail('the TLS servers are not in the environment: scripts/infra up kafka-tls mongo-tls; '
                    'eval "$(scripts/infra env --tls)" (or deselect with -m "not tls")')


def metadata(config: dict, timeout: float = 8.0):
    return AdminClient({"bootstrap.servers": settings.EVENTS_KAFKA_BOOTSTRAP_SERVERS, **config}).list_topics(timeout=timeout)


def test_the_broker_answers_tls_with_scram_sha_512_and_refuses_plaintext_and_a_wrong_password():
    assert settings.EVENTS_KAFKA_SECURITY["security.protocol"] == "SASL_SSL"
    assert settings.EVENTS_KAFKA_SECURITY["sasl.mechanism"] == "SCRAM-SHA-512"
    assert metadata(settings.EVENTS_KAFKA_SECURITY).brokers
    with pytest.raises(KafkaException):
        metadata({}, timeout=4)  # plaintext to the TLS listener
    with pytest.raises(KafkaException):
        metadata(settings.EVENTS_KAFKA_SECURITY | {"sasl.password": "not-the-password"}, timeout=4)
    with pytest.raises(KafkaException):
        metadata(settings.EVENTS_KAFKA_SECURITY | {"ssl.ca.location": "/etc/ssl/certs/ca-certificates.crt"}, timeout=4)  # not our CA


@pytest.mark.django_db
def test_the_database_connection_is_tls_with_the_servers_certificate_verified():
    assert settings.DATABASES["default"]["OPTIONS"]["sslmode"] == "verify-full"
    with connection.cursor() as cursor:
        cursor.execute("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        ssl, version = cursor.fetchone()
    assert ssl is True and version.startswith("TLS")


def test_the_read_models_server_speaks_only_tls():
    from pymongo import MongoClient
    from pymongo.errors import ServerSelectionTimeoutError

    uri = settings.ANALYTICS_MONGODB_URI
    assert "tls=true" in uri
    with MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        assert client.admin.command("ping")["ok"] == 1.0
    plain = uri.split("?")[0]
    with MongoClient(plain, serverSelectionTimeoutMS=2000) as client, pytest.raises(ServerSelectionTimeoutError):
        client.admin.command("ping")
