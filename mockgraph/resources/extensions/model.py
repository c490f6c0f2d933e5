"""The customAuthenticationExtension domain: its six subtypes, request bodies, stored records, rendering, and the
checks of ``validateAuthenticationConfiguration`` computed from the emulator's directory.

Pure: no Flask. A stored record is the extension exactly as Graph renders it (``@odata.type`` first, every
property present, unset ones ``null``); private fields, if any are ever needed, start with ``_`` and are never
rendered. Other resources (listeners, flows) read these records from ``COLLECTION`` by tenant and id.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Protocol
from urllib.parse import urlsplit

from mockgraph.core.config import RECEIVE_PAYLOAD, RECEIVE_PAYLOAD_ROLE_ID, AppRegistration, ServicePrincipal
from mockgraph.core.contracts import Contracts, describe_error
from mockgraph.core.errors import InvalidRequest, InvalidRequestBody
from mockgraph.core.odata_types import bare
from mockgraph.core.operations import Body
from mockgraph.core.typed_bodies import typed_body
from mockgraph.identity.directory import principal_of
from mockgraph.storage.store import Record

COLLECTION = "customAuthenticationExtensions"
ENTITY_TYPE = "microsoft.graph.customAuthenticationExtension"
TOKEN_ISSUANCE_START = "#microsoft.graph.onTokenIssuanceStartCustomExtension"
ATTRIBUTE_COLLECTION_START = "#microsoft.graph.onAttributeCollectionStartCustomExtension"
ATTRIBUTE_COLLECTION_SUBMIT = "#microsoft.graph.onAttributeCollectionSubmitCustomExtension"
OTP_SEND = "#microsoft.graph.onOtpSendCustomExtension"
PASSWORD_SUBMIT = "#microsoft.graph.onPasswordSubmitCustomExtension"
VERIFIED_ID_CLAIM_VALIDATION = "#microsoft.graph.onVerifiedIdClaimValidationCustomExtension"
# The concrete subtypes (reference section 5.2), in the order of Graph's discriminator mapping.
SUBTYPES = (
    TOKEN_ISSUANCE_START,
    ATTRIBUTE_COLLECTION_START,
    ATTRIBUTE_COLLECTION_SUBMIT,
    OTP_SEND,
    PASSWORD_SUBMIT,
    VERIFIED_ID_CLAIM_VALIDATION,
)
ABSTRACT_TYPES = (
    "#microsoft.graph.customAuthenticationExtension",
    "#microsoft.graph.customCalloutExtension",
    "#microsoft.graph.entity",
)
AZURE_AD_TOKEN_AUTHENTICATION = "#microsoft.graph.azureAdTokenAuthentication"
AZURE_AD_POP_TOKEN_AUTHENTICATION = "#microsoft.graph.azureAdPopTokenAuthentication"
HTTP_REQUEST_ENDPOINT = "#microsoft.graph.httpRequestEndpoint"
FALLBACK_TO_MICROSOFT_PROVIDER = "#microsoft.graph.fallbackToMicrosoftProviderOnError"
BEHAVIOR_ON_ERROR = "#microsoft.graph.customExtensionBehaviorOnError"
VALIDATION_TYPE = "microsoft.graph.authenticationConfigurationValidation"
# Every type name a body may spell in another case (reference section 12, question 8: the docs and Microsoft's
# samples write ``OnOtpSendCustomExtension``; the SDK compares names with casefold()).
KNOWN_TYPES = (
    *SUBTYPES,
    *ABSTRACT_TYPES,
    AZURE_AD_TOKEN_AUTHENTICATION,
    AZURE_AD_POP_TOKEN_AUTHENTICATION,
    "#microsoft.graph.customExtensionAuthenticationConfiguration",
    HTTP_REQUEST_ENDPOINT,
    "#microsoft.graph.customExtensionEndpointConfiguration",
    "#microsoft.graph.logicAppTriggerEndpointConfiguration",
    FALLBACK_TO_MICROSOFT_PROVIDER,
    BEHAVIOR_ON_ERROR,
    "#microsoft.graph.customExtensionClientConfiguration",
    "#microsoft.graph.onTokenIssuanceStartReturnClaim",
)
_BY_FOLDED_NAME = {bare(name).casefold(): name for name in KNOWN_TYPES}
TYPED_PROPERTIES = (
    "authenticationConfiguration",
    "endpointConfiguration",
    "behaviorOnError",
    "clientConfiguration",
)
# The properties of every subtype, in the order Graph's documented answers list them.
PROPERTIES = (
    "id",
    "displayName",
    "description",
    "clientConfiguration",
    "behaviorOnError",
    "authenticationConfiguration",
    "endpointConfiguration",
)
CLAIMS = "claimsForTokenConfiguration"
ALL_PROPERTIES = (*PROPERTIES, CLAIMS)
_API_URI = re.compile(
    r"api://(?P<host>[^/?#\s]+)/(?P<app>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/?",
    re.IGNORECASE,
)
_GUID = re.compile(
    r"(?:api://)?(?P<app>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/?", re.I
)


class ExtensionLimitReached(InvalidRequest):
    """Raise if creating an extension would exceed the tenant's limit (undocumented error: a choice, like the
    connector limit's 400 ``QuotaExceeded``)."""

    default_code = "QuotaExceeded"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The maximum number of custom authentication extensions ({limit}) for this tenant has been reached.",
            reason=f"tenant already holds {limit} custom authentication extensions",
        )


class SubtypeChange(InvalidRequest):
    """Raise if a PATCH names another subtype than the stored extension's (undocumented: refused, as OData does)."""

    def __init__(self, stored: str, sent: str) -> None:
        super().__init__(
            f"The type of an existing customAuthenticationExtension cannot be changed: it is a '{bare(stored)}' "
            f"and the request body names '{bare(sent)}'. Send its own @odata.type, or delete it and create a "
            f"'{bare(sent)}'.",
            reason=f"PATCH would change the subtype from {bare(stored)} to {bare(sent)}",
        )


# --- request bodies -------------------------------------------------------------------------------------------


def spelled(value: Any) -> Any:
    """A known type name in its canonical spelling (``#`` and Graph's case); anything else unchanged."""
    if not isinstance(value, str):
        return value
    return _BY_FOLDED_NAME.get(value.strip().lstrip("#").casefold(), value)


def normalized(document: Any) -> Any:
    """The body with every ``@odata.type`` it carries (top level and the typed properties) spelled canonically,
    so the contracts (which spell names exactly) judge ``#microsoft.graph.OnOtpSendCustomExtension`` as Graph
    does. Nothing else changes; a non-object is returned as it is for the contract to refuse."""
    if not isinstance(document, dict):
        return document
    body = dict(document)
    if "@odata.type" in body:
        body["@odata.type"] = spelled(body["@odata.type"])
    for name in TYPED_PROPERTIES:
        value = body.get(name)
        if isinstance(value, dict) and "@odata.type" in value:
            body[name] = {**value, "@odata.type": spelled(value["@odata.type"])}
    claims = body.get(CLAIMS)
    if isinstance(claims, list):
        body[CLAIMS] = [
            {**item, "@odata.type": spelled(item["@odata.type"])}
            if isinstance(item, dict) and "@odata.type" in item
            else item
            for item in claims
        ]
    return body


def _typed_rule(contract: str) -> Body:
    rule = typed_body(
        contract, dict.fromkeys(SUBTYPES, contract), entity_type=ENTITY_TYPE, abstract=ABSTRACT_TYPES
    )
    inner = rule.check

    def check(contracts: Contracts, document: Any) -> dict[str, Any]:
        return inner(contracts, normalized(document))

    return replace(rule, check=check, normalize=normalized)


CREATE_BODY = _typed_rule("customAuthenticationExtensionCreate")
UPDATE_BODY = _typed_rule("customAuthenticationExtensionUpdate")
VALIDATION_CONTRACT = "validateAuthenticationConfiguration"


def check_validation_body(contracts: Contracts, document: Any) -> dict[str, Any]:
    """The collection-bound action's body: its two parameters, each a typed configuration."""
    if not isinstance(document, dict):
        raise InvalidRequestBody(
            "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader. "
            "A 'StartObject' node was expected.",
            reason="body is not a JSON object",
        )
    body = normalized(document)
    unknown = sorted(set(body) - {"endpointConfiguration", "authenticationConfiguration"})
    if unknown:
        raise InvalidRequestBody(
            f"The parameter '{unknown[0]}' in the request payload is not a valid parameter for the operation "
            "'validateAuthenticationConfiguration'.",
            reason=f"unknown action parameter {unknown[0]!r}",
        )
    error = contracts.first_error(VALIDATION_CONTRACT, body)
    if error is not None:
        path = ".".join(str(part) for part in error.absolute_path) or "(body)"
        raise InvalidRequestBody(
            describe_error(error, root_type=ENTITY_TYPE),
            reason=f"{VALIDATION_CONTRACT}: {error.validator} at {path}",
        )
    checked: dict[str, Any] = body
    return checked


VALIDATION_BODY = Body(VALIDATION_CONTRACT, check_validation_body, ENTITY_TYPE, normalize=normalized)


# --- records ----------------------------------------------------------------------------------------------------


def _typed(value: Any) -> Any:
    """A typed complex value as stored: ``@odata.type`` canonical and first, then its properties as sent."""
    if not isinstance(value, dict):
        return value
    rest = {name: item for name, item in value.items() if name != "@odata.type"}
    return {"@odata.type": spelled(value["@odata.type"]), **rest}


def _client(value: Any) -> Any:
    # Graph's answers show both limits, without @odata.type (reference section 2.2, example 1).
    if not isinstance(value, dict):
        return value
    return {
        "timeoutInMilliseconds": value.get("timeoutInMilliseconds"),
        "maximumRetries": value.get("maximumRetries"),
    }


def _claims(value: Any) -> list[dict[str, Any]]:
    return [{"claimIdInApiResponse": item["claimIdInApiResponse"]} for item in value or ()]


def _stored_value(name: str, value: Any) -> Any:
    if name == "clientConfiguration":
        return _client(value)
    if name == CLAIMS:
        return _claims(value)
    if name in TYPED_PROPERTIES:
        return _typed(value)
    return value


def new_record(body: dict[str, Any]) -> Record:
    """A stored extension from a validated create body; a client-sent ``id`` is ignored."""
    kind = spelled(body["@odata.type"])
    record: Record = {"@odata.type": kind, "id": str(uuid.uuid4())}
    for name in PROPERTIES[1:]:
        record[name] = _stored_value(name, body.get(name))
    if kind == TOKEN_ISSUANCE_START:
        record[CLAIMS] = _claims(body.get(CLAIMS))
    return record


def patched(record: Record, body: dict[str, Any]) -> Record:
    """The record after a validated PATCH: sent properties replace the stored ones whole, omitted ones stay."""
    sent = spelled(body["@odata.type"])
    if sent != record["@odata.type"]:
        raise SubtypeChange(record["@odata.type"], sent)
    updated = dict(record)
    for name in ALL_PROPERTIES[1:]:
        if name in body:
            updated[name] = _stored_value(name, body[name])
    return updated


def render(record: Record, select: Iterable[str] | None = None) -> dict[str, Any]:
    """The extension as Graph returns it: ``@odata.type`` always (it names the subtype), then the properties
    (only the ``$select``-ed ones when given; a subtype without a selected property just lacks it)."""
    public = {name: value for name, value in record.items() if not name.startswith("_")}
    if select is None:
        return public
    chosen = set(select)
    return {name: value for name, value in public.items() if name == "@odata.type" or name in chosen}


# --- validateAuthenticationConfiguration -------------------------------------------------------------------------

INCORRECT_RESOURCE_ID_FORMAT = "IncorrectResourceIdFormat"
DOMAIN_NAME_DOES_NOT_MATCH = "DomainNameDoesNotMatch"
SERVICE_PRINCIPAL_NOT_FOUND = "ServicePrincipalNotFound"
PERMISSION_NOT_GRANTED = "PermissionNotGrantedToServicePrincipal"
# Graph's messages, verbatim (reference section 2.6, including the plural "CustomAuthenticationExtensions").
MESSAGES = {
    INCORRECT_RESOURCE_ID_FORMAT: "ResourceId should be in the format of 'api://{fully qualified domain name}/{appid}'",
    DOMAIN_NAME_DOES_NOT_MATCH: "The fully qualified domain name in resourceId should match that of the targetUrl",
    SERVICE_PRINCIPAL_NOT_FOUND: "The appId of the resourceId should correspond to a real service principal in the tenant",
    PERMISSION_NOT_GRANTED: (
        "The permission CustomAuthenticationExtensions.Receive.Payload is not granted to the service principal "
        "of the resource app"
    ),
}
# What counts as the grant: the permission's value, the docs' plural spelling of it, or its app-role id.
_GRANT_NAMES = frozenset(
    name.casefold()
    for name in (RECEIVE_PAYLOAD, "CustomAuthenticationExtensions.Receive.Payload", RECEIVE_PAYLOAD_ROLE_ID)
)
_APPS_HELP = "[[apps]] in the TOML configuration, or apps[] in a seed"
_PRINCIPALS_HELP = "[[service_principals]] in the TOML configuration, or servicePrincipals[] in a seed"


class DirectoryView(Protocol):
    """What the checks read from the directory (``mockgraph.identity.directory.Directory`` provides it)."""

    def app(self, tenant_id: str, client_id: str) -> AppRegistration | None: ...

    def service_principal(self, tenant_id: str, app_id: str) -> ServicePrincipal | None: ...

    def resource_names(self, tenant_id: str, app_id: str) -> tuple[str, ...]: ...


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    return host.casefold() if host else None


def _same_uri(first: str, second: str) -> bool:
    return first.rstrip("/").casefold() == second.rstrip("/").casefold()


class _Findings:
    def __init__(self, hints: bool) -> None:
        self.hints = hints
        self.errors: list[dict[str, str]] = []
        self.warnings: list[dict[str, str]] = []

    def add(self, into: list[dict[str, str]], code: str, hint: str) -> None:
        message = MESSAGES[code] + (f" (mockgraph: {hint})" if self.hints else "")
        into.append({"code": code, "message": message})


def validate_configuration(
    endpoint: Any,
    authentication: Any,
    *,
    tenant_id: str,
    directory: DirectoryView,
    hints: bool = True,
) -> dict[str, list[dict[str, str]]]:
    """Graph's errors and warnings for an endpoint and authentication configuration, judged against the directory.

    The checks (reference section 2.6; the docs show only the answer where all fail, so each check is
    independent): the resourceId is ``api://{host}/{appId}`` and one of that app's identifier URIs
    (``IncorrectResourceIdFormat``); its host is the targetUrl's host (``DomainNameDoesNotMatch``); the app has a
    service principal in the tenant (``ServicePrincipalNotFound``); the warning when that service principal is not
    granted ``CustomAuthenticationExtension.Receive.Payload``. With ``hints`` each message also says what the
    emulator's directory lacks and where to add it.
    """
    found = _Findings(hints)
    target = endpoint.get("targetUrl") if isinstance(endpoint, dict) else None
    resource = authentication.get("resourceId") if isinstance(authentication, dict) else None
    resource = resource if isinstance(resource, str) and resource.strip() else None
    parsed = _API_URI.fullmatch(resource.strip()) if resource else None
    bare_id = _GUID.fullmatch(resource.strip()) if resource and parsed is None else None
    app_id = parsed["app"].lower() if parsed else bare_id["app"].lower() if bare_id else None
    resource_host = _host(parsed["host"]) if parsed else None

    if resource is None:
        found.add(
            found.errors,
            INCORRECT_RESOURCE_ID_FORMAT,
            "the authenticationConfiguration has no resourceId; use azureAdTokenAuthentication with the API app's "
            "Application ID URI",
        )
    elif parsed is None:
        example = f"api://{_host(target) if isinstance(target, str) and _host(target) else '<host>'}/"
        found.add(
            found.errors,
            INCORRECT_RESOURCE_ID_FORMAT,
            f"resourceId '{resource}' is not of the form api://{{host}}/{{appId}}, e.g. '{example}{app_id or '<appId>'}'",
        )
    else:
        assert app_id is not None
        names = directory.resource_names(tenant_id, app_id)
        if not any(_same_uri(name, resource) for name in names):
            registered = directory.app(tenant_id, app_id)
            listed = ", ".join(f"'{name}'" for name in names) or "none"
            where = (
                f"app {app_id} in tenant {tenant_id} has identifierUris {listed}; add '{resource}' to its "
                f"identifier_uris ({_APPS_HELP})"
                if registered is not None
                else f"no app registration {app_id} in tenant {tenant_id} has the identifierUri '{resource}'; "
                f"register it with client_id '{app_id}' and identifier_uris ['{resource}'] ({_APPS_HELP})"
            )
            found.add(found.errors, INCORRECT_RESOURCE_ID_FORMAT, where)

    target_host = _host(target) if isinstance(target, str) else None
    if resource_host is None or target_host is None or resource_host != target_host:
        if target_host is None:
            hint = f"the targetUrl {repr(target) if target is not None else '(none)'} has no host"
        elif resource_host is None:
            hint = "the resourceId names no host to compare with the targetUrl's"
        else:
            hint = f"the resourceId's host is '{resource_host}', the targetUrl's is '{target_host}'"
        found.add(found.errors, DOMAIN_NAME_DOES_NOT_MATCH, hint)

    principal = directory.service_principal(tenant_id, app_id) if app_id else None
    if principal is None:
        if app_id is None:
            hint = "the resourceId names no appId"
        elif (
            registered := directory.app(tenant_id, app_id)
        ) is not None and not registered.has_service_principal:
            hint = f"app {app_id} is registered in tenant {tenant_id} with has_service_principal = false"
        else:
            hint = (
                f"tenant {tenant_id} has no service principal for appId {app_id}; register the app ({_APPS_HELP}) "
                f"or add a service principal with app_id '{app_id}' ({_PRINCIPALS_HELP})"
            )
        found.add(found.errors, SERVICE_PRINCIPAL_NOT_FOUND, hint)
        found.add(
            found.warnings,
            PERMISSION_NOT_GRANTED,
            "there is no service principal to grant it to (see the errors)",
        )
    elif not any(grant.casefold() in _GRANT_NAMES for grant in principal.application_permissions):
        registered = directory.app(tenant_id, principal.app_id)
        where = (
            f"the application_permissions of app {principal.app_id} ({_APPS_HELP})"
            if registered is not None
            and registered.has_service_principal
            and principal == principal_of(registered)
            else f"the application_permissions of the service principal {principal.app_id} ({_PRINCIPALS_HELP})"
        )
        found.add(
            found.warnings,
            PERMISSION_NOT_GRANTED,
            f"the service principal of app {principal.app_id} in tenant {tenant_id} is not granted "
            f"{RECEIVE_PAYLOAD}; add it to {where}",
        )
    return {"errors": found.errors, "warnings": found.warnings}


def configuration_problems(record: Record, findings: dict[str, list[dict[str, str]]]) -> list[str]:
    """What a strict write refuses: the validation errors, and a targetUrl that is not https (runtime 1003020)."""
    problems = [error["message"] for error in findings["errors"]]
    endpoint = record.get("endpointConfiguration")
    target = endpoint.get("targetUrl") if isinstance(endpoint, dict) else None
    if not isinstance(target, str) or urlsplit(target).scheme.lower() != "https":
        problems.append(f"The targetUrl {target!r} must be a valid URL that starts with https")
    return problems
