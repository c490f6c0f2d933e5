"""A local certificate authority and a server certificate for ``mockgraph serve --tls``, kept and reused in a directory.

The CA is made once (``mockgraph-ca.pem``: the one file a client must trust); the server certificate it
signs names localhost, 127.0.0.1, ::1 and the bound host, and is re-issued only when it expires soon or
does not name the host asked for. Keys are written with mode 0600, each file by rename (never half-written).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "mockgraph-ca.pem"
CA_KEY_FILE = "mockgraph-ca-key.pem"
SERVER_FILE = "mockgraph-server.pem"
SERVER_KEY_FILE = "mockgraph-server-key.pem"
CA_DAYS = 3650
SERVER_DAYS = 397  # the longest validity browsers and Apple's TLS stack accept
RENEW_BEFORE = dt.timedelta(days=30)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    """Where the CA certificate (to trust), the server certificate and its key are."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write(path: Path, data: bytes, *, private: bool) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".mockgraph-tls-")
    try:
        if private:
            os.chmod(tmp, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} does not hold an EC private key")
    return key


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _make_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mockgraph local development CA")])
    now = _now()
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(directory / CA_KEY_FILE, _key_pem(key), private=True)
    _write(directory / CA_FILE, certificate.public_bytes(serialization.Encoding.PEM), private=False)
    return certificate, key


def _make_server(
    directory: Path, names: tuple[str, ...], ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=SERVER_DAYS), ca.not_valid_after_utc))
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write(directory / SERVER_KEY_FILE, _key_pem(key), private=True)
    _write(directory / SERVER_FILE, certificate.public_bytes(serialization.Encoding.PEM), private=False)


def _server_is_usable(path: Path, names: tuple[str, ...], ca: x509.Certificate) -> bool:
    try:
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
        alternatives = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    named = {str(value) for value in alternatives.get_values_for_type(x509.DNSName)}
    named |= {str(value) for value in alternatives.get_values_for_type(x509.IPAddress)}
    wanted = {str(ipaddress.ip_address(n)) if _is_ip(n) else n for n in names}
    return (
        certificate.issuer == ca.subject
        and certificate.not_valid_after_utc - RENEW_BEFORE > _now()
        and wanted <= named
    )


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def ensure_tls_files(directory: Path, host: str = "127.0.0.1") -> TlsFiles:
    """The CA and server certificate in ``directory``: reused when present and fit for ``host``, else made."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_path, ca_key_path = directory / CA_FILE, directory / CA_KEY_FILE
    if ca_path.exists() and ca_key_path.exists():
        ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
        ca_key = _load_key(ca_key_path)
        if ca.not_valid_after_utc - RENEW_BEFORE <= _now():
            ca, ca_key = _make_ca(directory)
    else:
        ca, ca_key = _make_ca(directory)
    names = tuple(
        dict.fromkeys((*LOOPBACK_NAMES, host) if host not in ("", "0.0.0.0", "::") else LOOPBACK_NAMES)
    )
    server_path = directory / SERVER_FILE
    if not (_server_is_usable(server_path, names, ca) and (directory / SERVER_KEY_FILE).exists()):
        _make_server(directory, names, ca, ca_key)
    return TlsFiles(ca_path, server_path, directory / SERVER_KEY_FILE)
