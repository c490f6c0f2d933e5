"""The user-flow domain (b2xIdentityUserFlow, b2cIdentityUserFlow): records, references to connectors, rendering.

Pure: no Flask. Stored records keep only connector ids per step; rendering the connectors themselves is the
connector domain's job (``mockgraph.resources.connectors.model.render``), so secrets stay masked in one place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mockgraph.core.contracts import Contracts, describe_error
from mockgraph.core.errors import GraphError, InvalidRequest, InvalidRequestBody
from mockgraph.storage.store import Record

POST_FEDERATION_SIGNUP = "postFederationSignup"
POST_ATTRIBUTE_COLLECTION = "postAttributeCollection"
PRE_TOKEN_ISSUANCE = "preTokenIssuance"
ALL_STEPS = (POST_FEDERATION_SIGNUP, POST_ATTRIBUTE_COLLECTION, PRE_TOKEN_ISSUANCE)
V1_STEPS = (POST_FEDERATION_SIGNUP, POST_ATTRIBUTE_COLLECTION)
CONFIGURATION_TYPE = "microsoft.graph.userFlowApiConnectorConfiguration"
USER_FLOW_TYPES = ("signUp", "signIn", "signUpOrSignIn", "passwordReset", "profileUpdate", "resourceOwner")
# Which B2C flow types run which steps (reference section 0: sign-up steps only on sign-up flows; the token
# step also on sign-in flows).
_B2C_STEP_FLOW_TYPES: Mapping[str, frozenset[str]] = {
    POST_FEDERATION_SIGNUP: frozenset({"signUp", "signUpOrSignIn"}),
    POST_ATTRIBUTE_COLLECTION: frozenset({"signUp", "signUpOrSignIn"}),
    PRE_TOKEN_ISSUANCE: frozenset({"signUp", "signUpOrSignIn", "signIn"}),
}
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_REFERENCE_PATH = re.compile(r"^/(?:beta|v1\.0|v1)/(?:identity/)?apiconnectors/([^/]+)/?$", re.IGNORECASE)


@dataclass(frozen=True)
class FlowKind:
    """One of the two user-flow collections under ``/identity``."""

    segment: str  # as Graph spells the navigation property, also the store collection
    prefix: str
    type_name: str
    steps: tuple[str, ...]
    create_contract: str
    product: str  # which identity product runs these flows: "entra" or "b2c"

    @property
    def collection(self) -> str:
        return self.segment


B2X = FlowKind(
    "b2xUserFlows",
    "B2X_1_",
    "microsoft.graph.b2xIdentityUserFlow",
    (POST_FEDERATION_SIGNUP, POST_ATTRIBUTE_COLLECTION),
    "b2xIdentityUserFlowCreate",
    "entra",
)
B2C = FlowKind(
    "b2cUserFlows",
    "B2C_1_",
    "microsoft.graph.b2cIdentityUserFlow",
    ALL_STEPS,
    "b2cIdentityUserFlowCreate",
    "b2c",
)
KINDS = {B2X.segment.lower(): B2X, B2C.segment.lower(): B2C}


class UserFlowRequestError(InvalidRequest):
    """Raise if a user-flow request is refused by the B2C service behind Graph (its errors say ``AADB2C``)."""

    default_code = "AADB2C"


class UserFlowConflict(GraphError):
    """Raise if a user flow with the same name already exists in the tenant."""

    status = 409
    default_code = "AADB2C"


def canonical_step(name: str) -> str | None:
    """The step's spelling in Graph for a case-insensitive ``name``; None if it names no step."""
    return next((step for step in ALL_STEPS if step.lower() == name.lower()), None)


def check_step_allowed(kind: FlowKind, step: str, flow_type: str) -> None:
    """Refuse a step the product or this flow type does not run (choice documented in docs/fidelity.md)."""
    if step not in kind.steps:
        raise UserFlowRequestError(
            f"The API connector step '{step}' is not available for self-service sign-up user flows.",
            reason=f"{step} is B2C-only",
        )
    if kind is B2C and flow_type not in _B2C_STEP_FLOW_TYPES[step]:
        raise UserFlowRequestError(
            f"The API connector step '{step}' is not available for user flows of type '{flow_type}'.",
            reason=f"{step} does not run in {flow_type} flows",
        )


def validate(
    contracts: Contracts,
    contract: str,
    body: dict[str, Any],
    type_name: str,
    *,
    creating: bool,
    kind: FlowKind | None = None,
) -> None:
    """Check a body against its contract; errors the B2C service was observed to give come first (section 5.6).

    With ``kind`` (a create body), the service's own rules (the name, the type and version, the steps the
    type runs) are checked before the contract too: the contracts state the same rules, so that the served
    OpenAPI describes only bodies the emulator accepts, but the service's refusals keep their AADB2C codes.
    """
    if creating and body.get("id") in ("", None):
        raise UserFlowRequestError(
            "The value must not be null or empty. Parameter name: Id", reason="missing or empty user-flow id"
        )
    flow_type = body.get("userFlowType")
    if isinstance(flow_type, str) and flow_type not in USER_FLOW_TYPES:
        raise InvalidRequest(
            "The 'identityUserFlow' field is invalid in request", reason="unknown userFlowType"
        )
    if kind is not None:
        check_service_rules(kind, body)
    error = contracts.first_error(contract, body)
    if error is not None:
        path = ".".join(str(part) for part in error.absolute_path) or "(body)"
        raise InvalidRequestBody(
            describe_error(error, root_type=type_name), reason=f"{contract}: {error.validator} at {path}"
        )


def check_service_rules(kind: FlowKind, body: dict[str, Any]) -> None:
    """The B2C service's refusals of a create body, for the parts of it that have the expected JSON types."""
    name = body.get("id")
    if isinstance(name, str):
        check_name(name)
    flow_type, version = body.get("userFlowType"), body.get("userFlowTypeVersion")
    if flow_type not in USER_FLOW_TYPES:
        return
    if isinstance(version, int | float) and not isinstance(version, bool):
        check_type_version(kind, flow_type, _as_float(version))
    configuration = body.get("apiConnectorConfiguration")
    for step in configuration if isinstance(configuration, dict) else ():
        canonical = canonical_step(str(step))
        if canonical is not None:
            check_step_allowed(kind, canonical, flow_type)


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise UserFlowRequestError(
            "The user flow name may contain only letters, digits, '-' and '_' (at most 128 characters).",
            reason="user-flow name has other characters",
        )


def _as_float(version: float) -> float:
    try:
        return float(version)
    except OverflowError:  # a JSON integer beyond float range: no version the service knows, like 1e400 (inf)
        return math.inf


def check_type_version(kind: FlowKind, flow_type: str, version: float) -> None:
    """The type/version combinations the service accepts (observed refusals; reference section 5.6)."""
    if kind is B2X:
        if flow_type != "signUpOrSignIn" or version != 1:
            raise UserFlowRequestError(
                "Self-service sign-up user flows must have userFlowType 'signUpOrSignIn' and userFlowTypeVersion 1.",
                reason="b2x flows are signUpOrSignIn version 1 only",
            )
        return
    if version not in (1, 3) or (flow_type == "resourceOwner" and version == 1):
        raise UserFlowRequestError(
            "There is a problem with the service.",
            code="AADB2C90063",
            reason=f"unsupported {flow_type} version {version:g}",
        )


def connector_id_from_reference(reference: Any) -> str | None:
    """The connector id a reference names; None for ``{}`` (detach).

    Accepted shapes (reference section 5.2): ``{"@odata.id": "<id>"}``, ``{"@odata.id": "https://graph.microsoft.com
    /beta|v1.0|v1/identity/apiConnectors/<id>"}`` (any host, so SDKs pointed at the emulator work) and ``{"id": "<id>"}``.
    """
    if not isinstance(reference, dict):
        raise InvalidRequestBody(
            "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader. "
            "A 'StartObject' node was expected.",
            reason="reference is not an object",
        )
    unknown = sorted(set(reference) - {"@odata.id", "@odata.type", "@odata.context", "id"})
    if unknown:
        raise InvalidRequestBody(
            f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.identityApiConnector'. Make sure "
            "to only use property names that are defined by the type or mark the type as open type.",
            reason=f"unknown reference member {unknown[0]!r}",
        )
    value = reference.get("@odata.id", reference.get("id"))
    if value is None and "@odata.id" not in reference and "id" not in reference:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestBody(
            "The value of '@odata.id' must be the id or URL of an identityApiConnector.",
            reason="reference value is not a non-empty string",
        )
    text = value.strip()
    if "/" not in text:
        return text
    path = urlsplit(text).path if "://" in text else "/" + text.lstrip("/")
    match = _REFERENCE_PATH.match(path)
    if match is None:
        raise InvalidRequestBody(
            f"The reference '{text}' does not identify an identityApiConnector.",
            reason="reference URL is not .../identity/apiConnectors/{id}",
        )
    return match.group(1)


def unknown_connector(connector_id: str) -> UserFlowRequestError:
    # Undocumented (reference section 6, item 11); the B2C service answers 400 AADB2C for its own refusals.
    return UserFlowRequestError(
        f"The API connector '{connector_id}' does not exist in this tenant.",
        reason="referenced connector not found in the caller's tenant",
    )


def new_record(
    kind: FlowKind, body: dict[str, Any], connector_exists: Callable[[str], bool]
) -> tuple[Record, bool]:
    """A stored flow from a validated create body, and whether the body configured connectors."""
    name = body["id"]
    check_name(name)
    version = _as_float(body["userFlowTypeVersion"])
    check_type_version(kind, body["userFlowType"], version)
    record: Record = {
        "id": kind.prefix + name,
        "userFlowType": body["userFlowType"],
        "userFlowTypeVersion": version,
    }
    if kind is B2C:
        record["isLanguageCustomizationEnabled"] = bool(body.get("isLanguageCustomizationEnabled", False))
        # Docs' examples: a new version-3 flow reports "en", version-1 flows null (reference section 5.3).
        record["defaultLanguageTag"] = body.get("defaultLanguageTag", "en" if version >= 3 else None)
    steps: dict[str, str | None] = dict.fromkeys(kind.steps)
    configuration = body.get("apiConnectorConfiguration")
    for step, reference in (configuration or {}).items():
        canonical = canonical_step(step)
        assert canonical is not None  # the contract lists the steps
        check_step_allowed(kind, canonical, record["userFlowType"])
        connector_id = connector_id_from_reference(reference)
        if connector_id is not None and not connector_exists(connector_id):
            raise unknown_connector(connector_id)
        steps[canonical] = connector_id
    record["apiConnectorConfiguration"] = steps
    return record, configuration is not None


def patch_changes(body: dict[str, Any]) -> dict[str, Any]:
    """What a validated b2c PATCH replaces (only the two documented updatable properties)."""
    return {
        name: body[name] for name in ("isLanguageCustomizationEnabled", "defaultLanguageTag") if name in body
    }


def render(kind: FlowKind, record: Record) -> dict[str, Any]:
    """A flow as Graph returns it; ``userFlowTypeVersion`` is written as an integer when whole (docs' examples)."""
    version = record["userFlowTypeVersion"]
    document: dict[str, Any] = {
        "id": record["id"],
        "userFlowType": record["userFlowType"],
        "userFlowTypeVersion": int(version) if float(version).is_integer() else version,
    }
    if kind is B2C:
        document["isLanguageCustomizationEnabled"] = record["isLanguageCustomizationEnabled"]
        document["defaultLanguageTag"] = record["defaultLanguageTag"]
    return document


def step_connectors(record: Record) -> dict[str, str | None]:
    """The connector id configured for each step of a stored flow (None when the step is empty)."""
    configured: dict[str, str | None] = dict(record.get("apiConnectorConfiguration", {}))
    return configured
