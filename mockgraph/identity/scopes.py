"""Reading the ``scope`` parameter of a token request: Graph's ``/.default`` and delegated scope names."""

from __future__ import annotations

from mockgraph.core.text import clip
from mockgraph.identity.oauth_errors import EntraError, missing_parameter
from mockgraph.identity.tokens import GRAPH_APP_ID, GRAPH_AUDIENCE

OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})
GRAPH_RESOURCES = (GRAPH_AUDIENCE + "/", GRAPH_APP_ID + "/")


def check_default_scope(scope: str, segment: str) -> None:
    """Client credentials take exactly one ``{resource}/.default`` scope, and only Graph is a resource here."""
    if not scope:
        raise missing_parameter("scope")
    items = scope.split()
    if len(items) != 1 or not items[0].endswith("/.default"):
        raise EntraError(
            400,
            "invalid_scope",
            1002012,
            f"The provided value for scope {clip(scope)} is not valid. Client credential flows must have a "
            "scope value with /.default suffixed to the resource identifier (application ID URI).",
            f"scope '{clip(scope)}' is not a single /.default scope",
        )
    resource = items[0][: -len(".default")]
    if resource.lower() not in GRAPH_RESOURCES:
        raise EntraError(
            400,
            "invalid_resource",
            500011,
            f"The resource principal named {clip(resource.rstrip('/'))} was not found in the tenant named "
            f"{clip(segment)}. "
            "This can happen if the application has not been installed by the administrator of the tenant or "
            "consented to by any user in the tenant. You might have sent your authentication request to the "
            "wrong tenant.",
            f"scope resource '{clip(resource)}' is not Microsoft Graph",
        )


def delegated_scopes(scope: str) -> tuple[tuple[str, ...] | None, frozenset[str]]:
    """Split a delegated scope string into Graph scope names (None = ``.default``) and OIDC scopes.

    :raises EntraError: AADSTS70011 for a scope of any resource other than Graph.
    """
    names: list[str] = []
    oidc: set[str] = set()
    default = False
    for item in scope.split():
        if item in OIDC_SCOPES:
            oidc.add(item)
            continue
        prefix = next((p for p in GRAPH_RESOURCES if item.lower().startswith(p)), None)
        if prefix is None and ("/" in item or ":" in item):
            raise EntraError(
                400,
                "invalid_scope",
                70011,
                f"The provided value for the input parameter 'scope' isn't valid. The scope {clip(item)} isn't "
                "valid.",
                f"scope '{clip(item)}' is not a Microsoft Graph scope",
            )
        short = item[len(prefix) :] if prefix else item
        if short == ".default":
            default = True
        else:
            names.append(short)
    if default or not names:
        return None, frozenset(oidc)
    return tuple(dict.fromkeys(names)), frozenset(oidc)
