"""The identityApiConnector domain: validate bodies, build stored records, and render what Graph returns.

Stored records keep secrets (basic password, PKCS#12 blobs and their passwords); ``render`` is the
only way out to a response and never includes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockgraph.core.certificates import CertificateFacts, active_index, read_pkcs12
from mockgraph.core.contracts import Contracts, describe_error
from mockgraph.core.errors import InvalidRequestBody
from mockgraph.core.ids import new_object_id
from mockgraph.core.odata_types import (
    BASIC_AUTHENTICATION,
    CLIENT_CERTIFICATE_AUTHENTICATION,
    CONNECTOR,
    PKCS12_CERTIFICATE,
    canonical_type,
    check_authentication_type,
    check_type_annotation,
)
from mockgraph.storage.store import Record

COLLECTION = "apiConnectors"
MASKED_PASSWORD = "******"
CONNECTOR_TYPE_NAME = "microsoft.graph.identityApiConnector"


def validate(contracts: Contracts, contract: str, body: Any) -> dict[str, Any]:
    """Check a request body against its contract; raise Graph's 400 naming the first bad property."""
    if isinstance(body, dict):
        if "@odata.type" in body:
            check_type_annotation(body["@odata.type"], where="identityApiConnector", allowed=(CONNECTOR,))
        if "authenticationConfiguration" in body:
            check_authentication_type(body["authenticationConfiguration"])
    # A valid body (the common case) is checked once; best_match's search runs only for a bad one.
    error = None if contracts.is_valid(contract, body) else contracts.first_error(contract, body)
    if error is not None:
        path = ".".join(str(part) for part in error.absolute_path) or "(body)"
        raise InvalidRequestBody(
            describe_error(error, root_type=CONNECTOR_TYPE_NAME),
            reason=f"{contract}: {error.validator} at {path}",
        )
    assert isinstance(body, dict)  # the contract requires an object
    return body


def stored_authentication(configuration: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a validated input configuration (certificates parsed now, so errors come first)."""
    kind = canonical_type(configuration["@odata.type"])
    if kind == BASIC_AUTHENTICATION:
        return {
            "@odata.type": BASIC_AUTHENTICATION,
            "username": configuration["username"],
            "password": configuration["password"],
        }
    assert kind == PKCS12_CERTIFICATE
    return {
        "@odata.type": CLIENT_CERTIFICATE_AUTHENTICATION,
        "certificates": [stored_certificate(configuration["pkcs12Value"], configuration["password"])],
    }


def stored_certificate(pkcs12_value: str, password: str) -> dict[str, Any]:
    facts = read_pkcs12(pkcs12_value, password)
    return {
        "thumbprint": facts.thumbprint,
        "notBefore": facts.not_before,
        "notAfter": facts.not_after,
        "pkcs12Value": pkcs12_value,
        "password": password,
    }


def new_record(body: dict[str, Any]) -> Record:
    """A stored connector from a validated create body; a client-sent ``id`` is ignored."""
    return {
        "id": new_object_id(),
        "displayName": body["displayName"],
        "targetUrl": body["targetUrl"],
        "authenticationConfiguration": stored_authentication(body["authenticationConfiguration"]),
    }


def changes_from_patch(body: dict[str, Any]) -> dict[str, Any]:
    """The stored properties a validated PATCH replaces: omitted ones keep their values, and a
    configuration is replaced whole (certificates parsed here, before anything is written)."""
    changes: dict[str, Any] = {name: body[name] for name in ("displayName", "targetUrl") if name in body}
    if "authenticationConfiguration" in body:
        changes["authenticationConfiguration"] = stored_authentication(body["authenticationConfiguration"])
    return changes


def with_uploaded_certificate(record: Record, certificate: dict[str, Any]) -> Record:
    """Add a parsed certificate; a basic-auth connector switches to certificate authentication."""
    updated = dict(record)
    current = record["authenticationConfiguration"]
    previous = (
        current.get("certificates", []) if current["@odata.type"] == CLIENT_CERTIFICATE_AUTHENTICATION else []
    )
    updated["authenticationConfiguration"] = {
        "@odata.type": CLIENT_CERTIFICATE_AUTHENTICATION,
        "certificates": [*previous, certificate],
    }
    return updated


def certificate_facts(configuration: Mapping[str, Any]) -> list[CertificateFacts]:
    return [
        CertificateFacts(c["thumbprint"], int(c["notBefore"]), int(c["notAfter"]))
        for c in configuration.get("certificates", [])
    ]


def render_authentication(configuration: Mapping[str, Any], now: float) -> dict[str, Any]:
    """The public view of a stored configuration: password masked, certificates as public facts."""
    if configuration["@odata.type"] == BASIC_AUTHENTICATION:
        return {
            "@odata.type": BASIC_AUTHENTICATION,
            "username": configuration["username"],
            "password": MASKED_PASSWORD,
        }
    facts = certificate_facts(configuration)
    active = active_index(facts, now)
    return {
        "@odata.type": CLIENT_CERTIFICATE_AUTHENTICATION,
        "certificateList": [
            {
                "thumbprint": fact.thumbprint,
                "notAfter": fact.not_after,
                "notBefore": fact.not_before,
                "isActive": index == active,
            }
            for index, fact in enumerate(facts)
        ],
    }


def render(record: Mapping[str, Any], now: float, select: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A connector as Graph returns it; ``isActive`` is computed at ``now``, so time passing changes it."""
    full = {
        "id": record["id"],
        "displayName": record["displayName"],
        "targetUrl": record["targetUrl"],
        "authenticationConfiguration": render_authentication(record["authenticationConfiguration"], now),
    }
    if select is None:
        return full
    return {name: full[name] for name in select}


def active_certificate(record: Record, now: float) -> dict[str, Any] | None:
    """The stored certificate (with its blob) that a call to the connector would use at ``now``."""
    configuration = record["authenticationConfiguration"]
    if configuration["@odata.type"] != CLIENT_CERTIFICATE_AUTHENTICATION:
        return None
    index = active_index(certificate_facts(configuration), now)
    return None if index is None else dict(configuration["certificates"][index])
