"""Reading a callout simulation from JSON (the admin API's body, the CLI's arguments) into typed objects.

Names are camelCase, Graph's where Graph has one (``targetUrl``, ``timeoutInMilliseconds``...). A target is
either given directly or as Graph's ``extension`` (and ``listener``) records, read by ``from_records``.
Unknown names and wrong types are refused with Graph's 400 envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockgraph.callouts.caller import CalloutSettings, RetryPolicy
from mockgraph.callouts.events import Event
from mockgraph.callouts.flow import EventsFlow, Journey
from mockgraph.callouts.judge import ResponseRules
from mockgraph.callouts.payloads import BodyOptions, ServicePrincipal, Session
from mockgraph.callouts.target import ExtensionTarget, PasswordEncryption, from_records
from mockgraph.callouts.tokens import TokenFlaw
from mockgraph.core.errors import InvalidRequestBody
from mockgraph.signup.model import Identity

# JSON name -> (field name, accepted types)
_TARGET = {
    "event": ("event", str),
    "targetUrl": ("target_url", str),
    "resourceId": ("resource_id", str),
    "apiAppId": ("api_app_id", str),
    "accessTokenAcceptedVersion": ("access_token_version", (int, type(None))),
    "timeoutInMilliseconds": ("timeout_ms", int),
    "maximumRetries": ("maximum_retries", int),
    "tenantId": ("tenant_id", str),
    "tenantKind": ("tenant_kind", str),
    "tenantDomain": ("tenant_domain", str),
    "issuerHost": ("issuer_host", str),
    "listenerId": ("listener_id", str),
    "extensionId": ("extension_id", str),
    "displayName": ("display_name", str),
    "fallbackToMicrosoftOnError": ("fallback_to_microsoft_on_error", bool),
    "claimsForToken": ("claims_for_token", list),
}
_ENCRYPTION = {
    "passwordEncryptionKey",
    "passwordEncryptionAlgorithm",
    "passwordEncryptionMethod",
    "passwordKeyId",
}
_SESSION = {
    "user": ("user", dict),
    "attributes": ("attributes", dict),
    "identifier": ("identifier", str),
    "oneTimeCode": ("one_time_code", str),
    "password": ("password", str),
    "ip": ("ip", str),
    "locale": ("locale", str),
    "market": ("market", str),
    "protocol": ("protocol", str),
    "requestType": ("request_type", str),
    "correlationId": ("correlation_id", str),
}
_RULES = {
    "caseInsensitive": ("case_insensitive", bool),
    "allowHash": ("allow_hash", bool),
    "maxActions": ("max_actions", int),
    "claimsLimitBytes": ("claims_limit_bytes", int),
    "responseLimitBytes": ("response_limit_bytes", int),
    "strictClaimValues": ("strict_claim_values", bool),
    "requireNonce": ("require_nonce", bool),
}
_RETRY = {
    "retryOnTimeout": ("on_timeout", bool),
    "retryOnConnectionError": ("on_connection_error", bool),
    "retryStatuses": ("statuses", list),
    "retryDelaySeconds": ("delay_seconds", (int, float)),
}
_CALL = {"requireHttps": ("require_https", bool), "checkResourceId": ("check_resource_id", bool)}
_FLOW = {
    "tenantId": ("tenant_id", str),
    "tenantKind": ("tenant_kind", str),
    "tenantDomain": ("tenant_domain", str),
    "issuerHost": ("issuer_host", str),
    "signUpAllowed": ("sign_up_allowed", bool),
    "claimsMapping": ("claims_mapping", dict),
}
_JOURNEY = {
    "signUp": ("sign_up", bool),
    "email": ("email", str),
    "defaults": ("defaults", dict),
    "entered": ("entered", dict),
    "user": ("user", dict),
    "password": ("password", str),
    "migrate": ("migrate", bool),
    "emailOtp": ("email_otp", bool),
    "oneTimeCode": ("one_time_code", str),
}


def bad(message: str) -> InvalidRequestBody:
    return InvalidRequestBody(message, reason=f"callout simulation: {message}")


def _object(document: Any, where: str) -> Mapping[str, Any]:
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise bad(f"'{where}' must be an object.")
    return document


def _fields(document: Mapping[str, Any], spec: Mapping[str, tuple[str, Any]], where: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, (field_name, kind) in spec.items():
        if name not in document:
            continue
        value = document[name]
        if isinstance(value, bool) and kind in (int, (int, float)):
            raise bad(f"'{where}.{name}' has the wrong type.")
        if not isinstance(value, kind):
            raise bad(f"'{where}.{name}' has the wrong type.")
        values[field_name] = tuple(value) if isinstance(value, list) else value
    return values


def _known(document: Mapping[str, Any], names: set[str], where: str) -> None:
    unknown = sorted(set(document) - names)
    if unknown:
        raise bad(f"Unknown property '{where}.{unknown[0]}'.")


def _principal(document: Any, where: str) -> ServicePrincipal | None:
    if document is None:
        return None
    found = _object(document, where)
    _known(found, {"appId", "displayName", "id"}, where)
    if not isinstance(found.get("appId"), str):
        raise bad(f"'{where}.appId' is required.")
    return ServicePrincipal(found["appId"], str(found.get("displayName", found["appId"])), found.get("id"))


def read_target(document: Any, where: str = "target") -> ExtensionTarget:
    """A target from its fields, or from ``extension`` (+ ``listener``) records with fields as options."""
    found = _object(document, where)
    _known(found, set(_TARGET) | _ENCRYPTION | {"extension", "listener"}, where)
    values = _fields(found, _TARGET, where)
    key = found.get("passwordEncryptionKey")
    try:
        if key is not None:
            values["password_encryption"] = PasswordEncryption.of(
                key,
                algorithm=found.get("passwordEncryptionAlgorithm", "RSA-OAEP-256"),
                encryption=found.get("passwordEncryptionMethod", "A256GCM"),
                key_id=found.get("passwordKeyId"),
            )
        if "extension" in found:
            for name in ("event", "target_url", "resource_id"):
                values.pop(name, None)
            listener = found.get("listener")
            return from_records(
                _object(found["extension"], "extension"), _object(listener, "listener"), **values
            )
        for name in ("event", "targetUrl", "resourceId"):
            if name not in found:
                raise bad(f"'{where}.{name}' is required (or give 'extension').")
        return ExtensionTarget(**values)
    except (ValueError, TypeError) as error:
        raise bad(f"'{where}': {error}") from None


def read_session(document: Any) -> Session:
    found = _object(document, "session")
    _known(found, set(_SESSION) | {"client", "resource", "identities"}, "session")
    values = _fields(found, _SESSION, "session")
    client = _principal(found.get("client"), "session.client")
    if client is not None:
        values["client"] = client
    values["resource"] = _principal(found.get("resource"), "session.resource")
    identities = found.get("identities", [])
    if not isinstance(identities, list) or not all(
        isinstance(i, Mapping)
        and isinstance(i.get("issuer"), str)
        and isinstance(i.get("issuerAssignedId"), str)
        for i in identities
    ):
        raise bad("'session.identities' must be a list of objects with 'issuer' and 'issuerAssignedId'.")
    values["identities"] = tuple(
        Identity(i["issuer"], i["issuerAssignedId"], str(i.get("signInType", "federated")))
        for i in identities
    )
    return Session(**values)


def read_settings(document: Any) -> tuple[CalloutSettings, bool]:
    """The call settings, and whether to verify the endpoint's TLS certificate (``verifyTls``)."""
    found = _object(document, "settings")
    names = set(_RULES) | set(_RETRY) | set(_CALL) | {"tokenFlaw", "submitSendsIdentities", "verifyTls"}
    _known(found, names, "settings")
    retry = _fields(found, _RETRY, "settings")
    if "statuses" in retry:
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in retry["statuses"]):
            raise bad("'settings.retryStatuses' must be a list of HTTP statuses.")
        retry["statuses"] = frozenset(retry["statuses"])
    verify = found.get("verifyTls", True)
    flaw = found.get("tokenFlaw")
    sends = found.get("submitSendsIdentities", True)
    if not isinstance(verify, bool) or not isinstance(sends, bool):
        raise bad("'settings.verifyTls' and 'settings.submitSendsIdentities' must be booleans.")
    try:
        settings = CalloutSettings(
            retry=RetryPolicy(**retry),
            rules=ResponseRules(**_fields(found, _RULES, "settings")),
            body=BodyOptions(submit_sends_identities=sends),
            token_flaw=None if flaw is None else TokenFlaw(flaw),
            **_fields(found, _CALL, "settings"),
        )
    except ValueError as error:
        raise bad(f"'settings': {error}") from None
    return settings, verify


def read_flow(document: Any) -> EventsFlow:
    found = _object(document, "flow")
    _known(found, set(_FLOW) | {"extensions", "client"}, "flow")
    listed = found.get("extensions", [])
    if not isinstance(listed, list):
        raise bad("'flow.extensions' must be a list of targets.")
    extensions: dict[Event, ExtensionTarget] = {}
    for index, item in enumerate(listed):
        target = read_target(item, f"flow.extensions[{index}]")
        extensions[target.event] = target
    values = _fields(found, _FLOW, "flow")
    client = _principal(found.get("client"), "flow.client")
    if client is not None:
        values["client"] = client
    try:
        return EventsFlow(extensions, **values)
    except ValueError as error:
        raise bad(f"'flow': {error}") from None


def read_journey(document: Any) -> Journey:
    found = _object(document, "journey")
    _known(found, set(_JOURNEY), "journey")
    return Journey(**_fields(found, _JOURNEY, "journey"))


@dataclass(frozen=True)
class CalloutRequest:
    """One call (``target`` and ``session``) or one walk (``flow`` and ``journey``), with the settings."""

    settings: CalloutSettings
    verify_tls: bool
    target: ExtensionTarget | None = None
    session: Session | None = None
    flow: EventsFlow | None = None
    journey: Journey | None = None


def read_request(document: Any) -> CalloutRequest:
    """The admin API's body: ``{target, session?, settings?}`` or ``{flow, journey?, settings?}``."""
    found = _object(document, "body")
    _known(found, {"target", "session", "flow", "journey", "settings"}, "body")
    settings, verify = read_settings(found.get("settings"))
    if ("target" in found) == ("flow" in found):
        raise bad("Give either 'target' (one call) or 'flow' (a whole sign-up or sign-in).")
    if "target" in found:
        return CalloutRequest(
            settings, verify, read_target(found["target"]), read_session(found.get("session"))
        )
    return CalloutRequest(
        settings, verify, flow=read_flow(found["flow"]), journey=read_journey(found.get("journey"))
    )
