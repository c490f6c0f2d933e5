"""Real PKCS#12 handling: thumbprints, validity in whole seconds, and the isActive rule over time."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from flask.testing import FlaskClient

from mockgraph import make_pkcs12, read_pkcs12
from mockgraph.core.certificates import CertificateFacts, active_index, load_client_identity
from mockgraph.core.errors import InvalidRequestBody
from mockgraph.web.state import EmulatorState
from tests.support import pkcs12_auth

NOW = dt.datetime(2026, 6, 1, 12, 0, 0, tzinfo=dt.UTC)


def test_thumbprint_is_upper_hex_sha1_of_der_and_dates_are_whole_seconds() -> None:
    generated = make_pkcs12(
        password="pw", not_before=NOW - dt.timedelta(days=1), not_after=NOW + dt.timedelta(days=10, seconds=7)
    )
    facts = read_pkcs12(generated.base64, "pw")
    der = generated.certificate.public_bytes(serialization.Encoding.DER)
    assert facts.thumbprint == hashlib.sha1(der).hexdigest().upper()
    assert len(facts.thumbprint) == 40
    assert facts.not_before == int((NOW - dt.timedelta(days=1)).timestamp())
    assert facts.not_after == int((NOW + dt.timedelta(days=10, seconds=7)).timestamp())


def test_ec_keys_and_whitespace_in_base64_are_accepted() -> None:
    generated = make_pkcs12(key_type="ec")
    wrapped = "\n".join(generated.base64[i : i + 64] for i in range(0, len(generated.base64), 64))
    assert read_pkcs12(wrapped, "") == generated.facts


@pytest.mark.parametrize(
    ("value", "password", "fragment"),
    [
        ("", "", "empty"),
        ("abc", "", "base-64"),
        ("YWJj*", "", "base-64"),
        (base64.b64encode(b"\x30\x03\x02\x01\x00").decode(), "", "PKCS 12"),
    ],
)
def test_unreadable_blobs_are_refused(value: str, password: str, fragment: str) -> None:
    with pytest.raises(InvalidRequestBody) as caught:
        read_pkcs12(value, password)
    assert fragment in caught.value.message
    assert caught.value.status == 400


def test_blob_without_key_is_refused() -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12

    generated = make_pkcs12()
    only_cert = pkcs12.serialize_key_and_certificates(
        None, None, None, [generated.certificate], serialization.NoEncryption()
    )
    with pytest.raises(InvalidRequestBody):
        read_pkcs12(base64.b64encode(only_cert).decode(), "")


def test_secrets_never_appear_in_error_messages() -> None:
    generated = make_pkcs12(password="hunter2-secret")
    with pytest.raises(InvalidRequestBody) as caught:
        read_pkcs12(generated.base64, "wrong-guess-secret")
    assert "hunter2" not in caught.value.message
    assert "wrong-guess" not in caught.value.message
    assert generated.base64[:20] not in caught.value.message


def facts(start_days: int, end_days: int) -> CertificateFacts:
    base = NOW.timestamp()
    return CertificateFacts("A" * 40, int(base + start_days * 86400), int(base + end_days * 86400))


@pytest.mark.parametrize(
    ("certificates", "expected"),
    [
        ([], None),
        ([facts(-10, 10)], 0),
        ([facts(-10, 10), facts(-5, 20)], 1),  # most recently uploaded valid one wins
        ([facts(-10, 10), facts(5, 20)], 0),  # a newer one not yet valid stays inactive
        ([facts(-10, -1), facts(-5, 20)], 1),
        ([facts(-5, 20), facts(-10, -1)], 0),  # a newer but expired one is skipped
        ([facts(-10, -1)], None),  # only expired: nothing is active
        ([facts(1, 10)], None),  # only future: nothing is active
    ],
)
def test_active_index_rule(certificates: list[CertificateFacts], expected: int | None) -> None:
    assert active_index(certificates, NOW.timestamp()) == expected


def test_is_active_is_computed_at_read_time(
    client: FlaskClient, state: EmulatorState, create_connector: Callable[..., dict[str, Any]]
) -> None:
    state.clock = NOW.timestamp
    current = make_pkcs12(not_before=NOW - dt.timedelta(days=30), not_after=NOW + dt.timedelta(days=30))
    future = make_pkcs12(not_before=NOW + dt.timedelta(days=10), not_after=NOW + dt.timedelta(days=400))
    created = create_connector(authenticationConfiguration=pkcs12_auth(current))
    client.post(
        f"/beta/identity/apiConnectors/{created['id']}/uploadClientCertificate",
        json={"pkcs12Value": future.base64, "password": ""},
    )

    def active_flags() -> list[bool]:
        document = client.get(f"/beta/identity/apiConnectors/{created['id']}").get_json()
        return [entry["isActive"] for entry in document["authenticationConfiguration"]["certificateList"]]

    assert active_flags() == [True, False]
    state.clock = (NOW + dt.timedelta(days=11)).timestamp
    assert active_flags() == [False, True]
    state.clock = (NOW + dt.timedelta(days=500)).timestamp
    assert active_flags() == [False, False]


def test_upload_to_basic_connector_switches_to_certificates(
    client: FlaskClient, create_connector: Callable[..., dict[str, Any]]
) -> None:
    created = create_connector()
    generated = make_pkcs12()
    response = client.post(
        f"/beta/identity/apiConnectors/{created['id']}/microsoft.graph.uploadClientCertificate",
        json={"pkcs12Value": generated.base64, "password": ""},
    )
    assert response.status_code == 200
    configuration = response.get_json()["authenticationConfiguration"]
    assert configuration["@odata.type"] == "#microsoft.graph.clientCertificateAuthentication"
    assert [entry["thumbprint"] for entry in configuration["certificateList"]] == [generated.facts.thumbprint]


def test_patch_with_certificate_replaces_the_whole_list(
    client: FlaskClient, create_connector: Callable[..., dict[str, Any]]
) -> None:
    first, second, third = make_pkcs12(), make_pkcs12(), make_pkcs12()
    created = create_connector(authenticationConfiguration=pkcs12_auth(first))
    client.post(
        f"/beta/identity/apiConnectors/{created['id']}/uploadClientCertificate",
        json={"pkcs12Value": second.base64, "password": ""},
    )
    client.patch(
        f"/beta/identity/apiConnectors/{created['id']}",
        json={
            "authenticationConfiguration": {
                "@odata.type": "microsoft.graph.pkcs12Certificate",
                "pkcs12Value": third.base64,
                "password": "",
            }
        },
    )
    document = client.get(f"/beta/identity/apiConnectors/{created['id']}").get_json()
    thumbprints = [e["thumbprint"] for e in document["authenticationConfiguration"]["certificateList"]]
    assert thumbprints == [third.facts.thumbprint]


def test_client_identity_of_a_stored_blob_is_its_certificate_and_key() -> None:
    generated = make_pkcs12(password="pw")
    cert_pem, key_pem = load_client_identity(generated.base64, "pw")
    assert cert_pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert b"PRIVATE KEY" in key_pem


def test_make_pkcs12_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="key_type"):
        make_pkcs12(key_type="dsa")
    with pytest.raises(ValueError, match="later"):
        make_pkcs12(not_before=NOW, not_after=NOW - dt.timedelta(seconds=1))
