"""The RS256 signing keys, one per key configuration: a key file's own key, or the process's development key.

What an app signs with and trusts follows from its configuration alone (``signing_key_for``):

- ``signing_key_path`` set: the key in that file, or a new key written there if the file is absent. Apps
  naming the same file share its key (across restarts and processes too); a file mockgraph creates always
  holds a new key, so apps with different key files never accept each other's tokens.
- no key file: the process's development key. Every such app, ``mint_token()`` and ``access_tokens()`` sign
  with it, as Entra signs every tenant's tokens with one key set; such an app then accepts a token when it
  knows the token's tenant and the audience and lifetime are right, as Graph does.

Each key is made once (RSA 2048 generation and PEM validation take ~50 ms each): the development key per
process, a key file's key when the file is created or first read (the parsed key is kept per file content).
"""

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
    """A fresh key (about 50 ms): made for a new key file, or once per process through :func:`process_signing_key`."""
    return SigningKey.from_private_key(rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE))


@functools.cache
def process_signing_key() -> SigningKey:
    """The development key: apps without a key file sign with it and trust it, and so does ``mint_token()``."""
    return generate_key()


def development_kid() -> str | None:
    """The development key's ``kid`` if this process has made that key, else None (never makes it: 50 ms)."""
    return process_signing_key().kid if process_signing_key.cache_info().currsize else None


@functools.cache
def foreign_signing_key() -> SigningKey:
    """A second per-process key that no emulator trusts: signs the ``unknown key`` bad tokens."""
    return generate_key()


# Key files seen by this process, by content: enough for every state directory a test run creates.
KEY_FILE_CACHE_SIZE = 64


@functools.lru_cache(maxsize=KEY_FILE_CACHE_SIZE)
def _key_from_pem(pem: bytes) -> SigningKey:
    """The key a PEM file holds, parsed (and validated) once per distinct content.

    Keyed by the bytes, not the path, so a file replaced with another key is read as that key.
    """
    loaded = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError("the key file does not hold an RSA private key")
    return SigningKey.from_private_key(loaded)


def load_or_create_key(path: Path) -> SigningKey:
    """Read the PEM private key at ``path``, or create a new one there (mode 0600) if the file is absent.

    :raises ValueError: if the file holds something other than an unencrypted RSA private key.
    """
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return _create_key_file(path)
    try:
        return _key_from_pem(pem)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def _create_key_file(path: Path) -> SigningKey:
    """Write a new key to ``path``; if another process created the file meanwhile, take its key instead."""
    key = generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written in full to a temporary file, then linked into place: a reader never sees half a key, and
    # link (unlike rename) refuses to replace a file, so when two processes race the first key wins and
    # both sign with it.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".mockgraph-key-")
    try:
        os.chmod(tmp, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.private_pem())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return load_or_create_key(path)
        except OSError:
            # A filesystem without hard links (FAT, some network mounts): rename, as a lone process needs.
            os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return key


def signing_key_for(path: Path | None) -> SigningKey:
    """The key an app with this key configuration signs with: the file's key if ``path`` is set, else the process key."""
    return process_signing_key() if path is None else load_or_create_key(path)


def jwks(*keys: SigningKey) -> dict[str, Any]:
    """A JSON Web Key Set document naming ``keys``."""
    return {"keys": [key.public_jwk() for key in keys]}
