"""References from handlers to custom authentication extensions, shared by listeners and user flows.

A custom-extension handler names its extension by id (``"customExtension": {"id": ...}``) or, through the
deprecated navigation, by ``PUT .../customExtension/$ref`` with the extension's URL. The extension must exist in
the caller's tenant and be of the subtype the handler's CSDL navigation names (reference section 5.1; the choice
for the open question 12.3 is to refuse any other subtype, as OData refuses a navigation to the wrong type).
Extensions are read from the store collection the extensions resource keeps, as records shaped as Graph renders
them (``id`` and ``@odata.type``). Pure: no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from mockgraph.core.contracts import Contracts, describe_error
from mockgraph.core.errors import InvalidRequest, InvalidRequestBody
from mockgraph.core.odata_types import bare, canonical_type
from mockgraph.storage.store import Record

EXTENSIONS = "customAuthenticationExtensions"
ExtensionLookup = Callable[[str], Record | None]


def _graph(name: str) -> str:
    return f"#microsoft.graph.{name}"


# Each custom-extension handler type and the extension subtype its ``customExtension`` navigation is typed to.
HANDLER_EXTENSIONS: Mapping[str, str] = MappingProxyType(
    {
        _graph("onTokenIssuanceStartCustomExtensionHandler"): _graph("onTokenIssuanceStartCustomExtension"),
        _graph("onAttributeCollectionStartCustomExtensionHandler"): _graph(
            "onAttributeCollectionStartCustomExtension"
        ),
        _graph("onAttributeCollectionSubmitCustomExtensionHandler"): _graph(
            "onAttributeCollectionSubmitCustomExtension"
        ),
        _graph("onOtpSendCustomExtensionHandler"): _graph("onOtpSendCustomExtension"),
        _graph("onPasswordMigrationCustomExtensionHandler"): _graph("onPasswordSubmitCustomExtension"),
        _graph("onVerifiedIdClaimValidationCustomExtensionHandler"): _graph(
            "onVerifiedIdClaimValidationCustomExtension"
        ),
    }
)
_REFERENCE_PATH = re.compile(
    r"^/(?:beta|v1\.0)/+identity/+customAuthenticationExtensions/+([^/]+)/?$", re.IGNORECASE
)


class EventsRequestError(InvalidRequest):
    """Raise if the service behind Graph refuses a listener or flow request (CPIM-owned: ``AADB2C`` codes)."""

    default_code = "AADB2C"


def canonical_types(value: Any) -> Any:
    """``value`` with every ``@odata.type`` written with its ``#``, as Graph writes types in its answers."""
    if isinstance(value, dict):
        return {
            key: canonical_type(item)
            if key == "@odata.type" and isinstance(item, str)
            else canonical_types(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [canonical_types(item) for item in value]
    return value


def checked_extension(handler_type: str, extension_id: str, lookup: ExtensionLookup) -> str:
    """The stored id of the extension a handler of ``handler_type`` names; Graph's 400 if it cannot be used."""
    record = lookup(extension_id)
    if record is None:
        raise EventsRequestError(
            f"The custom authentication extension '{extension_id}' does not exist in this tenant.",
            reason="referenced extension not found in the caller's tenant",
        )
    wanted = HANDLER_EXTENSIONS[canonical_type(handler_type)]
    found = canonical_type(str(record.get("@odata.type", "")))
    if found.lower() != wanted.lower():
        raise EventsRequestError(
            f"The custom authentication extension '{extension_id}' is a '{bare(found)}'; a "
            f"'{bare(canonical_type(handler_type))}' needs a '{bare(wanted)}'.",
            reason=f"extension of subtype {bare(found)} on a {bare(handler_type)}",
        )
    return str(record["id"])


def with_checked_extension(handler: dict[str, Any], lookup: ExtensionLookup) -> dict[str, Any]:
    """A handler whose ``customExtension`` (if any) is checked and reduced to ``{"id": <stored id>}``."""
    reference = handler.get("customExtension")
    handler_type = canonical_type(str(handler.get("@odata.type", "")))
    if handler_type not in HANDLER_EXTENSIONS or not isinstance(reference, dict):
        return handler
    return {
        **handler,
        "customExtension": {"id": checked_extension(handler_type, str(reference["id"]), lookup)},
    }


def extension_id_from_reference(body: Any) -> str:
    """The extension id a ``$ref`` body names: ``{"@odata.id": "<id>"}`` or the extension's Graph URL (any host).

    The documented example writes ``https://graph.microsoft.com/beta/identity/customAuthenticationExtensions/{id}``.
    """
    value = body.get("@odata.id") if isinstance(body, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestBody(
            "The value of '@odata.id' must be the id or URL of a customAuthenticationExtension.",
            reason="reference value is not a non-empty string",
        )
    text = value.strip()
    if "/" not in text:
        return text
    path = urlsplit(text).path if "://" in text else "/" + text.lstrip("/")
    match = _REFERENCE_PATH.match(path)
    if match is None:
        raise InvalidRequestBody(
            f"The reference '{text}' does not identify a customAuthenticationExtension.",
            reason="reference URL is not .../identity/customAuthenticationExtensions/{id}",
        )
    return match.group(1)


def contract_check(contracts: Contracts, contract: str, body: Any, root_type: str) -> dict[str, Any]:
    """``body`` if it satisfies ``contract``; Graph's 400 naming the first violation otherwise."""
    if not isinstance(body, dict):
        raise InvalidRequestBody(
            "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader. "
            "A 'StartObject' node was expected.",
            reason="body is not a JSON object",
        )
    error = contracts.first_error(contract, body)
    if error is not None:
        path = ".".join(str(part) for part in error.absolute_path) or "(body)"
        raise InvalidRequestBody(
            describe_error(error, root_type=root_type), reason=f"{contract}: {error.validator} at {path}"
        )
    return body


def check_reference_body(contracts: Contracts, body: Any) -> dict[str, Any]:
    """A ``$ref`` body: its contract, then a value that names an extension (the request checker runs this too)."""
    contract_check(
        contracts,
        "customAuthenticationExtensionReference",
        body,
        "microsoft.graph.customAuthenticationExtension",
    )
    extension_id_from_reference(body)
    return dict(body)


def expanded_extension(record: Record | None) -> dict[str, Any] | None:
    """An extension as an expanded navigation shows it: its properties without ``@odata.type`` (reference 3.2)."""
    if record is None:
        return None
    return {key: value for key, value in record.items() if not key.startswith("@odata.")}


def rendered_handler(handler: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A stored handler as Graph answers it: custom-extension handlers always show ``configuration``."""
    if handler is None:
        return None
    document = dict(handler)
    if canonical_type(str(document.get("@odata.type", ""))) in HANDLER_EXTENSIONS:
        document.setdefault("configuration", None)
    return document
