"""Strategies for custom-authentication-extension bodies: valid ones per subtype, invalid ones one mistake at a
time, the collection action's body, and extensions as Graph returns them.

Subtypes are named by their short type names (``onTokenIssuanceStartCustomExtension``...). Valid bodies satisfy
the contracts Graph's documentation implies: ``@odata.type`` required (with or without ``#``; in any letter case
with ``any_case=True``), ``authenticationConfiguration`` required on create, ``claimsForTokenConfiguration`` only
on the token-issuance subtype, the documented client limits (200-2000 ms, 0-1 retries).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mockgraph.core.config import DEFAULT_MAX_BODY_BYTES
from mockgraph.core.odata_types import bare
from mockgraph.resources.extensions.model import (
    ABSTRACT_TYPES,
    ALL_PROPERTIES,
    AZURE_AD_POP_TOKEN_AUTHENTICATION,
    AZURE_AD_TOKEN_AUTHENTICATION,
    BEHAVIOR_ON_ERROR,
    CLAIMS,
    FALLBACK_TO_MICROSOFT_PROVIDER,
    HTTP_REQUEST_ENDPOINT,
    KNOWN_TYPES,
    SUBTYPES,
    TOKEN_ISSUANCE_START,
)

Draw = Callable[[st.SearchStrategy[Any]], Any]
EXTENSION_SUBTYPES = tuple(bare(name).removeprefix("microsoft.graph.") for name in SUBTYPES)
_FULL_NAME = dict(zip(EXTENSION_SUBTYPES, SUBTYPES, strict=True))
_TOKEN_SUBTYPE = bare(TOKEN_ISSUANCE_START).removeprefix("microsoft.graph.")
_TEXT = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
_LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
_HOSTS = st.lists(_LABEL, min_size=1, max_size=3).map(lambda labels: ".".join(labels) + ".example")
_GUIDS = st.uuids(version=4).map(str)


class InvalidExtensionBodyKind(StrEnum):
    """One kind of mistake in an extension body. Graph refuses each (400; ``oversized`` 413) and stores nothing."""

    MISSING_REQUIRED = "missing-required"
    MISSING_ODATA_TYPE = "missing-odata-type"
    UNKNOWN_ODATA_TYPE = "unknown-odata-type"
    ABSTRACT_ODATA_TYPE = "abstract-odata-type"
    WRONG_TYPE = "wrong-type"
    UNKNOWN_PROPERTY = "unknown-property"
    FOREIGN_PROPERTY = "foreign-property"
    OUT_OF_RANGE = "out-of-range"
    OVERSIZED = "oversized"


def _subtypes(subtypes: Collection[str]) -> tuple[str, ...]:
    if isinstance(subtypes, str) or not subtypes:
        raise InvalidArgument(
            f"subtypes={subtypes!r} must be a non-empty collection drawn from {EXTENSION_SUBTYPES}"
        )
    unknown = [name for name in subtypes if name not in EXTENSION_SUBTYPES]
    if unknown:
        raise InvalidArgument(f"subtypes has unknown values {unknown!r}; choose from {EXTENSION_SUBTYPES}")
    return tuple(dict.fromkeys(subtypes))


def _optional_bool(name: str, value: bool | None) -> None:
    if value is not None and not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True, False or None (either)")


@st.composite
def _spelling(draw: Draw, type_name: str, hash_prefix: bool | None, any_case: bool) -> str:
    """``type_name`` with or without ``#`` and, with ``any_case``, sometimes in another letter case."""
    name = bare(type_name)
    with_hash = draw(st.booleans()) if hash_prefix is None else hash_prefix
    if any_case:
        name = draw(
            st.sampled_from([name, name.upper(), name.lower(), name[:16] + name[16].upper() + name[17:]])
        )
    return f"#{name}" if with_hash else name


def resource_ids(*, host: str | None = None, app_id: str | None = None) -> st.SearchStrategy[str]:
    """Application ID URIs as extensions use them: ``api://{host}/{appId}`` (the host or app id fixed if given)."""
    hosts = st.just(host) if host is not None else _HOSTS
    apps = st.just(app_id) if app_id is not None else _GUIDS
    return st.builds(lambda h, a: f"api://{h}/{a}", hosts, apps)


def _target_urls(host: str) -> st.SearchStrategy[str]:
    path = st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=10), max_size=3)
    return path.map(lambda parts: f"https://{host}/{'/'.join(parts)}")


@st.composite
def _configurations(draw: Draw, hash_prefix: bool | None, any_case: bool) -> dict[str, Any]:
    """An endpoint and an authentication configuration whose hosts agree (what validates when the app exists)."""
    host = draw(_HOSTS)
    pop = draw(st.integers(0, 9)) == 0  # azureAdPopTokenAuthentication is rare: no how-to uses it
    authentication: dict[str, Any] = {
        "@odata.type": draw(
            _spelling(
                AZURE_AD_POP_TOKEN_AUTHENTICATION if pop else AZURE_AD_TOKEN_AUTHENTICATION,
                hash_prefix,
                any_case,
            )
        )
    }
    if not pop:
        authentication["resourceId"] = draw(resource_ids(host=host))
    endpoint = {
        "@odata.type": draw(_spelling(HTTP_REQUEST_ENDPOINT, hash_prefix, any_case)),
        "targetUrl": draw(_target_urls(host)),
    }
    return {"authenticationConfiguration": authentication, "endpointConfiguration": endpoint}


def _client_configurations() -> st.SearchStrategy[dict[str, Any] | None]:
    limits = st.fixed_dictionaries(
        {},
        optional={
            "timeoutInMilliseconds": st.one_of(st.none(), st.integers(200, 2000)),
            "maximumRetries": st.one_of(st.none(), st.integers(0, 1)),
        },
    )
    return st.one_of(st.none(), limits)


def _behaviors(hash_prefix: bool | None, any_case: bool) -> st.SearchStrategy[dict[str, Any] | None]:
    # The abstract base is accepted too: Graph's own OTP-send example sends it (reference section 2.2).
    kinds = st.sampled_from([FALLBACK_TO_MICROSOFT_PROVIDER, BEHAVIOR_ON_ERROR])
    return st.one_of(
        st.none(),
        kinds.flatmap(lambda kind: _spelling(kind, hash_prefix, any_case)).map(lambda t: {"@odata.type": t}),
    )


def _claims() -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(
        st.fixed_dictionaries({"claimIdInApiResponse": st.text(_TEXT, min_size=1, max_size=24)}), max_size=4
    )


@st.composite
def _body(
    draw: Draw, subtype: str, creating: bool, hash_prefix: bool | None, any_case: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {"@odata.type": draw(_spelling(_FULL_NAME[subtype], hash_prefix, any_case))}
    configurations = draw(_configurations(hash_prefix, any_case))
    optional: dict[str, Any] = {
        "displayName": st.one_of(st.none(), st.text(_TEXT, min_size=1, max_size=64)),
        "description": st.one_of(st.none(), st.text(_TEXT, max_size=80)),
        "endpointConfiguration": st.one_of(st.just(configurations["endpointConfiguration"]), st.none()),
        "clientConfiguration": _client_configurations(),
        "behaviorOnError": _behaviors(hash_prefix, any_case),
    }
    if subtype == _TOKEN_SUBTYPE:
        optional[CLAIMS] = _claims()
    if creating:
        body["authenticationConfiguration"] = configurations["authenticationConfiguration"]
    else:
        optional["authenticationConfiguration"] = st.one_of(
            st.just(configurations["authenticationConfiguration"]), st.none()
        )
    body.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return body


def extension_create_bodies(
    *,
    subtypes: Collection[str] = EXTENSION_SUBTYPES,
    hash_prefix: bool | None = None,
    any_case: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """Create bodies Graph accepts, for the given subtypes (short type names; default all six).

    ``hash_prefix`` fixes whether type names start with ``#`` (None: either); ``any_case`` also spells them in
    other letter cases (Graph and its SDK match them case-insensitively). Never a body Graph refuses.
    """
    chosen = _subtypes(subtypes)
    _optional_bool("hash_prefix", hash_prefix)
    return st.sampled_from(chosen).flatmap(lambda subtype: _body(subtype, True, hash_prefix, bool(any_case)))


def extension_update_bodies(
    *,
    subtypes: Collection[str] = EXTENSION_SUBTYPES,
    hash_prefix: bool | None = None,
    any_case: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """PATCH bodies Graph accepts: ``@odata.type`` (the stored subtype must be among ``subtypes``: the subtype
    cannot change) and any subset of the other properties; options as for :func:`extension_create_bodies`."""
    chosen = _subtypes(subtypes)
    _optional_bool("hash_prefix", hash_prefix)
    return st.sampled_from(chosen).flatmap(lambda subtype: _body(subtype, False, hash_prefix, bool(any_case)))


def extension_validation_bodies(*, hash_prefix: bool | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies of ``POST .../customAuthenticationExtensions/validateAuthenticationConfiguration``."""
    _optional_bool("hash_prefix", hash_prefix)
    return _configurations(hash_prefix, False)


@st.composite
def _rendered(draw: Draw, subtype: str, version: str, with_context: bool) -> dict[str, Any]:
    body = draw(_body(subtype, True, True, False))
    document: dict[str, Any] = {}
    if with_context:
        document["@odata.context"] = (
            f"https://graph.microsoft.com/{version}/$metadata#identity/customAuthenticationExtensions/$entity"
        )
    document["@odata.type"] = _FULL_NAME[subtype]
    document["id"] = str(draw(st.uuids(version=4)))
    for name in ALL_PROPERTIES[1:]:
        if name == CLAIMS and subtype != _TOKEN_SUBTYPE:
            continue
        value = body.get(name, [] if name == CLAIMS else None)
        if name == "clientConfiguration" and value is not None:
            value = {
                "timeoutInMilliseconds": value.get("timeoutInMilliseconds"),
                "maximumRetries": value.get("maximumRetries"),
            }
        document[name] = value
    return document


def custom_authentication_extensions(
    *,
    subtypes: Collection[str] = EXTENSION_SUBTYPES,
    version: str = "beta",
    with_context: bool = True,
) -> st.SearchStrategy[dict[str, Any]]:
    """Extensions as Graph returns them from create or get (every property, ``@odata.type`` canonical)."""
    chosen = _subtypes(subtypes)
    if version not in ("beta", "v1.0"):
        raise InvalidArgument(f"version={version!r} must be 'beta' or 'v1.0'")
    return st.sampled_from(chosen).flatmap(lambda subtype: _rendered(subtype, version, bool(with_context)))


# --- invalid bodies ------------------------------------------------------------------------------------------------

_KNOWN_NAMES = {name.lower() for name in (*ALL_PROPERTIES, "resourceId", "targetUrl", "claimIdInApiResponse")}
_KNOWN_NAMES |= {"timeoutinmilliseconds", "maximumretries"}
_UNKNOWN_NAMES = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20
).filter(lambda name: not name.startswith("@") and name.lower() not in _KNOWN_NAMES)
_NON_STRINGS = st.one_of(
    st.integers(-(2**53), 2**53), st.booleans(), st.lists(st.integers(0, 9), min_size=1, max_size=2)
)
_NON_OBJECTS = st.one_of(
    st.integers(), st.booleans(), st.text(max_size=8), st.lists(st.integers(), max_size=2)
)
_FOLDED_KNOWN = {bare(name).lower() for name in KNOWN_TYPES}
_UNKNOWN_TYPES = st.one_of(
    st.sampled_from(
        [
            "#microsoft.graph.onAccountRecoveryCustomExtension",  # in a how-to, in no schema (reference 2.2)
            "#microsoft.graph.onTokenIssuanceStartListener",
            "onTokenIssuanceStartCustomExtension",
            "#microsoft.graph.",
            "",
        ]
    ),
    st.from_regex(r"#?microsoft\.graph\.[a-z][A-Za-z0-9]{2,24}", fullmatch=True),
).filter(lambda name: bare(name).lower() not in _FOLDED_KNOWN)
_ABSTRACT_NESTED = {
    "authenticationConfiguration": "#microsoft.graph.customExtensionAuthenticationConfiguration",
    "endpointConfiguration": "#microsoft.graph.customExtensionEndpointConfiguration",
}


def _kind(kind: InvalidExtensionBodyKind | str | None) -> InvalidExtensionBodyKind | None:
    if kind is None:
        return None
    try:
        return InvalidExtensionBodyKind(kind)
    except ValueError:
        raise InvalidArgument(
            f"kind={kind!r} is not one of {[k.value for k in InvalidExtensionBodyKind]}"
        ) from None


@st.composite
def _invalid(
    draw: Draw, kind: InvalidExtensionBodyKind, subtypes: tuple[str, ...], creating: bool, max_body_bytes: int
) -> dict[str, Any]:
    foreign = [name for name in subtypes if name != _TOKEN_SUBTYPE]
    subtype = draw(
        st.sampled_from(foreign if kind is InvalidExtensionBodyKind.FOREIGN_PROPERTY else subtypes)
    )
    body: dict[str, Any] = draw(_body(subtype, creating, None, False))
    configurations = draw(_configurations(None, False))
    # The nested objects a mistake can be made in are always present.
    body.setdefault("authenticationConfiguration", configurations["authenticationConfiguration"])
    if body["authenticationConfiguration"] is None or "resourceId" not in body["authenticationConfiguration"]:
        body["authenticationConfiguration"] = {
            "@odata.type": AZURE_AD_TOKEN_AUTHENTICATION,
            "resourceId": draw(resource_ids()),
        }
    if body.get("endpointConfiguration") is None:
        body["endpointConfiguration"] = configurations["endpointConfiguration"]
    authentication, endpoint = body["authenticationConfiguration"], body["endpointConfiguration"]
    if kind is InvalidExtensionBodyKind.MISSING_REQUIRED:
        choices: list[tuple[str, ...]] = [("authenticationConfiguration",)] if creating else []
        choices += [("authenticationConfiguration", "resourceId"), ("endpointConfiguration", "targetUrl")]
        path = draw(st.sampled_from(choices))
        (body if len(path) == 1 else body[path[0]]).pop(path[-1])
    elif kind is InvalidExtensionBodyKind.MISSING_ODATA_TYPE:
        target = draw(st.sampled_from([body, authentication, endpoint]))
        target.pop("@odata.type")
    elif kind is InvalidExtensionBodyKind.UNKNOWN_ODATA_TYPE:
        target = draw(st.sampled_from([body, authentication, endpoint]))
        target["@odata.type"] = draw(st.one_of(_UNKNOWN_TYPES, _NON_STRINGS))
    elif kind is InvalidExtensionBodyKind.ABSTRACT_ODATA_TYPE:
        where = draw(st.sampled_from(["", *_ABSTRACT_NESTED]))
        if where:
            body[where]["@odata.type"] = draw(
                st.sampled_from([_ABSTRACT_NESTED[where], bare(_ABSTRACT_NESTED[where])])
            )
        else:
            body["@odata.type"] = draw(
                st.sampled_from([*ABSTRACT_TYPES[:2], *(bare(t) for t in ABSTRACT_TYPES[:2])])
            )
    elif kind is InvalidExtensionBodyKind.WRONG_TYPE:
        which = draw(
            st.sampled_from(["displayName", "description", "resourceId", "targetUrl", "timeout", "object"])
        )
        if which in ("displayName", "description"):
            body[which] = draw(_NON_STRINGS)
        elif which == "resourceId":
            authentication["resourceId"] = draw(_NON_STRINGS)
        elif which == "targetUrl":
            endpoint["targetUrl"] = draw(_NON_STRINGS)
        elif which == "timeout":
            body["clientConfiguration"] = {
                "timeoutInMilliseconds": draw(st.sampled_from(["1000", 1000.5, True]))
            }
        else:
            name = draw(
                st.sampled_from(
                    ["authenticationConfiguration", "endpointConfiguration", "clientConfiguration"]
                )
            )
            body[name] = draw(_NON_OBJECTS.filter(lambda value: value is not None))
    elif kind is InvalidExtensionBodyKind.UNKNOWN_PROPERTY:
        target = draw(st.sampled_from([body, authentication, endpoint]))
        target[draw(_UNKNOWN_NAMES)] = draw(st.one_of(st.text(max_size=8), st.integers()))
    elif kind is InvalidExtensionBodyKind.FOREIGN_PROPERTY:
        body[CLAIMS] = draw(_claims())
    elif kind is InvalidExtensionBodyKind.OUT_OF_RANGE:
        limits = draw(
            st.one_of(
                st.fixed_dictionaries(
                    {
                        "timeoutInMilliseconds": st.one_of(
                            st.integers(-(2**31), 199), st.integers(2001, 2**31 - 1)
                        )
                    }
                ),
                st.fixed_dictionaries(
                    {"maximumRetries": st.one_of(st.integers(-(2**31), -1), st.integers(2, 2**31 - 1))}
                ),
            )
        )
        body["clientConfiguration"] = limits
    else:
        assert kind is InvalidExtensionBodyKind.OVERSIZED
        body["displayName"] = "x" * (max_body_bytes + 1)
    return body


def _invalid_bodies(
    kind: InvalidExtensionBodyKind | str | None,
    subtypes: Collection[str],
    creating: bool,
    max_body_bytes: int,
) -> st.SearchStrategy[dict[str, Any]]:
    chosen = _kind(kind)
    names = _subtypes(subtypes)
    if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int) or max_body_bytes < 1:
        raise InvalidArgument(f"max_body_bytes={max_body_bytes!r} must be a positive int")
    possible: list[InvalidExtensionBodyKind] = [
        k for k in InvalidExtensionBodyKind if k is not InvalidExtensionBodyKind.FOREIGN_PROPERTY
    ]
    if any(name != _TOKEN_SUBTYPE for name in names):
        possible.append(InvalidExtensionBodyKind.FOREIGN_PROPERTY)
    if chosen is not None and chosen not in possible:
        raise InvalidArgument(f"kind={chosen.value!r} needs a subtype other than {_TOKEN_SUBTYPE}")
    kinds = [chosen] if chosen is not None else sorted(possible)
    return st.one_of(*(_invalid(each, names, creating, max_body_bytes) for each in kinds))


def invalid_extension_create_bodies(
    *,
    kind: InvalidExtensionBodyKind | str | None = None,
    subtypes: Collection[str] = EXTENSION_SUBTYPES,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> st.SearchStrategy[dict[str, Any]]:
    """Create bodies with exactly one mistake of ``kind`` (None: any kind), otherwise valid. Never a body Graph
    accepts; ``oversized`` bodies are one byte over ``max_body_bytes`` (the emulator's default unless given)."""
    return _invalid_bodies(kind, subtypes, True, max_body_bytes)


def invalid_extension_update_bodies(
    *,
    kind: InvalidExtensionBodyKind | str | None = None,
    subtypes: Collection[str] = EXTENSION_SUBTYPES,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> st.SearchStrategy[dict[str, Any]]:
    """PATCH bodies with exactly one mistake of ``kind`` (None: any kind); ``missing-required`` drops a required
    property of a nested configuration (PATCH itself requires only ``@odata.type``). Never a valid body."""
    return _invalid_bodies(kind, subtypes, False, max_body_bytes)
