"""Entra's OpenID discovery documents and key sets, built for a base URL (pure data, no HTTP).

Two issuer families: workforce tenants' ``https://login.microsoftonline.com/{tid}/v2.0`` and external
(CIAM) tenants' ``https://{label}.ciamlogin.com/{tid}/v2.0``, where the label is the tenant's initial
domain prefix (``contoso`` of ``contoso.onmicrosoft.com``, as the docs write it) or its id (as production
tokens were seen to carry it). The CIAM documents are served on whichever ``*.ciamlogin.com`` host asks.
"""

from __future__ import annotations

from typing import Any

from mockgraph.identity.keys import SigningKey

TENANT_PLACEHOLDER = "{tenantid}"
LOGIN_HOST = "login.microsoftonline.com"
CIAM_DOMAIN = "ciamlogin.com"


def workforce_issuer(tenant_id: str) -> str:
    """The v2 issuer of a workforce tenant's tokens."""
    return f"https://{LOGIN_HOST}/{tenant_id}/v2.0"


def ciam_issuer(label: str, tenant_id: str) -> str:
    """The v2 issuer of an external tenant's tokens at ``{label}.ciamlogin.com``."""
    return f"https://{label.lower()}.{CIAM_DOMAIN}/{tenant_id}/v2.0"


def ciam_label(host: str) -> str | None:
    """``contoso`` for ``contoso.ciamlogin.com`` (port and case ignored); None for any other host."""
    name = host.partition(":")[0].lower().rstrip(".")
    label, dot, domain = name.partition(".")
    return label if dot and domain == CIAM_DOMAIN and label else None


_CLAIMS_V2 = [
    "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host",
    "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash",
    "c_hash", "email",
]  # fmt: skip
_CLAIMS_V1 = [
    "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host",
    "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname",
]  # fmt: skip
_AUTH_METHODS = ["client_secret_post", "private_key_jwt", "client_secret_basic"]


def _cloud(region: str | None) -> dict[str, Any]:
    return {
        "tenant_region_scope": region,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }


def openid_configuration_v2(
    base_url: str, segment: str, tenant_id: str | None, *, ciam: str | None = None
) -> dict[str, Any]:
    """``/{tenant}/v2.0/.well-known/openid-configuration``; ``tenant_id`` None for common/organizations.

    Endpoints point at ``base_url`` (the emulator itself); the issuer keeps Entra's real host, because it
    is an identifier that tokens carry, not a URL anyone fetches. ``ciam`` (the label of a
    ``*.ciamlogin.com`` host) makes it an external tenant's document, with that host's issuer.
    """
    path = tenant_id or segment
    root = f"{base_url}/{path}"
    issuer = (
        workforce_issuer(tenant_id or TENANT_PLACEHOLDER)
        if ciam is None
        else ciam_issuer(ciam, tenant_id or TENANT_PLACEHOLDER)
    )
    return {
        "token_endpoint": f"{root}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": _AUTH_METHODS,
        "jwks_uri": f"{root}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
        "claims_supported": _CLAIMS_V2,
        "kerberos_endpoint": f"{root}/kerberos",
        **_cloud("NA" if tenant_id else None),
        **({"cloud_instance_name": CIAM_DOMAIN} if ciam is not None else {}),
    }


def openid_configuration_v1(base_url: str, segment: str, tenant_id: str | None) -> dict[str, Any]:
    """``/{tenant}/.well-known/openid-configuration``: its issuer is the one Graph access tokens carry."""
    path = tenant_id or segment
    root = f"{base_url}/{path}"
    return {
        "token_endpoint": f"{root}/oauth2/token",
        "token_endpoint_auth_methods_supported": _AUTH_METHODS,
        "jwks_uri": f"{base_url}/common/discovery/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": f"https://sts.windows.net/{tenant_id or TENANT_PLACEHOLDER}/",
        "microsoft_multi_refresh_token": True,
        "authorization_endpoint": f"{root}/oauth2/authorize",
        "device_authorization_endpoint": f"{root}/oauth2/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{root}/oauth2/logout",
        "claims_supported": _CLAIMS_V1,
        "userinfo_endpoint": f"{root}/openid/userinfo",
        "kerberos_endpoint": f"{root}/kerberos",
        **_cloud("NA" if tenant_id else None),
    }


def key_set(
    keys: tuple[SigningKey, ...],
    *,
    tenant_id: str | None = None,
    v2: bool = False,
    ciam: str | None = None,
) -> dict[str, Any]:
    """A JWKS; v2 key sets also name the issuer each key signs for, as Entra's do (``ciam``: see above)."""
    tenant = tenant_id or TENANT_PLACEHOLDER
    issuer = workforce_issuer(tenant) if ciam is None else ciam_issuer(ciam, tenant)
    entries = []
    for key in keys:
        entry = key.public_jwk()
        if v2:
            entry["issuer"] = issuer
        entries.append(entry)
    return {"keys": entries}
