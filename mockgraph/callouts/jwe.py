"""Compact JWE (RFC 7516) encryption to an RSA public key: how the password reaches a password-submit endpoint.

Entra "encrypts the password using the public key (RSA JWE format)" and Microsoft's sample decrypts a JWE
holding an unsigned JWT with ``user-password`` and ``nonce`` (reference §9.5). PyJWT has no JWE, so the
few lines are written here on ``cryptography`` (already a dependency) rather than adding a JOSE library to
every install; the tests decrypt with an independent one (jwcrypto). Only encryption is needed: the
endpoint decrypts.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, hmac, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# Key management: RSAES OAEP with SHA-256 (RFC 7518 §4.3) or SHA-1.
ALGORITHMS = {"RSA-OAEP-256": hashes.SHA256, "RSA-OAEP": hashes.SHA1}
# Content encryption -> content key bytes.
ENCRYPTIONS = {"A128GCM": 16, "A192GCM": 24, "A256GCM": 32, "A128CBC-HS256": 32, "A256CBC-HS512": 64}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_from(key: Any) -> rsa.RSAPublicKey:
    """An RSA public key from a key object, PEM bytes/str (public key, private key or certificate) or a JWK."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return key
    if isinstance(key, Mapping):
        if key.get("kty") != "RSA":
            raise ValueError("the JWK is not an RSA key")
        numbers = rsa.RSAPublicNumbers(
            int.from_bytes(_unb64(str(key["e"])), "big"), int.from_bytes(_unb64(str(key["n"])), "big")
        )
        return numbers.public_key()
    pem = key.encode("ascii") if isinstance(key, str) else bytes(key)
    loaded: Any
    if b"CERTIFICATE" in pem:
        loaded = x509.load_pem_x509_certificate(pem).public_key()
    elif b"PRIVATE KEY" in pem:
        loaded = serialization.load_pem_private_key(pem, password=None).public_key()
    else:
        loaded = serialization.load_pem_public_key(pem)
    if not isinstance(loaded, rsa.RSAPublicKey):
        raise ValueError("the key is not an RSA key")
    return loaded


def unsigned_jwt(claims: Mapping[str, Any]) -> str:
    """``header.payload.`` with ``alg: none``: the JWT inside the JWE, as Microsoft's sample reads it."""
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(dict(claims), separators=(",", ":"), ensure_ascii=False).encode())
    return f"{header}.{payload}."


def encrypt(
    plaintext: bytes,
    public_key: rsa.RSAPublicKey,
    *,
    algorithm: str = "RSA-OAEP-256",
    encryption: str = "A256GCM",
    key_id: str | None = None,
    content_type: str | None = "JWT",
) -> str:
    """The compact serialisation ``header.encryptedKey.iv.ciphertext.tag``."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unsupported JWE alg {algorithm!r}")
    if encryption not in ENCRYPTIONS:
        raise ValueError(f"unsupported JWE enc {encryption!r}")
    header: dict[str, str] = {"alg": algorithm, "enc": encryption}
    if key_id:
        header["kid"] = key_id
    if content_type:
        header["cty"] = content_type  # a nested JWT (RFC 7519 §5.2)
    protected = _b64(json.dumps(header, separators=(",", ":")).encode()).encode("ascii")
    key = os.urandom(ENCRYPTIONS[encryption])
    digest = ALGORITHMS[algorithm]
    wrapped = public_key.encrypt(
        key, rsa_padding.OAEP(mgf=rsa_padding.MGF1(digest()), algorithm=digest(), label=None)
    )
    if encryption.endswith("GCM"):
        iv = os.urandom(12)
        sealed = AESGCM(key).encrypt(iv, plaintext, protected)
        ciphertext, tag = sealed[:-16], sealed[-16:]
    else:
        iv, ciphertext, tag = _cbc_hmac(key, plaintext, protected, encryption)
    return ".".join([protected.decode("ascii"), _b64(wrapped), _b64(iv), _b64(ciphertext), _b64(tag)])


def _cbc_hmac(key: bytes, plaintext: bytes, aad: bytes, encryption: str) -> tuple[bytes, bytes, bytes]:
    """AES-CBC with HMAC-SHA2 (RFC 7518 §5.2): the first half of the key signs, the second encrypts."""
    half = len(key) // 2
    mac_key, enc_key = key[:half], key[half:]
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    digest = hashes.SHA256() if encryption == "A128CBC-HS256" else hashes.SHA512()
    signer = hmac.HMAC(mac_key, digest)
    signer.update(aad + iv + ciphertext + (len(aad) * 8).to_bytes(8, "big"))
    return iv, ciphertext, signer.finalize()[:half]


def encrypted_password_context(
    password: str,
    nonce: str,
    public_key: rsa.RSAPublicKey,
    *,
    algorithm: str = "RSA-OAEP-256",
    encryption: str = "A256GCM",
    key_id: str | None = None,
) -> str:
    """``encryptedPasswordContext``: a JWE holding an unsigned JWT with ``user-password`` and ``nonce``."""
    inner = unsigned_jwt({"user-password": password, "nonce": nonce})
    return encrypt(
        inner.encode("utf-8"), public_key, algorithm=algorithm, encryption=encryption, key_id=key_id
    )
