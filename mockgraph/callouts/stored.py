"""Callout targets read from an emulator's own state: the stored extension, the listener that names it, and the
API app's ``accessTokenAcceptedVersion`` from the directory.

So a test that configured its extension and listener through Graph (the ``customAuthenticationExtensions`` and
``authenticationEventListeners`` resources) calls the endpoint exactly as that configuration says.
"""

from __future__ import annotations

from typing import Any

from mockgraph.callouts.target import ExtensionTarget, TenantKind, from_records, listener_applies
from mockgraph.core.errors import ResourceNotFound
from mockgraph.identity.directory import Directory
from mockgraph.storage.store import Store

EXTENSIONS = "customAuthenticationExtensions"
LISTENERS = "authenticationEventListeners"


def stored_target(
    store: Store,
    directory: Directory,
    extension_id: str,
    *,
    tenant_id: str | None = None,
    app_id: str | None = None,
    tenant_kind: TenantKind | str = TenantKind.EXTERNAL,
    **options: Any,
) -> ExtensionTarget:
    """The target of the stored extension ``extension_id`` in the tenant (the directory's default when None).

    The listener is the one whose handler names the extension (and, with ``app_id``, whose conditions include
    that app); its ``handler.configuration`` overrides the extension's timeout and retries, as Entra does. The
    API app is found by the extension's ``resourceId`` (its app id, or one of its identifier URIs); its
    ``accessTokenAcceptedVersion`` chooses the token's audience and version.

    :raises ResourceNotFound: no such extension in the tenant.
    """
    tenant = (tenant_id or directory.default_tenant_id).lower()
    extension = store.get(tenant, EXTENSIONS, extension_id)
    if extension is None:
        raise ResourceNotFound(extension_id, reason=f"no stored extension {extension_id} in tenant {tenant}")
    listener = next(
        (
            record
            for record in store.list(tenant, LISTENERS)
            if _names(record, extension["id"]) and (app_id is None or listener_applies(record, app_id))
        ),
        None,
    )
    resource_id = str((extension.get("authenticationConfiguration") or {}).get("resourceId") or "")
    api_app = next(
        (
            app
            for app in directory.entries().apps
            if app.tenant_id.lower() == tenant
            and (app.client_id.lower() == resource_id.lower() or resource_id in app.identifier_uris)
        ),
        None,
    )
    found_tenant = directory.tenant(tenant)
    return from_records(
        extension,
        listener,
        tenant_id=tenant,
        tenant_kind=tenant_kind,
        access_token_version=api_app.access_token_accepted_version if api_app else 2,
        api_app_id=api_app.client_id if api_app else None,
        **({"tenant_domain": found_tenant.domain} if found_tenant and found_tenant.domain else {}),
        **options,
    )


def _names(listener: dict[str, Any], extension_id: str) -> bool:
    reference = ((listener.get("handler") or {}).get("customExtension") or {}).get("id")
    return isinstance(reference, str) and reference.lower() == extension_id.lower()
