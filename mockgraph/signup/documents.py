"""Reading a simulation request (the admin API's body, the CLI's files) into the simulator's objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockgraph.core.errors import InvalidRequestBody
from mockgraph.signup.model import DEFAULT_TIMEOUT_SECONDS, FlowSettings, SignUpUser, Step

_SETTINGS_FIELDS = {
    "extensionsAppId": "extensions_app_id",
    "collected": "collected",
    "applicationClaims": "application_claims",
    "timeoutSeconds": "timeout_seconds",
    "retries": "retries",
    "entraSendsStepAndClientId": "entra_sends_step_and_client_id",
    "tokenStepName": "token_step_name",
    "tokenClientIdKey": "token_client_id_key",
    "acceptedVersions": "accepted_versions",
}


@dataclass(frozen=True)
class SimulationRequest:
    """What to simulate: a flow, one step (or None for the whole sign-up), the user, and the settings."""

    user_flow_id: str
    step: Step | None
    user: SignUpUser
    settings: FlowSettings
    tenant_id: str | None = None
    verify_tls: bool = True


def _bad(message: str) -> InvalidRequestBody:
    return InvalidRequestBody(message, reason=f"simulation request: {message}")


def read_settings(document: Any) -> FlowSettings:
    """Settings from camelCase JSON; unknown names and wrong types are refused."""
    if document is None:
        return FlowSettings()
    if not isinstance(document, Mapping):
        raise _bad("'settings' must be an object.")
    unknown = sorted(set(document) - set(_SETTINGS_FIELDS) - {"verifyTls"})
    if unknown:
        raise _bad(f"Unknown setting '{unknown[0]}'.")
    values: dict[str, Any] = {}
    for name, field_name in _SETTINGS_FIELDS.items():
        if name not in document:
            continue
        value = document[name]
        if name in ("collected", "applicationClaims", "acceptedVersions"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _bad(f"'{name}' must be a list of strings.")
            value = frozenset(value) if name == "acceptedVersions" else tuple(value)
        elif name == "timeoutSeconds":
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 600:
                raise _bad("'timeoutSeconds' must be a number of seconds between 0 and 600.")
            value = float(value)
        elif name == "retries":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
                raise _bad("'retries' must be an integer between 0 and 5.")
        elif name == "entraSendsStepAndClientId":
            if not isinstance(value, bool):
                raise _bad(f"'{name}' must be a boolean.")
        elif not isinstance(value, str) or not value:
            raise _bad(f"'{name}' must be a non-empty string.")
        values[field_name] = value
    values.setdefault("timeout_seconds", DEFAULT_TIMEOUT_SECONDS)
    return FlowSettings(**values)


def read_user(document: Any) -> SignUpUser:
    if not isinstance(document, Mapping):
        raise _bad("'user' must be an object.")
    for name in ("provided", "entered"):
        if not isinstance(document.get(name, {}), Mapping):
            raise _bad(f"'user.{name}' must be an object.")
    identities = document.get("identities", [])
    if not isinstance(identities, list) or not all(
        isinstance(i, Mapping)
        and isinstance(i.get("issuer"), str)
        and isinstance(i.get("issuerAssignedId"), str)
        for i in identities
    ):
        raise _bad("'user.identities' must be a list of objects with 'issuer' and 'issuerAssignedId'.")
    for name in ("email", "uiLocales", "clientId", "objectId"):
        if document.get(name) is not None and not isinstance(document[name], str):
            raise _bad(f"'user.{name}' must be a string.")
    return SignUpUser.from_json(document)


def read_simulation(document: Any) -> SimulationRequest:
    """The admin API's body: ``userFlowId``, optional ``step`` (absent: the whole sign-up), ``user``, ``settings``,
    ``tenantId``."""
    if not isinstance(document, Mapping):
        raise _bad("The body must be an object.")
    flow_id = document.get("userFlowId")
    if not isinstance(flow_id, str) or not flow_id:
        raise _bad("'userFlowId' is required.")
    step = None
    if document.get("step") is not None:
        try:
            step = Step.parse(str(document["step"]))
        except ValueError as error:
            raise _bad(str(error)) from None
    tenant = document.get("tenantId")
    if tenant is not None and not isinstance(tenant, str):
        raise _bad("'tenantId' must be a string.")
    settings_document = document.get("settings") or {}
    verify = settings_document.get("verifyTls", True) if isinstance(settings_document, Mapping) else True
    if not isinstance(verify, bool):
        raise _bad("'verifyTls' must be a boolean.")
    return SimulationRequest(
        flow_id,
        step,
        read_user(document.get("user", {})),
        read_settings(document.get("settings")),
        tenant,
        verify,
    )
