"""Flask routes for Entra's discovery, key-set, user-realm and token endpoints (thin views over the issuer).

Asked on a ``*.ciamlogin.com`` host (the interceptor forwards those), the v2 discovery document and key set
are an external tenant's, with that host's issuer, so a validator set up with the production metadata URL
works unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify, request

from mockgraph.identity.discovery import (
    ciam_label,
    key_set,
    openid_configuration_v1,
    openid_configuration_v2,
)
from mockgraph.identity.issuer import TENANTLESS
from mockgraph.identity.oauth_errors import EntraError, unknown_tenant
from mockgraph.web.exposure import base_url as exposure_base_url
from mockgraph.web.http import sent_client_request_id, set_reason

if TYPE_CHECKING:
    from mockgraph.identity.gatekeeper import Gatekeeper


def register_entra_routes(app: Flask, gatekeeper: Gatekeeper) -> None:
    """Serve Entra's endpoints on ``app``, for every tenant (GUID, domain, ``common``, ``organizations``)."""

    def base_url() -> str:
        return exposure_base_url(gatekeeper.config.network).rstrip("/")

    def error(exc: EntraError) -> Response:
        response = jsonify(gatekeeper.issuer.error_body(exc, sent_client_request_id()))
        response.status_code = exc.status
        set_reason(response, exc.reason)
        return response

    def tenant_id(segment: str) -> str | None:
        """The tenant id a segment names; None for tenantless segments; raises for unknown ones."""
        if segment.lower() in TENANTLESS:
            return None
        tenant = gatekeeper.issuer.resolve_path_tenant(segment)
        if tenant is None:
            raise unknown_tenant(segment)
        return tenant.tenant_id

    def document(builder: Any, segment: str) -> Response:
        try:
            tid = tenant_id(segment)
        except EntraError as exc:
            exc.error = "invalid_tenant"
            return error(exc)
        return jsonify(builder(base_url(), segment, tid))

    @app.get("/<tenant>/v2.0/.well-known/openid-configuration", endpoint="entra_openid_configuration_v2")
    def openid_v2(tenant: str) -> Response:
        ciam = ciam_label(request.host)
        return document(lambda *args: openid_configuration_v2(*args, ciam=ciam), tenant)

    @app.get("/<tenant>/.well-known/openid-configuration", endpoint="entra_openid_configuration_v1")
    def openid_v1(tenant: str) -> Response:
        return document(openid_configuration_v1, tenant)

    @app.get("/<tenant>/discovery/v2.0/keys", endpoint="entra_keys_v2")
    def keys_v2(tenant: str) -> Response:
        try:
            tid = tenant_id(tenant)
        except EntraError as exc:
            exc.error = "invalid_tenant"
            return error(exc)
        return jsonify(key_set((gatekeeper.key,), tenant_id=tid, v2=True, ciam=ciam_label(request.host)))

    @app.get("/<tenant>/discovery/keys", endpoint="entra_keys_v1")
    def keys_v1(tenant: str) -> Response:
        return jsonify(key_set((gatekeeper.key,)))

    @app.get("/common/userrealm/<path:username>", endpoint="entra_user_realm")
    def user_realm(username: str) -> Response:
        # MSAL asks before a password grant; "Managed" makes it post the password to the token endpoint.
        domain = username.rpartition("@")[2]
        known = gatekeeper.directory.resolve_tenant(domain) is not None
        return jsonify(
            {
                "ver": "1.0",
                "account_type": "Managed" if known else "Unknown",
                "domain_name": domain,
                "cloud_instance_name": "microsoftonline.com",
                "cloud_audience_urn": "urn:federation:MicrosoftOnline",
            }
        )

    @app.post("/<tenant>/oauth2/v2.0/token", endpoint="entra_token_v2")
    def token(tenant: str) -> Response:
        auth = request.authorization
        basic = (auth.username or "", auth.password or "") if auth and auth.type == "basic" else None
        result = gatekeeper.issuer.issue(
            tenant, request.form.to_dict(), basic_auth=basic, correlation_id=sent_client_request_id()
        )
        response = jsonify(result.body)
        response.status_code = result.status
        response.headers.update(result.headers)
        set_reason(response, result.reason)
        return response
