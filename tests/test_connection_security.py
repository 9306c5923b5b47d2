"""Secured connections from the environment: what each variable puts into the clients' configuration."""

import json
import subprocess
import sys

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from dsrs.connection_security import kafka_client_config, mongodb_uri_with_tls
from tests.saga.conftest import REPO

SCRAM = {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_USERNAME": "dsrs", "KAFKA_SASL_PASSWORD": "s3cret",
         "KAFKA_SSL_CA_LOCATION": "/etc/dsrs/tls/ca.crt"}


def config_of(monkeypatch, variables: dict) -> dict:
    for name in ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD",
                 "KAFKA_SSL_CA_LOCATION", "KAFKA_SSL_CERTIFICATE_LOCATION", "KAFKA_SSL_KEY_LOCATION",
                 "KAFKA_SSL_ENDPOINT_IDENTIFICATION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return kafka_client_config(environ.Env())


def test_a_plaintext_broker_needs_no_security_settings(monkeypatch):
    assert config_of(monkeypatch, {}) == {}


def test_tls_with_scram_sha_512_is_librdkafkas_configuration(monkeypatch):
    assert config_of(monkeypatch, SCRAM) == {
        "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "dsrs",
        "sasl.password": "s3cret", "ssl.ca.location": "/etc/dsrs/tls/ca.crt",
        "ssl.endpoint.identification.algorithm": "https",
    }


@pytest.mark.parametrize("variables, refused", [
    ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL must be one of"),
    ({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_USERNAME": "dsrs"}, "needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"),
    (SCRAM | {"KAFKA_SASL_MECHANISM": "GSSAPI"}, "KAFKA_SASL_MECHANISM must be one of"),
    (SCRAM | {"KAFKA_SSL_ENDPOINT_IDENTIFICATION": "off"}, "must be https or none"),
])
def test_an_incomplete_or_unknown_security_setting_refuses_to_start(monkeypatch, variables, refused):
    with pytest.raises(ImproperlyConfigured, match=refused):
        config_of(monkeypatch, variables)


def test_a_mongodb_ca_file_given_apart_turns_tls_on_and_the_uri_keeps_its_own_options():
    assert mongodb_uri_with_tls("mongodb://db:27017", ca_file="/ca.crt") == "mongodb://db:27017/?tls=true&tlsCAFile=/ca.crt"
    assert (mongodb_uri_with_tls("mongodb://db:27017/?tls=true&tlsCAFile=/mine.crt&replicaSet=rs0", ca_file="/ca.crt")
            == "mongodb://db:27017/?tls=true&tlsCAFile=/mine.crt&replicaSet=rs0")
    assert mongodb_uri_with_tls("mongodb://db:27017", ca_file="") == "mongodb://db:27017"


def test_the_settings_hand_every_tls_variable_to_its_client():
    """In a process of its own, as the settings are read once at start."""
    code = ("import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.EVENTS_KAFKA_SECURITY, s.DATABASES['default']['OPTIONS'], s.ANALYTICS_MONGODB_URI]))")
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "dsrs.settings", **SCRAM,
           "DATABASE_URL": "postgres://u:p@db.example:5432/dsrs?sslmode=require",
           "DATABASE_SSLMODE": "verify-full", "DATABASE_SSLROOTCERT": "/etc/dsrs/tls/ca.crt",
           "MONGODB_URI": "mongodb://mongo.example:27017", "MONGODB_TLS_CA_FILE": "/etc/dsrs/tls/ca.crt"}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    kafka, database, mongodb = json.loads(result.stdout.strip().splitlines()[-1])
    assert kafka == kafka_client_config_of(SCRAM)
    assert database["sslmode"] == "verify-full" and database["sslrootcert"] == "/etc/dsrs/tls/ca.crt"
    assert mongodb == "mongodb://mongo.example:27017/?tls=true&tlsCAFile=/etc/dsrs/tls/ca.crt"


def kafka_client_config_of(variables: dict) -> dict:
    class Env(environ.Env):
        def str(self, name, default=None, **kwargs):
            return variables.get(name, default)

    return kafka_client_config(Env())
