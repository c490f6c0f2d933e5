"""What one callout goes to: an ``ExtensionTarget`` (typed), and ``from_records`` reading Graph's records into one.

The target holds everything the call depends on that Graph stores: the event, the URL, the API app
(``resourceId`` and its app id, ``accessTokenAcceptedVersion``), the client configuration after the
listener's overrides, the tenant and its kind, the listener and extension ids, and (password submit) the
key the password is encrypted to.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from mockgraph.callouts.events import Event, event_for_type
from mockgraph.callouts.jwe import ALGORITHMS, ENCRYPTIONS, public_key_from
from mockgraph.core.config import DEFAULT_TENANT_DOMAIN, DEFAULT_TENANT_ID

# "Azure AD Authentication Extensions": the client of every callout token (reference §8.2).
AUTHENTICATION_EVENTS_APP_ID = "99045fe1-7639-4a75-9d4a-577b6ca3810f"
MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS = 200, 2000, 1000
# "If null, the default for the service applies" (§10.3): the service default is undocumented; one retry.
DEFAULT_MAXIMUM_RETRIES = 1
FALLBACK_TO_MICROSOFT = "#microsoft.graph.fallbackToMicrosoftProviderOnError"
# api://{host}/{appId} as the how-tos write it, or api://{appId} (the account-recovery how-to).
_RESOURCE_ID = re.compile(r"^api://(?:[^/]+/)?(?P<app>[0-9a-fA-F-]{36})$")


class TenantKind(StrEnum):
    WORKFORCE = "workforce"
    EXTERNAL = "external"


class IssuerHost(StrEnum):
    """Which ``*.ciamlogin.com`` host an external tenant's tokens name: the docs' domain, or the tenant id."""

    DOMAIN = "domain"
    TENANT_ID = "tenantId"


@dataclass(frozen=True)
class PasswordEncryption:
    """The public key (from the API app's certificate or ``keyCredentials``) the password is encrypted to.

    ``algorithm`` and ``encryption`` are the JWE ``alg`` and ``enc``; Entra's are undocumented (§12 Q13).
    """

    public_key: rsa.RSAPublicKey
    algorithm: str = "RSA-OAEP-256"
    encryption: str = "A256GCM"
    key_id: str | None = None

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"JWE alg must be one of {', '.join(ALGORITHMS)}")
        if self.encryption not in ENCRYPTIONS:
            raise ValueError(f"JWE enc must be one of {', '.join(ENCRYPTIONS)}")

    @classmethod
    def of(cls, key: Any, **options: Any) -> PasswordEncryption:
        """From an RSA public or private key, a PEM certificate or key, or a public JWK dict."""
        return cls(public_key_from(key), **options)


@dataclass(frozen=True)
class ExtensionTarget:
    """One custom authentication extension as a listener calls it (reference §2, §3, §8).

    ``resource_id`` is the extension's ``authenticationConfiguration.resourceId`` (``api://{host}/{appId}``);
    ``api_app_id`` defaults to the GUID at its end. ``access_token_version`` is the API app's
    ``accessTokenAcceptedVersion`` (1 or None mean v1, as the docs say; 2 means v2). ``timeout_ms`` and
    ``maximum_retries`` are the effective ``clientConfiguration`` (listener overrides applied).
    """

    event: Event
    target_url: str
    resource_id: str
    api_app_id: str | None = None
    access_token_version: int | None = 2
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    maximum_retries: int = DEFAULT_MAXIMUM_RETRIES
    tenant_id: str = DEFAULT_TENANT_ID
    tenant_kind: TenantKind = TenantKind.EXTERNAL
    tenant_domain: str = DEFAULT_TENANT_DOMAIN
    issuer_host: IssuerHost = IssuerHost.DOMAIN
    listener_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    extension_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    display_name: str = "custom authentication extension"
    fallback_to_microsoft_on_error: bool = False
    claims_for_token: tuple[str, ...] = ()
    password_encryption: PasswordEncryption | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "event", Event.parse(self.event))
        object.__setattr__(self, "tenant_kind", TenantKind(self.tenant_kind))
        object.__setattr__(self, "issuer_host", IssuerHost(self.issuer_host))
        if not MIN_TIMEOUT_MS <= self.timeout_ms <= MAX_TIMEOUT_MS:
            raise ValueError(f"timeout_ms must be between {MIN_TIMEOUT_MS} and {MAX_TIMEOUT_MS}")
        if self.maximum_retries not in (0, 1):
            raise ValueError("maximum_retries must be 0 or 1")
        if self.access_token_version not in (None, 1, 2):
            raise ValueError("access_token_version must be 1, 2 or None")
        if self.api_app_id is None:
            match = _RESOURCE_ID.match(self.resource_id)
            app_id = match.group("app") if match else None
            if app_id is None:
                try:
                    app_id = str(uuid.UUID(self.resource_id))
                except ValueError:
                    raise ValueError(
                        "resource_id is not api://{host}/{appId}, api://{appId} nor an app id: give api_app_id"
                    ) from None
            object.__setattr__(self, "api_app_id", app_id.lower())

    @property
    def app_id(self) -> str:
        """The API app's id (``api_app_id``, or the GUID ``resource_id`` ends with)."""
        assert self.api_app_id is not None  # set in __post_init__
        return self.api_app_id

    @property
    def token_version(self) -> int:
        """2 for ``accessTokenAcceptedVersion`` 2; 1 for 1 or null (reference §8.2)."""
        return 2 if self.access_token_version == 2 else 1

    @property
    def timeout_seconds(self) -> float:
        return self.timeout_ms / 1000

    @property
    def domain_label(self) -> str:
        """``contoso`` for ``contoso.onmicrosoft.com``: the host label of the docs' ciamlogin issuer."""
        return self.tenant_domain.partition(".")[0].lower() or self.tenant_id

    def with_options(self, **changes: Any) -> ExtensionTarget:
        return replace(self, **changes)


def _clamped(value: Any, low: int, high: int, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return min(max(value, low), high)


def client_configuration(
    extension: Mapping[str, Any], listener: Mapping[str, Any] | None
) -> tuple[int, int, bool]:
    """(timeout ms, maximum retries, fall back to Microsoft) after the listener handler's overrides.

    A listener's ``handler.configuration`` (``customExtensionOverwriteConfiguration``) replaces the
    extension's ``clientConfiguration`` and ``behaviorOnError`` member by member where it sets them. Values
    outside the documented ranges (Graph may store them, §7) are clamped: the service cannot honour them.
    """
    own = extension.get("clientConfiguration") or {}
    overrides = ((listener or {}).get("handler") or {}).get("configuration") or {}
    over = overrides.get("clientConfiguration") or {}
    timeout = over.get("timeoutInMilliseconds", own.get("timeoutInMilliseconds"))
    retries = over.get("maximumRetries", own.get("maximumRetries"))
    behavior = overrides.get("behaviorOnError") or extension.get("behaviorOnError") or {}
    fallback = str(behavior.get("@odata.type", "")).lstrip("#").lower() == FALLBACK_TO_MICROSOFT[1:].lower()
    return (
        _clamped(timeout, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS),
        _clamped(retries, 0, 1, DEFAULT_MAXIMUM_RETRIES),
        fallback,
    )


def from_records(
    extension: Mapping[str, Any],
    listener: Mapping[str, Any] | None = None,
    *,
    tenant_id: str = DEFAULT_TENANT_ID,
    tenant_kind: TenantKind | str = TenantKind.EXTERNAL,
    tenant_domain: str = DEFAULT_TENANT_DOMAIN,
    access_token_version: int | None = 2,
    api_app_id: str | None = None,
    **options: Any,
) -> ExtensionTarget:
    """The target of ``extension`` (a ``customAuthenticationExtensions`` record as Graph renders it), called
    by ``listener`` (an ``authenticationEventListeners`` record, or None for a flow's handler).

    The API app's ``accessTokenAcceptedVersion`` and the tenant are not on these records: pass them. Other
    ``options`` are ``ExtensionTarget`` fields (``issuer_host``, ``password_encryption``...).

    :raises ValueError: the extension has no callout, no ``targetUrl`` or no ``resourceId``.
    """
    event = event_for_type(str(extension.get("@odata.type", "")))
    endpoint = extension.get("endpointConfiguration") or {}
    authentication = extension.get("authenticationConfiguration") or {}
    target_url, resource_id = endpoint.get("targetUrl"), authentication.get("resourceId")
    if not isinstance(target_url, str) or not target_url:
        raise ValueError("the extension has no endpointConfiguration.targetUrl")
    if not isinstance(resource_id, str) or not resource_id:
        raise ValueError("the extension has no authenticationConfiguration.resourceId")
    timeout, retries, fallback = client_configuration(extension, listener)
    claims = tuple(
        str(item["claimIdInApiResponse"])
        for item in extension.get("claimsForTokenConfiguration") or []
        if isinstance(item, Mapping) and item.get("claimIdInApiResponse")
    )
    chosen: dict[str, Any] = {
        "listener_id": str((listener or {}).get("id") or uuid.uuid4()),
        "extension_id": str(extension.get("id") or uuid.uuid4()),
        "display_name": str(extension.get("displayName") or "custom authentication extension"),
        **options,
    }
    return ExtensionTarget(
        event=event,
        target_url=target_url,
        resource_id=resource_id,
        api_app_id=api_app_id,
        access_token_version=access_token_version,
        timeout_ms=timeout,
        maximum_retries=retries,
        tenant_id=tenant_id.lower(),
        tenant_kind=TenantKind(tenant_kind),
        tenant_domain=tenant_domain,
        fallback_to_microsoft_on_error=fallback,
        claims_for_token=claims,
        **chosen,
    )


def listener_applies(listener: Mapping[str, Any], app_id: str) -> bool:
    """Whether ``listener``'s ``conditions.applications`` include ``app_id`` (or all applications)."""
    applications = (listener.get("conditions") or {}).get("applications") or {}
    if applications.get("includeAllApplications"):
        return True
    included = applications.get("includeApplications") or []
    return any(str(item.get("appId", "")).lower() == app_id.lower() for item in included)
