"""Strategies for request bodies that Graph refuses, one named kind of mistake at a time."""

from __future__ import annotations

import base64
from collections.abc import Callable, Collection
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mockgraph.core.config import DEFAULT_MAX_BODY_BYTES
from mockgraph.core.odata_types import (
    AUTHENTICATION_BASE,
    CLIENT_CERTIFICATE_AUTHENTICATION,
    KNOWN_TYPES,
    PKCS12_CERTIFICATE,
    bare,
)
from mockgraph.testing.strategies.payloads import (
    KEY_TYPES,
    Validity,
    authentication_configurations,
    certificate_informations,
    create_bodies,
    pkcs12_bundles,
    update_bodies,
)

Draw = Callable[[st.SearchStrategy[Any]], Any]


class InvalidBodyKind(StrEnum):
    """One kind of mistake in a request body. Graph refuses each (400; ``oversized`` 413) and stores nothing."""

    MISSING_REQUIRED = "missing-required"
    WRONG_TYPE = "wrong-type"
    UNKNOWN_PROPERTY = "unknown-property"
    BAD_ODATA_TYPE = "bad-odata-type"
    MISSING_ODATA_TYPE = "missing-odata-type"
    OUTPUT_ONLY_TYPE = "output-only-type"
    BAD_BASE64 = "bad-base64"
    WRONG_PASSWORD = "wrong-password"
    NOT_PKCS12 = "not-pkcs12"
    OVERSIZED = "oversized"


# The upload action's body has no @odata.type anywhere, so the type mistakes cannot be made in it.
UPLOAD_KINDS = frozenset(InvalidBodyKind) - {
    InvalidBodyKind.BAD_ODATA_TYPE,
    InvalidBodyKind.MISSING_ODATA_TYPE,
    InvalidBodyKind.OUTPUT_ONLY_TYPE,
}
CONFIGURATION = "authenticationConfiguration"
_KNOWN_NAMES = frozenset(
    {"displayname", "targeturl", "authenticationconfiguration", "id", "username", "password"}
    | {"pkcs12value", "certificatelist"}
)
_FOLDED_TYPES = frozenset(bare(name).lower() for name in KNOWN_TYPES)

_NON_STRINGS = st.one_of(
    st.integers(-(2**53), 2**53),
    st.booleans(),
    st.lists(st.integers(0, 9), max_size=2),
    st.dictionaries(st.text("abc", min_size=1, max_size=3), st.integers(0, 9), max_size=2),
)
_NON_OBJECTS = st.one_of(
    st.integers(), st.booleans(), st.text(max_size=8), st.lists(st.integers(), max_size=2)
)
_UNKNOWN_NAMES = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20
).filter(lambda name: not name.startswith("@") and name.lower() not in _KNOWN_NAMES)
_UNKNOWN_TYPES = st.one_of(
    st.sampled_from(
        [
            "#microsoft.graph.oauth2Authentication",
            "#Microsoft.DirectoryServices.basicAuthentication",
            "basicAuthentication",
            "#microsoft.graph.",
            "",
        ]
    ),
    st.from_regex(r"#?microsoft\.graph\.[a-z][A-Za-z0-9]{2,24}", fullmatch=True),
).filter(lambda name: bare(name).lower() not in _FOLDED_TYPES)
_BAD_TYPE_VALUES = st.one_of(_UNKNOWN_TYPES, _NON_STRINGS)
_BASE64_OUTSIDERS = "!@#$%^&*?~-_:.,;"
_CURRENT: tuple[Validity, ...] = ("current",)


def _kind(kind: InvalidBodyKind | str | None, allowed: Collection[InvalidBodyKind]) -> InvalidBodyKind | None:
    if kind is None:
        return None
    try:
        chosen = InvalidBodyKind(kind)
    except ValueError:
        raise InvalidArgument(f"kind={kind!r} is not one of {[k.value for k in InvalidBodyKind]}") from None
    if chosen not in allowed:
        raise InvalidArgument(f"kind={chosen.value!r} cannot be made in this body")
    return chosen


def _max_bytes(max_body_bytes: int) -> int:
    if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int) or max_body_bytes < 1:
        raise InvalidArgument(f"max_body_bytes={max_body_bytes!r} must be a positive int")
    return max_body_bytes


@st.composite
def _bad_base64(draw: Draw) -> str:
    valid = base64.b64encode(draw(st.binary(min_size=3, max_size=48))).decode("ascii")
    position: int = draw(st.integers(0, len(valid)))
    outsider: str = draw(st.sampled_from(_BASE64_OUTSIDERS))
    return valid[:position] + outsider + valid[position:]


@st.composite
def _defective_pkcs12(draw: Draw, kind: InvalidBodyKind, key_types: tuple[str, ...]) -> dict[str, str]:
    """``pkcs12Value`` and ``password`` with one certificate defect."""
    if kind is InvalidBodyKind.BAD_BASE64:
        return {"pkcs12Value": draw(_bad_base64()), "password": ""}
    if kind is InvalidBodyKind.NOT_PKCS12:
        bundle = draw(pkcs12_bundles(with_password=False, key_types=key_types))
        from cryptography.hazmat.primitives.serialization import Encoding

        # A bare DER certificate is the classic mistake; random bytes and JSON are the others.
        content = draw(
            st.one_of(
                st.just(bundle.certificate.public_bytes(Encoding.DER)),
                st.binary(min_size=1, max_size=256),
                st.just(b'{"not": "a pfx"}'),
            )
        )
        return {"pkcs12Value": base64.b64encode(content).decode("ascii"), "password": ""}
    assert kind is InvalidBodyKind.WRONG_PASSWORD
    bundle = draw(pkcs12_bundles(with_password=True, validities=_CURRENT, key_types=key_types))
    wrong = draw(st.text("abcdefgh12345", max_size=12).filter(lambda text: text != bundle.password))
    return {"pkcs12Value": bundle.base64, "password": wrong}


_CERTIFICATE_KINDS = (InvalidBodyKind.BAD_BASE64, InvalidBodyKind.NOT_PKCS12, InvalidBodyKind.WRONG_PASSWORD)


@st.composite
def _invalid_connector_body(
    draw: Draw, kind: InvalidBodyKind, creating: bool, max_body_bytes: int, key_types: tuple[str, ...]
) -> dict[str, Any]:
    body: dict[str, Any] = dict(
        draw(create_bodies(key_types=key_types) if creating else update_bodies(key_types=key_types))
    )
    configuration: dict[str, Any] = dict(draw(authentication_configurations(key_types=key_types)))
    body[CONFIGURATION] = configuration
    if kind is InvalidBodyKind.MISSING_REQUIRED:
        nested = [(CONFIGURATION, name) for name in configuration if name != "@odata.type"]
        top = [(name,) for name in ("displayName", "targetUrl", CONFIGURATION)] if creating else []
        path = draw(st.sampled_from(top + nested))
        (body if len(path) == 1 else configuration).pop(path[-1])
    elif kind is InvalidBodyKind.WRONG_TYPE:
        names = ["displayName", "targetUrl", CONFIGURATION, *(n for n in configuration if n != "@odata.type")]
        name = draw(st.sampled_from(names))
        if name == CONFIGURATION:
            body[CONFIGURATION] = draw(_NON_OBJECTS)
        elif name in ("displayName", "targetUrl"):
            body[name] = draw(_NON_STRINGS)
        else:
            configuration[name] = draw(_NON_STRINGS)
    elif kind is InvalidBodyKind.UNKNOWN_PROPERTY:
        target = draw(st.sampled_from([body, configuration]))
        target[draw(_UNKNOWN_NAMES)] = draw(st.one_of(st.text(max_size=8), st.integers()))
    elif kind is InvalidBodyKind.BAD_ODATA_TYPE:
        target = draw(st.sampled_from([body, configuration]))
        target["@odata.type"] = draw(_BAD_TYPE_VALUES)
    elif kind is InvalidBodyKind.MISSING_ODATA_TYPE:
        configuration.pop("@odata.type")
    elif kind is InvalidBodyKind.OUTPUT_ONLY_TYPE:
        output_type = draw(st.sampled_from([CLIENT_CERTIFICATE_AUTHENTICATION, AUTHENTICATION_BASE]))
        spelled = draw(st.sampled_from([output_type, bare(output_type)]))
        entries = draw(st.lists(certificate_informations(), min_size=1, max_size=2))
        body[CONFIGURATION] = (
            {"@odata.type": spelled, "certificateList": entries}
            if output_type == CLIENT_CERTIFICATE_AUTHENTICATION
            else {"@odata.type": spelled}
        )
    elif kind in _CERTIFICATE_KINDS:
        spelled = draw(st.sampled_from([PKCS12_CERTIFICATE, bare(PKCS12_CERTIFICATE)]))
        body[CONFIGURATION] = {"@odata.type": spelled, **draw(_defective_pkcs12(kind, key_types))}
    else:
        assert kind is InvalidBodyKind.OVERSIZED
        body["displayName"] = "x" * (max_body_bytes + 1)
    return body


@st.composite
def _invalid_upload_body(
    draw: Draw, kind: InvalidBodyKind, max_body_bytes: int, key_types: tuple[str, ...]
) -> dict[str, Any]:
    if kind in _CERTIFICATE_KINDS:
        return dict(draw(_defective_pkcs12(kind, key_types)))
    bundle = draw(pkcs12_bundles(validities=_CURRENT, key_types=key_types))
    body: dict[str, Any] = {"pkcs12Value": bundle.base64, "password": bundle.password}
    if kind is InvalidBodyKind.MISSING_REQUIRED:
        body.pop(draw(st.sampled_from(sorted(body))))
    elif kind is InvalidBodyKind.WRONG_TYPE:
        body[draw(st.sampled_from(sorted(body)))] = draw(_NON_STRINGS)
    elif kind is InvalidBodyKind.UNKNOWN_PROPERTY:
        body[draw(_UNKNOWN_NAMES)] = draw(st.one_of(st.text(max_size=8), st.integers()))
    else:
        assert kind is InvalidBodyKind.OVERSIZED
        body["pkcs12Value"] = "A" * (max_body_bytes + 1)
    return body


def _one_of_kinds(
    kind: InvalidBodyKind | None,
    allowed: Collection[InvalidBodyKind],
    build: Callable[[InvalidBodyKind], st.SearchStrategy[dict[str, Any]]],
) -> st.SearchStrategy[dict[str, Any]]:
    kinds = [kind] if kind is not None else sorted(allowed)
    return st.one_of(*(build(each) for each in kinds))


def invalid_create_bodies(
    *,
    kind: InvalidBodyKind | str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    key_types: Collection[str] = KEY_TYPES,
) -> st.SearchStrategy[dict[str, Any]]:
    """Create bodies with exactly one mistake of ``kind`` (None: any kind), otherwise valid.

    ``oversized`` bodies are one byte over ``max_body_bytes`` (the emulator's default limit unless given).
    Never a body Graph would accept.
    """
    chosen = _kind(kind, frozenset(InvalidBodyKind))
    limit = _max_bytes(max_body_bytes)
    keys = _key_types(key_types)
    return _one_of_kinds(
        chosen, frozenset(InvalidBodyKind), lambda k: _invalid_connector_body(k, True, limit, keys)
    )


def invalid_update_bodies(
    *,
    kind: InvalidBodyKind | str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    key_types: Collection[str] = KEY_TYPES,
) -> st.SearchStrategy[dict[str, Any]]:
    """PATCH bodies with exactly one mistake of ``kind`` (None: any kind); ``missing-required`` drops a
    property of the ``authenticationConfiguration`` (PATCH itself requires none). Never a valid body."""
    chosen = _kind(kind, frozenset(InvalidBodyKind))
    limit = _max_bytes(max_body_bytes)
    keys = _key_types(key_types)
    return _one_of_kinds(
        chosen, frozenset(InvalidBodyKind), lambda k: _invalid_connector_body(k, False, limit, keys)
    )


def invalid_upload_bodies(
    *,
    kind: InvalidBodyKind | str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    key_types: Collection[str] = KEY_TYPES,
) -> st.SearchStrategy[dict[str, Any]]:
    """``uploadClientCertificate`` bodies with one mistake of ``kind`` (None: any kind that applies).

    The ``@odata.type`` kinds do not apply to this body and are refused when the strategy is built.
    """
    chosen = _kind(kind, UPLOAD_KINDS)
    limit = _max_bytes(max_body_bytes)
    keys = _key_types(key_types)
    return _one_of_kinds(chosen, UPLOAD_KINDS, lambda k: _invalid_upload_body(k, limit, keys))


def _key_types(key_types: Collection[str]) -> tuple[str, ...]:
    if isinstance(key_types, str) or not key_types or any(k not in KEY_TYPES for k in key_types):
        raise InvalidArgument(
            f"key_types={key_types!r} must be a non-empty collection drawn from {KEY_TYPES}"
        )
    return tuple(key_types)
