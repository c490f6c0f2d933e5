"""PKCS#12 handling: read uploaded blobs into certificate facts, pick the active one, make test blobs."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from mockgraph.core.errors import InvalidRequestBody


@dataclass(frozen=True)
class CertificateFacts:
    """What Graph publishes about an uploaded certificate."""

    thumbprint: str
    not_before: int
    not_after: int

    def is_current(self, now: float) -> bool:
        """Valid at ``now``: its notBefore has passed and it has not expired."""
        return self.not_before <= now < self.not_after


def decode_pkcs12_value(pkcs12_value: str) -> bytes:
    """Strict standard base64, as .NET's Convert.FromBase64String reads it (whitespace allowed)."""
    compact = "".join(pkcs12_value.split())
    if not compact:
        raise InvalidRequestBody(
            "The value of 'pkcs12Value' is empty; it must be the base64-encoded contents of a "
            "PKCS 12 (.pfx) file.",
            reason="empty pkcs12Value",
        )
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequestBody(
            "The value of 'pkcs12Value' is not a valid base-64 string.",
            reason="pkcs12Value is not base64",
        ) from None


@lru_cache(maxsize=512)
def read_pkcs12(pkcs12_value: str, password: str) -> CertificateFacts:
    """Parse a base64 PKCS#12 blob with its password (``""`` meaning none) into its certificate's facts.

    :raises InvalidRequestBody: bad base64, wrong password, not PKCS#12, or no certificate or key inside.

    Results are cached per (blob, password): OpenSSL 3 validates an RSA key on every load (~50 ms),
    and test suites upload the same few blobs over and over. Failures are not cached.
    """
    blob = decode_pkcs12_value(pkcs12_value)
    try:
        bundle = pkcs12.load_pkcs12(blob, password.encode("utf-8") if password else None)
    except (ValueError, TypeError):
        raise InvalidRequestBody(
            "The PKCS 12 content could not be read: the password is incorrect or the value is not a "
            "valid PKCS 12 (.pfx) file.",
            reason="pkcs12Value failed to decrypt or parse",
        ) from None
    if bundle.cert is None:
        raise InvalidRequestBody(
            "The PKCS 12 (.pfx) file does not contain a certificate.",
            reason="no certificate in pkcs12",
        )
    if bundle.key is None:
        raise InvalidRequestBody(
            "The PKCS 12 (.pfx) file does not contain the certificate's private key.",
            reason="no private key in pkcs12",
        )
    return facts_of(bundle.cert.certificate)


def facts_of(certificate: x509.Certificate) -> CertificateFacts:
    """Thumbprint (upper-case hex SHA-1 of the DER) and validity in whole seconds since 1970 UTC."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return CertificateFacts(
        thumbprint=hashlib.sha1(der, usedforsecurity=False).hexdigest().upper(),
        not_before=int(certificate.not_valid_before_utc.timestamp()),
        not_after=int(certificate.not_valid_after_utc.timestamp()),
    )


def active_index(certificates: Sequence[CertificateFacts], now: float) -> int | None:
    """Index of the active certificate: the most recently uploaded one valid at ``now``.

    ``certificates`` is in upload order."""
    for index in range(len(certificates) - 1, -1, -1):
        if certificates[index].is_current(now):
            return index
    return None


# --- making real PKCS#12 blobs for tests, strategies and examples -------------------------------


@cache
def _signing_key(kind: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    # Key generation is the costly part (RSA ~50 ms); certificates are cheap to sign, so keys are made once.
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


@dataclass(frozen=True)
class GeneratedPkcs12:
    """A freshly made PKCS#12 blob and what Graph should report about it."""

    der: bytes
    password: str
    facts: CertificateFacts
    certificate: x509.Certificate

    @property
    def base64(self) -> str:
        return base64.b64encode(self.der).decode("ascii")


def make_pkcs12(
    *,
    password: str = "",
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    common_name: str = "mockgraph test client",
    key_type: str = "rsa",
    serial_number: int | None = None,
) -> GeneratedPkcs12:
    """A real, self-signed PKCS#12 bundle (certificate and key), valid for a year from now by default."""
    if key_type not in ("rsa", "ec"):
        raise ValueError(f"key_type must be 'rsa' or 'ec', not {key_type!r}")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = (not_before or now - dt.timedelta(minutes=5)).replace(microsecond=0)
    end = (not_after or now + dt.timedelta(days=365)).replace(microsecond=0)
    if end <= start:
        raise ValueError("not_after must be later than not_before")
    key = _signing_key(key_type)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial_number or x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(key, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
    if password:
        # Modern PBES2/AES as Windows and OpenSSL 3 write it; fewer KDF rounds than the default
        # keep test blobs cheap to make and to read, and the result is still a standard PKCS#12.
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(password.encode("utf-8"))
        )
    der = pkcs12.serialize_key_and_certificates(
        common_name.encode("utf-8"), key, certificate, None, encryption
    )
    return GeneratedPkcs12(der=der, password=password, facts=facts_of(certificate), certificate=certificate)


def load_client_identity(pkcs12_value: str, password: str) -> tuple[bytes, bytes]:
    """PEM certificate and PEM private key from a stored blob (for calling a connector with mutual TLS)."""
    bundle = pkcs12.load_pkcs12(decode_pkcs12_value(pkcs12_value), password.encode() if password else None)
    if bundle.cert is None or bundle.key is None:
        raise InvalidRequestBody("The PKCS 12 (.pfx) file does not contain a certificate and key.")
    cert_pem = bundle.cert.certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = bundle.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert_pem, key_pem
