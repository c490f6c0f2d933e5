"""Strategies for valid API-connector payloads, real PKCS#12 bundles, and connectors as Graph returns them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any, Literal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mockgraph.core.certificates import GeneratedPkcs12, make_pkcs12
from mockgraph.core.odata_types import (
    BASIC_AUTHENTICATION,
    CLIENT_CERTIFICATE_AUTHENTICATION,
    CONNECTOR,
    PKCS12_CERTIFICATE,
    bare,
)

Validity = Literal["expired", "current", "future"]
VALIDITIES: tuple[Validity, ...] = ("expired", "current", "future")
KEY_TYPES = ("rsa", "ec")
AUTHENTICATION_KINDS = ("basic", "pkcs12")
CONNECTOR_PROPERTIES = ("displayName", "targetUrl", "authenticationConfiguration")
DAY = 86_400


def _check_subset(name: str, given: Collection[str], allowed: Collection[str]) -> tuple[str, ...]:
    """Hypothesis's habit: reject bad options when the strategy is built, not when it is drawn."""
    if isinstance(given, str) or not given:
        raise InvalidArgument(f"{name}={given!r} must be a non-empty collection drawn from {tuple(allowed)}")
    unknown = [value for value in given if value not in allowed]
    if unknown:
        raise InvalidArgument(f"{name} has unknown values {unknown!r}; choose from {tuple(allowed)}")
    return tuple(dict.fromkeys(given))


def _optional_bool(name: str, value: bool | None) -> None:
    if value is not None and not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True, False or None (either)")


# --- plain values -----------------------------------------------------------------------------------

_TEXT = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
_ASCII_PASSWORD = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=24)
_HOST_LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)


def display_names() -> st.SearchStrategy[str]:
    """Non-empty connector names (any printable Unicode, at most 64 characters); never blank."""
    return st.text(_TEXT, min_size=1, max_size=64).filter(lambda name: name.strip() != "")


def target_urls() -> st.SearchStrategy[str]:
    """``https`` URLs with a host, optional port and path; never another scheme."""
    path = st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=10), max_size=3)
    port = st.one_of(st.just(""), st.integers(1, 65535).map(lambda number: f":{number}"))
    return st.builds(
        lambda labels, port, parts: f"https://{'.'.join(labels)}.example{port}/{'/'.join(parts)}",
        st.lists(_HOST_LABEL, min_size=1, max_size=3),
        port,
        path,
    )


def _type_spellings(type_name: str, hash_prefix: bool | None) -> st.SearchStrategy[str]:
    # Graph's own examples write @odata.type both with and without the leading '#'.
    spellings = {True: [type_name], False: [bare(type_name)], None: [type_name, bare(type_name)]}
    return st.sampled_from(spellings[hash_prefix])


def basic_authentications(*, hash_prefix: bool | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """``basicAuthentication`` input objects with a non-empty username and password.

    ``hash_prefix`` fixes whether ``@odata.type`` starts with ``#`` (None: either, as Graph accepts both).
    """
    _optional_bool("hash_prefix", hash_prefix)
    return st.fixed_dictionaries(
        {
            "@odata.type": _type_spellings(BASIC_AUTHENTICATION, hash_prefix),
            "username": st.text(_TEXT, min_size=1, max_size=40),
            "password": st.text(_TEXT, min_size=1, max_size=40),
        }
    )


# --- certificates ------------------------------------------------------------------------------------


def _window(validity: Validity, start_offset: int, length: int) -> tuple[dt.datetime, dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    if validity == "expired":
        end = now - dt.timedelta(seconds=start_offset)
        return end - dt.timedelta(seconds=length), end
    if validity == "future":
        start = now + dt.timedelta(seconds=start_offset)
        return start, start + dt.timedelta(seconds=length)
    # A current window reaches at least an hour either side of now, so slow tests do not see it expire.
    return now - dt.timedelta(seconds=start_offset), now + dt.timedelta(seconds=length)


def pkcs12_bundles(
    *,
    validities: Collection[Validity] = VALIDITIES,
    with_password: bool | None = None,
    key_types: Collection[str] = KEY_TYPES,
) -> st.SearchStrategy[GeneratedPkcs12]:
    """Real PKCS#12 bundles (a self-signed certificate and its key) from :func:`mockgraph.make_pkcs12`.

    ``validities`` picks the certificate's window relative to now: ``expired`` (ended at least an hour
    ago), ``current`` (began and ends at least an hour away) or ``future`` (begins at least an hour from
    now). ``with_password`` True/False fixes whether the bundle is encrypted (None: either); a password
    is printable ASCII. Keys are cached by ``make_pkcs12``, so a bundle costs about a millisecond
    (plus a few for the password's key derivation). Never generates a bundle without a key.
    """
    chosen = _check_subset("validities", validities, VALIDITIES)
    keys = _check_subset("key_types", key_types, KEY_TYPES)
    _optional_bool("with_password", with_password)
    passwords = {True: _ASCII_PASSWORD, False: st.just(""), None: st.one_of(st.just(""), _ASCII_PASSWORD)}

    def build(validity: Validity, offset: int, length: int, password: str, key_type: str) -> GeneratedPkcs12:
        not_before, not_after = _window(validity, offset, length)
        return make_pkcs12(password=password, not_before=not_before, not_after=not_after, key_type=key_type)

    return st.builds(
        build,
        st.sampled_from(chosen),
        st.integers(3600, 1000 * DAY),
        st.integers(3600, 1000 * DAY),
        passwords[with_password],
        st.sampled_from(keys),
    )


def pkcs12_certificates(
    *,
    hash_prefix: bool | None = None,
    validities: Collection[Validity] = VALIDITIES,
    with_password: bool | None = None,
    key_types: Collection[str] = KEY_TYPES,
) -> st.SearchStrategy[dict[str, Any]]:
    """``pkcs12Certificate`` input objects holding a real bundle and its password (``""`` when none).

    Options as for :func:`pkcs12_bundles` and :func:`basic_authentications`.
    """
    _optional_bool("hash_prefix", hash_prefix)
    bundles = pkcs12_bundles(validities=validities, with_password=with_password, key_types=key_types)
    return st.builds(
        lambda odata_type, bundle: {
            "@odata.type": odata_type,
            "pkcs12Value": bundle.base64,
            "password": bundle.password,
        },
        _type_spellings(PKCS12_CERTIFICATE, hash_prefix),
        bundles,
    )


def upload_bodies(
    *,
    validities: Collection[Validity] = VALIDITIES,
    with_password: bool | None = None,
    key_types: Collection[str] = KEY_TYPES,
) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies of ``uploadClientCertificate``: ``pkcs12Value`` (a real bundle) and ``password``; nothing else."""
    bundles = pkcs12_bundles(validities=validities, with_password=with_password, key_types=key_types)
    return bundles.map(lambda bundle: {"pkcs12Value": bundle.base64, "password": bundle.password})


def authentication_configurations(
    *,
    kinds: Collection[str] = AUTHENTICATION_KINDS,
    hash_prefix: bool | None = None,
    validities: Collection[Validity] = VALIDITIES,
    key_types: Collection[str] = KEY_TYPES,
) -> st.SearchStrategy[dict[str, Any]]:
    """Input ``authenticationConfiguration`` objects: ``basic`` and/or ``pkcs12`` (per ``kinds``).

    Never an output-only type (``clientCertificateAuthentication``) or the abstract base type.
    """
    chosen = _check_subset("kinds", kinds, AUTHENTICATION_KINDS)
    options = {
        "basic": basic_authentications(hash_prefix=hash_prefix),
        "pkcs12": pkcs12_certificates(hash_prefix=hash_prefix, validities=validities, key_types=key_types),
    }
    return st.one_of(*(options[kind] for kind in chosen))


def create_bodies(
    *,
    authentication_kinds: Collection[str] = AUTHENTICATION_KINDS,
    key_types: Collection[str] = KEY_TYPES,
) -> st.SearchStrategy[dict[str, Any]]:
    """Create bodies: the three required properties, sometimes the connector's own ``@odata.type``.

    Never an ``id`` (Graph generates it) and never an unknown property.
    """
    return st.fixed_dictionaries(
        {
            "displayName": display_names(),
            "targetUrl": target_urls(),
            "authenticationConfiguration": authentication_configurations(
                kinds=authentication_kinds, key_types=key_types
            ),
        },
        optional={"@odata.type": _type_spellings(CONNECTOR, None)},
    )


def update_bodies(
    *,
    authentication_kinds: Collection[str] = AUTHENTICATION_KINDS,
    key_types: Collection[str] = KEY_TYPES,
) -> st.SearchStrategy[dict[str, Any]]:
    """PATCH bodies: any subset of the updatable properties, the empty object included."""
    return st.fixed_dictionaries(
        {},
        optional={
            "displayName": display_names(),
            "targetUrl": target_urls(),
            "authenticationConfiguration": authentication_configurations(
                kinds=authentication_kinds, key_types=key_types
            ),
        },
    )


# --- what Graph returns ------------------------------------------------------------------------------


def certificate_informations() -> st.SearchStrategy[dict[str, Any]]:
    """``pkcs12CertificateInformation`` objects: 40 upper-hex thumbprint, ``notBefore`` < ``notAfter``."""
    return st.builds(
        lambda thumbprint, start, length, active: {
            "thumbprint": thumbprint,
            "notAfter": start + length,
            "notBefore": start,
            "isActive": active,
        },
        st.text("0123456789ABCDEF", min_size=40, max_size=40),
        st.integers(0, 4_000_000_000),
        st.integers(1, 100 * 365 * DAY),
        st.booleans(),
    )


def _certificate_lists() -> st.SearchStrategy[list[dict[str, Any]]]:
    def at_most_one_active(entries: list[dict[str, Any]], active: int | None) -> list[dict[str, Any]]:
        return [{**entry, "isActive": index == active} for index, entry in enumerate(entries)]

    lists = st.lists(certificate_informations(), min_size=1, max_size=4)
    return lists.flatmap(
        lambda entries: st.builds(
            at_most_one_active, st.just(entries), st.one_of(st.none(), st.integers(0, len(entries) - 1))
        )
    )


def api_connectors(*, version: str = "beta", with_context: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Connectors as Graph returns them: lower-case GUID ``id``, the password masked as ``******``, or
    certificate facts (at most one active). With ``with_context``, the entity's ``@odata.context``.

    Never a clear-text password, a PKCS#12 blob, or ``pkcs12Certificate`` (it is input-only).
    """
    if version not in ("beta", "v1.0"):
        raise InvalidArgument(f"version={version!r} must be 'beta' or 'v1.0'")
    if not isinstance(with_context, bool):
        raise InvalidArgument(f"with_context={with_context!r} must be a bool")
    basic = st.builds(
        lambda username: {"@odata.type": BASIC_AUTHENTICATION, "username": username, "password": "******"},
        st.text(_TEXT, min_size=1, max_size=40),
    )
    certificates = _certificate_lists().map(
        lambda entries: {"@odata.type": CLIENT_CERTIFICATE_AUTHENTICATION, "certificateList": entries}
    )
    context = f"https://graph.microsoft.com/{version}/$metadata#identity/apiConnectors/$entity"
    return st.builds(
        lambda object_id, name, url, configuration: {
            **({"@odata.context": context} if with_context else {}),
            "id": str(object_id),
            "displayName": name,
            "targetUrl": url,
            "authenticationConfiguration": configuration,
        },
        st.uuids(version=4),
        display_names(),
        target_urls(),
        st.one_of(basic, certificates),
    )
