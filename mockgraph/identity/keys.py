"""The RS256 signing key: made once per process, or kept in a PEM file so tokens survive restarts."""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SIZE = 2048


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE spells it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64url(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True, eq=False)
class SigningKey:
    """An RSA private key with the ``kid`` and public JWK that name it.

    ``kid`` is the base64url SHA-256 thumbprint of the DER public key, so the same key file always
    yields the same ``kid``.
    """

    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def from_private_key(cls, private_key: rsa.RSAPrivateKey) -> SigningKey:
        der = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(private_key, b64url(hashlib.sha256(der).digest()))

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK, in the shape Entra's key sets use (plus ``alg``)."""
        numbers = self.public_key.public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _int_b64url(numbers.n),
            "e": _int_b64url(numbers.e),
        }

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def generate_key() -> SigningKey:
    """A fresh key (about 40 ms): call through :func:`process_signing_key`, never per test."""
    return SigningKey.from_private_key(rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE))


@functools.cache
def process_signing_key() -> SigningKey:
    """The key every app in this process signs with unless a key file is configured."""
    return generate_key()


@functools.cache
def foreign_signing_key() -> SigningKey:
    """A second per-process key that no emulator trusts: signs the ``unknown key`` bad tokens."""
    return generate_key()


def load_or_create_key(path: Path) -> SigningKey:
    """Read the PEM private key at ``path``, or create one there (mode 0600) if the file is absent.

    :raises ValueError: if the file holds something other than an unencrypted RSA private key.
    """
    if path.exists():
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        return SigningKey.from_private_key(loaded)
    key = process_signing_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary file and rename, so a concurrent reader never sees half a key.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".mockgraph-key-")
    try:
        os.chmod(tmp, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.private_pem())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return key


def signing_key_for(path: Path | None) -> SigningKey:
    """The key an app signs with: the file's key if ``path`` is set, else the process key."""
    return process_signing_key() if path is None else load_or_create_key(path)


def jwks(*keys: SigningKey) -> dict[str, Any]:
    """A JSON Web Key Set document naming ``keys``."""
    return {"keys": [key.public_jwk() for key in keys]}
