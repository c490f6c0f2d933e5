"""Strategies for authentication event listener bodies: valid create bodies per version, and one mistake at a time.

A custom-extension handler references its extension by id; Graph refuses a listener whose extension does not exist
in the tenant, so a test creates the extensions first: pass their ids (``extension_ids``), or read what a drawn body
needs with :func:`extension_reference`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mockgraph.core.odata_types import bare, canonical_type
from mockgraph.resources.listeners.model import BETA_TYPES, LISTENER_HANDLERS, V1_TYPES
from mockgraph.resources.listeners.references import HANDLER_EXTENSIONS

Draw = Callable[[st.SearchStrategy[Any]], Any]
VERSIONS = ("v1.0", "beta")
ABSTRACT_LISTENER = "#microsoft.graph.authenticationEventListener"
TOKEN_LISTENER = "#microsoft.graph.onTokenIssuanceStartListener"
PASSWORD_HANDLER = "#microsoft.graph.onPasswordMigrationCustomExtensionHandler"


def _short(name: str) -> str:
    return bare(name).removeprefix("microsoft.graph.")


LISTENER_TYPE_NAMES = tuple(_short(name) for name in BETA_TYPES)


class InvalidListenerKind(StrEnum):
    """One kind of mistake in a listener create body. Graph refuses each with 400 and stores nothing."""

    MISSING_REQUIRED = "missing-required"
    WRONG_TYPE = "wrong-type"
    UNKNOWN_PROPERTY = "unknown-property"
    UNKNOWN_ODATA_TYPE = "unknown-odata-type"
    ABSTRACT_ODATA_TYPE = "abstract-odata-type"
    MISSING_ODATA_TYPE = "missing-odata-type"
    MISMATCHED_HANDLER = "mismatched-handler"
    DUPLICATE_APPLICATION = "duplicate-application"
    OUT_OF_RANGE = "out-of-range"
    BETA_ONLY_ON_V1 = "beta-only-on-v1"


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)
_IDS = st.uuids().map(str)
_APP_IDS = st.one_of(_IDS, st.text("abcdef0123456789-", min_size=1, max_size=36))
_KNOWN_NAMES = frozenset(
    name.lower()
    for name in (
        "id",
        "displayName",
        "priority",
        "authenticationEventsFlowId",
        "conditions",
        "handler",
        "applications",
        "includeApplications",
        "includeAllApplications",
        "customExtension",
        "configuration",
        "migrationPropertyId",
        "attributes",
        "attributeCollectionPage",
        "identityProviders",
        "isSignUpAllowed",
        "userTypeToCreate",
        "signUp",
        "smsOptions",
        "voiceOptions",
    )
)
_UNKNOWN_NAMES = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20
).filter(lambda name: not name.startswith("@") and name.lower() not in _KNOWN_NAMES)
_NON_STRINGS = st.one_of(st.integers(-(2**31), 2**31), st.booleans(), st.lists(st.integers(0, 9), max_size=2))
_NON_OBJECTS = st.one_of(
    st.integers(), st.booleans(), st.text(max_size=8), st.lists(st.integers(), max_size=2)
)
_UNKNOWN_TYPES = st.one_of(
    st.sampled_from(
        ["#microsoft.graph.onNothingListener", "onTokenIssuanceStartListener", "#microsoft.graph.", ""]
    ),
    st.from_regex(r"#?microsoft\.graph\.on[A-Z][A-Za-z]{2,20}Thing", fullmatch=True),
)


def _version(version: str) -> str:
    if version not in VERSIONS:
        raise InvalidArgument(f"version={version!r} must be one of {VERSIONS}")
    return version


def _types(version: str, listener_types: Collection[str] | None) -> tuple[str, ...]:
    available = V1_TYPES if version == "v1.0" else BETA_TYPES
    if listener_types is None:
        return available
    if isinstance(listener_types, str) or not listener_types:
        raise InvalidArgument(
            f"listener_types={listener_types!r} must be a non-empty collection of type names"
        )
    chosen = []
    for name in listener_types:
        full = canonical_type(name if "." in name else f"microsoft.graph.{name}")
        if full not in available:
            raise InvalidArgument(f"{name!r} is not a listener type on {version}; choose from {available}")
        chosen.append(full)
    return tuple(dict.fromkeys(chosen))


def _spelled(type_name: str) -> st.SearchStrategy[str]:
    # Graph's examples write @odata.type with the '#'; without it is accepted on input too.
    return st.sampled_from([type_name, bare(type_name)])


@st.composite
def _configuration(draw: Draw) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    configuration: dict[str, Any] = {}
    if draw(st.booleans()):
        configuration["behaviorOnError"] = {
            "@odata.type": "#microsoft.graph.fallbackToMicrosoftProviderOnError"
        }
    if draw(st.booleans()):
        configuration["clientConfiguration"] = {
            "timeoutInMilliseconds": draw(st.one_of(st.none(), st.integers(200, 2000))),
            "maximumRetries": draw(st.one_of(st.none(), st.integers(0, 1))),
        }
    return configuration


@st.composite
def _handler(draw: Draw, listener_type: str, extension_ids: Mapping[str, str]) -> dict[str, Any]:
    handler_type = LISTENER_HANDLERS[listener_type]
    handler: dict[str, Any] = {"@odata.type": draw(_spelled(handler_type))}
    if handler_type in HANDLER_EXTENSIONS:
        subtype = _short(HANDLER_EXTENSIONS[handler_type])
        handler["customExtension"] = {"id": extension_ids.get(subtype) or draw(_IDS)}
        configuration = draw(_configuration())
        if configuration is not None or draw(st.booleans()):
            handler["configuration"] = configuration
        if handler_type == PASSWORD_HANDLER:
            handler["migrationPropertyId"] = f"extension_{draw(st.uuids()).hex}_toBeMigrated"
        return handler
    short = _short(handler_type)
    if short == "onAttributeCollectionExternalUsersSelfServiceSignUp":
        handler["attributes"] = [
            {"id": name} for name in draw(st.lists(st.sampled_from(["email", "city"]), unique=True))
        ]
    elif short == "onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp":
        handler["identityProviders"] = [{"id": "EmailPassword-OAUTH"}]
    elif short == "onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp":
        handler["isSignUpAllowed"] = draw(st.booleans())
    elif short == "onUserCreateStartExternalUsersSelfServiceSignUp":
        handler["userTypeToCreate"] = draw(st.sampled_from(["member", "guest"]))
    elif short == "onFraudProtectionLoadStartExternalUsersAuthHandler":
        handler["signUp"] = {
            "fraudProtectionProvider": {"@odata.type": "#microsoft.graph.arkoseFraudProtectionProvider"}
        }
    return handler


@st.composite
def _listener_body(
    draw: Draw, version: str, types: tuple[str, ...], extension_ids: Mapping[str, str]
) -> dict[str, Any]:
    listener_type = draw(st.sampled_from(types))
    body: dict[str, Any] = {"@odata.type": draw(_spelled(listener_type))}
    if draw(st.booleans()):
        body["displayName"] = draw(st.one_of(st.none(), _TEXT))
    if draw(st.booleans()):
        apps = draw(st.lists(_APP_IDS, max_size=3, unique_by=str.lower))
        applications: dict[str, Any] = {"includeApplications": [{"appId": app} for app in apps]}
        if version == "beta" and draw(st.booleans()):
            applications["includeAllApplications"] = listener_type != TOKEN_LISTENER and draw(st.booleans())
        body["conditions"] = {"applications": applications}
    if version == "beta":
        body["priority"] = draw(st.integers(0, 1000))
    body["handler"] = draw(_handler(listener_type, extension_ids))
    return body


def listener_bodies(
    *,
    version: str = "v1.0",
    listener_types: Collection[str] | None = None,
    extension_ids: Mapping[str, str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Create bodies Graph accepts on ``version`` (``v1.0`` or ``beta``), for ``listener_types`` (short names such as
    ``onTokenIssuanceStartListener``; None: every type of the version).

    A custom-extension handler names the extension ``extension_ids`` gives for its subtype (short name, e.g.
    ``onTokenIssuanceStartCustomExtension``), else a random id. On beta every body has a ``priority``.
    """
    chosen_version = _version(version)
    types = _types(chosen_version, listener_types)
    ids = dict(extension_ids or {})
    return _listener_body(chosen_version, types, ids)


def extension_reference(body: Mapping[str, Any]) -> tuple[str, str] | None:
    """(extension subtype with ``#``, id) that a listener body's handler names; None when it names none."""
    handler = body.get("handler")
    if not isinstance(handler, Mapping) or not isinstance(handler.get("@odata.type"), str):
        return None
    wanted = HANDLER_EXTENSIONS.get(canonical_type(handler["@odata.type"]))
    reference = handler.get("customExtension")
    if wanted is None or not isinstance(reference, Mapping) or not isinstance(reference.get("id"), str):
        return None
    return wanted, reference["id"]


# --- one mistake at a time -----------------------------------------------------------------------------

_TYPES_FOR_KIND: dict[InvalidListenerKind, Callable[[str], tuple[str, ...]]] = {
    # a configuration's timeout can only be out of range where there is a configuration
    InvalidListenerKind.OUT_OF_RANGE: lambda version: (
        BETA_TYPES
        if version == "beta"
        else tuple(t for t in V1_TYPES if LISTENER_HANDLERS[t] in HANDLER_EXTENSIONS)
    ),
}


@st.composite
def _mistake(
    draw: Draw,
    kind: InvalidListenerKind,
    version: str,
    types: tuple[str, ...],
    extension_ids: Mapping[str, str],
) -> dict[str, Any]:
    suitable = _TYPES_FOR_KIND[kind](version) if kind in _TYPES_FOR_KIND else types
    pool = tuple(t for t in types if t in suitable)
    body: dict[str, Any] = draw(_listener_body(version, pool, extension_ids))
    handler: dict[str, Any] = body["handler"]
    listener_type = canonical_type(body["@odata.type"])
    if kind is InvalidListenerKind.MISSING_REQUIRED:
        choices = ["handler", *(["priority"] if version == "beta" else [])]
        if "customExtension" in handler:
            choices.append("customExtension.id")
        if "migrationPropertyId" in handler:
            choices.append("migrationPropertyId")
        missing = draw(st.sampled_from(choices))
        if missing == "customExtension.id":
            handler["customExtension"] = {}
        elif missing == "migrationPropertyId":
            del handler["migrationPropertyId"]
        else:
            del body[missing]
    elif kind is InvalidListenerKind.WRONG_TYPE:
        target = draw(
            st.sampled_from(
                [
                    "displayName",
                    "conditions",
                    "handler",
                    "appId",
                    *(["priority"] if version == "beta" else []),
                ]
            )
        )
        if target == "displayName":
            body["displayName"] = draw(_NON_STRINGS)
        elif target == "appId":
            body["conditions"] = {"applications": {"includeApplications": [{"appId": draw(_NON_STRINGS)}]}}
        elif target == "priority":
            body["priority"] = draw(
                st.one_of(
                    st.text(max_size=4),
                    st.booleans(),
                    st.floats(0.5, 999.5).filter(lambda x: not x.is_integer()),
                )
            )
        else:
            body[target] = draw(_NON_OBJECTS)
    elif kind is InvalidListenerKind.UNKNOWN_PROPERTY:
        target = draw(st.sampled_from([body, handler]))
        target[draw(_UNKNOWN_NAMES)] = draw(st.one_of(st.text(max_size=8), st.integers()))
    elif kind is InvalidListenerKind.UNKNOWN_ODATA_TYPE:
        target = draw(st.sampled_from([body, handler]))
        target["@odata.type"] = draw(st.one_of(_UNKNOWN_TYPES, _NON_STRINGS))
    elif kind is InvalidListenerKind.ABSTRACT_ODATA_TYPE:
        body["@odata.type"] = draw(_spelled(ABSTRACT_LISTENER))
    elif kind is InvalidListenerKind.MISSING_ODATA_TYPE:
        del draw(st.sampled_from([body, handler]))["@odata.type"]
    elif kind is InvalidListenerKind.MISMATCHED_HANDLER:
        others = sorted({handler_type for t, handler_type in LISTENER_HANDLERS.items() if t != listener_type})
        if version == "v1.0":
            others = [
                h for h in others if h != LISTENER_HANDLERS["#microsoft.graph.onPhoneMethodLoadStartListener"]
            ]
        handler["@odata.type"] = draw(st.sampled_from(others))
    elif kind is InvalidListenerKind.DUPLICATE_APPLICATION:
        app = draw(st.uuids().map(str))
        body["conditions"] = {
            "applications": {"includeApplications": [{"appId": app}, {"appId": app.upper()}]}
        }
    elif kind is InvalidListenerKind.OUT_OF_RANGE:
        choices = ["priority"] if version == "beta" else []
        if LISTENER_HANDLERS[listener_type] in HANDLER_EXTENSIONS:
            choices.append("timeout")
        if draw(st.sampled_from(choices)) == "priority":
            body["priority"] = draw(st.one_of(st.integers(max_value=-1), st.integers(min_value=1001)))
        else:
            handler["configuration"] = {
                "clientConfiguration": {
                    "timeoutInMilliseconds": draw(st.one_of(st.integers(0, 199), st.integers(2001)))
                }
            }
    else:
        assert kind is InvalidListenerKind.BETA_ONLY_ON_V1
        extra = draw(
            st.sampled_from(["priority", "authenticationEventsFlowId", "includeAllApplications", "phone"])
        )
        if extra == "priority":
            body["priority"] = draw(st.integers(0, 1000))
        elif extra == "authenticationEventsFlowId":
            body["authenticationEventsFlowId"] = None
        elif extra == "includeAllApplications":
            body["conditions"] = {
                "applications": {"includeAllApplications": False, "includeApplications": []}
            }
        else:
            body["@odata.type"] = "#microsoft.graph.onPhoneMethodLoadStartListener"
            body["handler"] = {
                "@odata.type": "#microsoft.graph.onPhoneMethodLoadStartExternalUsersAuthHandler"
            }
    return body


def _kinds(
    kind: InvalidListenerKind | str | None, version: str, types: tuple[str, ...]
) -> list[InvalidListenerKind]:
    allowed = set(InvalidListenerKind) - (
        {InvalidListenerKind.BETA_ONLY_ON_V1} if version == "beta" else set()
    )
    if not set(types) & set(_TYPES_FOR_KIND[InvalidListenerKind.OUT_OF_RANGE](version)):
        allowed.discard(InvalidListenerKind.OUT_OF_RANGE)  # v1.0 types without a configuration to break
    if kind is None:
        return sorted(allowed)
    try:
        chosen = InvalidListenerKind(kind)
    except ValueError:
        raise InvalidArgument(
            f"kind={kind!r} is not one of {[k.value for k in InvalidListenerKind]}"
        ) from None
    if chosen not in allowed:
        raise InvalidArgument(f"kind={chosen.value!r} cannot be made on {version} with these listener types")
    return [chosen]


def invalid_listener_bodies(
    *,
    kind: InvalidListenerKind | str | None = None,
    version: str = "v1.0",
    listener_types: Collection[str] | None = None,
    extension_ids: Mapping[str, str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Create bodies with exactly one mistake of ``kind`` (None: any kind that can be made on ``version``),
    otherwise as :func:`listener_bodies` makes them. Never a body Graph accepts on ``version``.

    ``beta-only-on-v1`` (beta's properties or types sent to v1.0) exists on v1.0 only.
    """
    chosen_version = _version(version)
    types = _types(chosen_version, listener_types)
    ids = dict(extension_ids or {})
    return st.one_of(
        *(_mistake(each, chosen_version, types, ids) for each in _kinds(kind, chosen_version, types))
    )
