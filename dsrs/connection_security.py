"""Secured connections to the backing services, from the environment (read by dsrs/settings.py).

Kafka: librdkafka's own configuration names, so what an operator reads in the librdkafka docs is
what they set. MongoDB: the driver's URI options. PostgreSQL: libpq's `sslmode` family (in settings).
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

KAFKA_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
KAFKA_SASL_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


def kafka_client_config(env) -> dict[str, str]:
    """The security part of every Kafka client's configuration; empty for a plaintext broker.

    KAFKA_SECURITY_PROTOCOL   PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL
    KAFKA_SASL_MECHANISM      SCRAM-SHA-512 (default), SCRAM-SHA-256 or PLAIN (SASL_* only)
    KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD   required with SASL_*
    KAFKA_SSL_CA_LOCATION     PEM file of the CA that signed the brokers' certificates (SSL, SASL_SSL);
                              unset: the system's CA store
    KAFKA_SSL_CERTIFICATE_LOCATION, KAFKA_SSL_KEY_LOCATION   a client certificate, for brokers that ask
    KAFKA_SSL_ENDPOINT_IDENTIFICATION   https (default: the broker's name must match its certificate) or none
    """
    protocol = env.str("KAFKA_SECURITY_PROTOCOL", default="PLAINTEXT").upper()
    if protocol not in KAFKA_PROTOCOLS:
        raise ImproperlyConfigured(f"KAFKA_SECURITY_PROTOCOL must be one of {', '.join(KAFKA_PROTOCOLS)}, not {protocol!r}")
    if protocol == "PLAINTEXT":
        return {}
    config = {"security.protocol": protocol}
    if protocol.startswith("SASL_"):
        mechanism = env.str("KAFKA_SASL_MECHANISM", default="SCRAM-SHA-512").upper()
        if mechanism not in KAFKA_SASL_MECHANISMS:
            raise ImproperlyConfigured(
                f"KAFKA_SASL_MECHANISM must be one of {', '.join(KAFKA_SASL_MECHANISMS)}, not {mechanism!r}")
        username = env.str("KAFKA_SASL_USERNAME", default="")
        password = env.str("KAFKA_SASL_PASSWORD", default="")
        if not username or not password:
            raise ImproperlyConfigured(f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        config |= {"sasl.mechanism": mechanism, "sasl.username": username, "sasl.password": password}
    if protocol.endswith("SSL"):
        identification = env.str("KAFKA_SSL_ENDPOINT_IDENTIFICATION", default="https").lower()
        if identification not in ("https", "none"):
            raise ImproperlyConfigured(f"KAFKA_SSL_ENDPOINT_IDENTIFICATION must be https or none, not {identification!r}")
        config["ssl.endpoint.identification.algorithm"] = identification
        for variable, option in (("KAFKA_SSL_CA_LOCATION", "ssl.ca.location"),
                                 ("KAFKA_SSL_CERTIFICATE_LOCATION", "ssl.certificate.location"),
                                 ("KAFKA_SSL_KEY_LOCATION", "ssl.key.location")):
            if value := env.str(variable, default=""):
                config[option] = value
    return config


def mongodb_uri_with_tls(uri: str, *, ca_file: str, certificate_key_file: str = "") -> str:
    """MONGODB_URI with `tls=true` and the CA (and client certificate) files added when they are given
    apart from the URI; a URI that names them already keeps its own values."""
    if not uri or not (ca_file or certificate_key_file):
        return uri
    parts = urlsplit(uri)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    given = {name.lower() for name in query}
    added = {"tls": "true", "tlsCAFile": ca_file, "tlsCertificateKeyFile": certificate_key_file}
    query |= {name: value for name, value in added.items() if value and name.lower() not in given}
    return urlunsplit(parts._replace(path=parts.path or "/", query=urlencode(query, safe="/:")))
