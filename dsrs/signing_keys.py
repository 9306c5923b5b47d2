"""The JWT signing key pair: from the environment in production, a local file in development.

Tokens are signed with RS256 by a key of their own (never SECRET_KEY), so that a gateway or another
service can verify them with the public key published at /.well-known/jwks.json.
"""

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def dev_private_key(path: Path) -> str:
    """The development key pair, made once and kept (0600) in a git-ignored file."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        try:
            os.link(temporary, path)  # atomic: a process starting at the same moment keeps the first key
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text()


def public_key_of(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk_of(public_pem: str) -> dict:
    """The public key as a JWK (RFC 7517), its `kid` the RFC 7638 thumbprint."""
    numbers = serialization.load_pem_public_key(public_pem.encode()).public_numbers()
    members = {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}
    canonical = '{"e":"%(e)s","kty":"RSA","n":"%(n)s"}' % members
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    return members | {"kid": kid, "use": "sig", "alg": "RS256"}
