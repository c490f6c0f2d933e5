"""The contract scenarios ``mockgraph verify`` runs: the lifecycle, every documented example, the refusals.

Request bodies of the documented examples are copied from Microsoft's pages (reference section 1); their
placeholder PKCS#12 value is replaced by a real bundle made with the documented password, since Graph
parses it. Each scenario creates what it needs and records it for the probe to delete.
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from mockgraph.core.certificates import GeneratedPkcs12, make_pkcs12
from mockgraph.verify import events_scenarios as events
from mockgraph.verify.probe import Probe, Scenario, ScenarioSkipped

BASIC = "#microsoft.graph.basicAuthentication"
CLIENT_CERTIFICATE = "#microsoft.graph.clientCertificateAuthentication"
FULL = "identityApiConnectorFull"
NOT_FOUND = "Request_ResourceNotFound"
TOKEN_REFUSED = "InvalidAuthenticationToken"

CREATE_EXAMPLE_1 = {
    "displayName": "Test API",
    "targetUrl": "https://someapi.com/api",
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.basicAuthentication",
        "username": "<USERNAME>",
        "password": "<PASSWORD>",
    },
}
UPDATE_EXAMPLE_1 = {
    "displayName": "New Test API",
    "targetUrl": "https://otherapi.com/api/endpoint",
    "authenticationConfiguration": {
        "@odata.type": "microsoft.graph.basicAuthentication",
        "username": "<NEW_USERNAME>",
        "password": "<NEW_PASSWORD>",
    },
}


def pkcs12_configuration(bundle: GeneratedPkcs12) -> dict[str, str]:
    return {
        "@odata.type": "#microsoft.graph.pkcs12Certificate",
        "pkcs12Value": bundle.base64,
        "password": bundle.password,
    }


def create(probe: Probe, body: dict[str, Any], step: str) -> dict[str, Any] | None:
    """POST a connector expecting 201; remember it for cleanup; None if it was not created."""
    configuration = body.get("authenticationConfiguration", {})
    probe.secret(configuration.get("password", ""), configuration.get("pkcs12Value", ""))
    reply = probe.call("POST", status=201, json_body=body, contract=FULL, step=step)
    if reply is None or not isinstance(reply.document, dict) or not isinstance(reply.document.get("id"), str):
        return None
    if reply.status == 201:
        probe.created.append(reply.document["id"])
        return dict(reply.document)
    return None


def basic_body(probe: Probe, label: str) -> dict[str, Any]:
    return {
        "displayName": probe.name(label),
        "targetUrl": "https://mockgraph-verify.example/api",
        "authenticationConfiguration": {
            "@odata.type": BASIC,
            "username": "verify-user",
            "password": uuid.uuid4().hex,
        },
    }


def get(probe: Probe, object_id: str, step: str) -> dict[str, Any] | None:
    reply = probe.call("GET", f"/{object_id}", status=200, contract=FULL, step=step)
    return dict(reply.document) if reply is not None and isinstance(reply.document, dict) else None


def thumbprints(connector: dict[str, Any] | None) -> list[str]:
    configuration = (connector or {}).get("authenticationConfiguration") or {}
    return [entry.get("thumbprint") for entry in configuration.get("certificateList", [])]


def active_thumbprints(connector: dict[str, Any] | None) -> list[str]:
    configuration = (connector or {}).get("authenticationConfiguration") or {}
    return [
        entry.get("thumbprint") for entry in configuration.get("certificateList", []) if entry.get("isActive")
    ]


# --- the whole lifecycle --------------------------------------------------------------------------------


def lifecycle(probe: Probe) -> None:
    body = basic_body(probe, "lifecycle")
    created = create(probe, body, "create (basic authentication)")
    if created is None:
        return
    object_id = created["id"]
    masked = {**body["authenticationConfiguration"], "password": "******"}
    probe.expect_equal(
        "create", "authenticationConfiguration", masked, created.get("authenticationConfiguration")
    )
    fetched = get(probe, object_id, "get after create")
    probe.expect_equal(
        "get after create", "displayName", body["displayName"], (fetched or {}).get("displayName")
    )
    listed = probe.call("GET", status=200, contract="identityApiConnectorCollectionResponse", step="list")
    ids = [item.get("id") for item in (listed.document or {}).get("value", [])] if listed else []
    probe.expect_equal("list", "the new connector listed", True, object_id in ids)
    probe.call("GET", "/$count", status=200, contract="count", step="count")
    probe.call(
        "PATCH", f"/{object_id}", status=204, json_body={"displayName": probe.name("renamed")}, step="rename"
    )
    renamed = get(probe, object_id, "get after rename")
    probe.expect_equal(
        "get after rename", "displayName", probe.name("renamed"), (renamed or {}).get("displayName")
    )
    first, second = make_pkcs12(password="first-pass"), make_pkcs12(password="")
    probe.secret(first.base64, second.base64, first.password)
    patch = {"authenticationConfiguration": pkcs12_configuration(first)}
    probe.call("PATCH", f"/{object_id}", status=204, json_body=patch, step="switch to a certificate")
    switched = get(probe, object_id, "get after switch")
    probe.expect_equal(
        "get after switch", "certificateList thumbprints", [first.facts.thumbprint], thumbprints(switched)
    )
    upload = {"pkcs12Value": second.base64, "password": ""}
    reply = probe.call(
        "POST",
        f"/{object_id}/microsoft.graph.uploadClientCertificate",
        status=200,
        json_body=upload,
        contract=FULL,
    )
    uploaded = reply.document if reply is not None and isinstance(reply.document, dict) else None
    expected = sorted([first.facts.thumbprint, second.facts.thumbprint])
    probe.expect_equal("upload a second certificate", "thumbprints", expected, sorted(thumbprints(uploaded)))
    probe.expect_equal(
        "upload a second certificate", "active", [second.facts.thumbprint], active_thumbprints(uploaded)
    )
    deleted = probe.call("DELETE", f"/{object_id}", status=204, step="delete")
    if deleted is not None and deleted.status == 204:
        probe.created.remove(object_id)
    probe.call("GET", f"/{object_id}", status=404, code=NOT_FOUND, step="get after delete")


# --- every documented example ------------------------------------------------------------------------------


def entity_context(
    probe: Probe, document: dict[str, Any] | None, step: str, suffix: str = "/$entity"
) -> None:
    context = str((document or {}).get("@odata.context", ""))
    wanted = f"/{probe.target.version}/$metadata#identity/apiConnectors{suffix}"
    if not context.endswith(wanted):
        probe.diverge(step, "value", f"@odata.context ending in {wanted}", context or "none")


def docs_create_basic(probe: Probe) -> None:
    created = create(probe, CREATE_EXAMPLE_1, "POST (create example 1)")
    entity_context(probe, created, "POST (create example 1)")
    documented = {
        "displayName": "Test API",
        "targetUrl": "https://someapi.com/api",
        "authenticationConfiguration": {"@odata.type": BASIC, "username": "<USERNAME>", "password": "******"},
    }
    if created is not None:
        shown = {name: created.get(name) for name in documented}
        probe.expect_equal("POST (create example 1)", "the documented response", documented, shown)


def docs_create_certificate(probe: Probe) -> None:
    bundle = make_pkcs12(password="<password>")
    body = {"displayName": "Test API", "targetUrl": "https://someotherapi.com/api"}
    created = create(
        probe,
        {**body, "authenticationConfiguration": pkcs12_configuration(bundle)},
        "POST (create example 2)",
    )
    facts = bundle.facts
    documented = {
        "@odata.type": CLIENT_CERTIFICATE,
        "certificateList": [
            {
                "thumbprint": facts.thumbprint,
                "notAfter": facts.not_after,
                "notBefore": facts.not_before,
                "isActive": True,
            }
        ],
    }
    if created is not None:
        probe.expect_equal(
            "POST (create example 2)",
            "authenticationConfiguration",
            documented,
            created.get("authenticationConfiguration"),
        )


def docs_list_and_get(probe: Probe) -> None:
    created = create(probe, basic_body(probe, "list"), "create")
    if created is None:
        return
    listed = probe.call(
        "GET", "/", status=200, contract="identityApiConnectorCollectionResponse", step="GET (list)"
    )
    entity_context(probe, listed.document if listed else None, "GET (list)", suffix="")
    items = (
        [item for item in (listed.document or {}).get("value", []) if item.get("id") == created["id"]]
        if listed
        else []
    )
    expected = {key: value for key, value in created.items() if key != "@odata.context"}
    probe.expect_equal("GET (list)", "the created connector", [expected], items)
    fetched = get(probe, created["id"], "GET (get)")
    entity_context(probe, fetched, "GET (get)")
    probe.expect_equal("GET (get)", "the created connector", created, fetched)


def docs_update_basic(probe: Probe) -> None:
    created = create(probe, basic_body(probe, "update"), "create")
    if created is None:
        return
    probe.secret("<NEW_PASSWORD>")
    probe.call(
        "PATCH", f"/{created['id']}", status=204, json_body=UPDATE_EXAMPLE_1, step="PATCH (update example 1)"
    )
    after = get(probe, created["id"], "GET after update example 1") or {}
    expected = {
        **UPDATE_EXAMPLE_1,
        "authenticationConfiguration": {
            "@odata.type": BASIC,
            "username": "<NEW_USERNAME>",
            "password": "******",
        },
    }
    probe.expect_equal(
        "GET after update example 1", "the updated connector", expected, {k: after.get(k) for k in expected}
    )


def docs_update_certificate(probe: Probe) -> None:
    created = create(probe, basic_body(probe, "update-certificate"), "create")
    if created is None:
        return
    bundle = make_pkcs12(password="secret")
    probe.secret(bundle.base64)
    body = {"authenticationConfiguration": pkcs12_configuration(bundle)}
    probe.call("PATCH", f"/{created['id']}", status=204, json_body=body, step="PATCH (update example 2)")
    after = get(probe, created["id"], "GET after update example 2")
    probe.expect_equal(
        "GET after update example 2", "thumbprints", [bundle.facts.thumbprint], thumbprints(after)
    )
    probe.expect_equal(
        "GET after update example 2",
        "displayName kept",
        created["displayName"],
        (after or {}).get("displayName"),
    )


def docs_delete(probe: Probe) -> None:
    created = create(probe, basic_body(probe, "delete"), "create")
    if created is None:
        return
    reply = probe.call("DELETE", f"/{created['id']}", status=204, step="DELETE")
    if reply is not None and reply.status == 204:
        probe.created.remove(created["id"])
    probe.call("GET", f"/{created['id']}", status=404, code=NOT_FOUND, step="GET after DELETE")


def docs_upload(probe: Probe) -> None:
    first = make_pkcs12(password="<password>")
    body = {"displayName": probe.name("upload"), "targetUrl": "https://api.contoso.com/endpoint"}
    created = create(probe, {**body, "authenticationConfiguration": pkcs12_configuration(first)}, "create")
    if created is None:
        return
    second = make_pkcs12(password="<password>")
    probe.secret(second.base64)
    # The docs write this path with a lower-case 'apiconnectors' and the short action name.
    url = probe.url(f"/{created['id']}/uploadClientCertificate").replace("/apiConnectors/", "/apiconnectors/")
    upload = {"pkcs12Value": second.base64, "password": "<password>"}
    reply = probe.call(
        "POST", url, status=200, json_body=upload, contract=FULL, step="POST (uploadClientCertificate)"
    )
    document = reply.document if reply is not None and isinstance(reply.document, dict) else None
    expected = sorted([first.facts.thumbprint, second.facts.thumbprint])
    probe.expect_equal(
        "POST (uploadClientCertificate)", "thumbprints", expected, sorted(thumbprints(document))
    )


# --- the refusals -------------------------------------------------------------------------------------------


def refuse_without_token(probe: Probe) -> None:
    reply = probe.call("GET", status=401, code=TOKEN_REFUSED, token=None, step="GET (list) without a token")
    if reply is not None and reply.status == 401 and "www-authenticate" not in reply.headers:
        probe.diverge("GET (list) without a token", "header", "a WWW-Authenticate header", "none")
    probe.call(
        "GET", status=401, code=TOKEN_REFUSED, token="not-a-jwt", step="GET (list) with a malformed token"
    )


def refuse_unknown_id(probe: Probe) -> None:
    unknown = str(uuid.uuid4())
    bundle = make_pkcs12()
    probe.call("GET", f"/{unknown}", status=404, code=NOT_FOUND)
    probe.call("PATCH", f"/{unknown}", status=404, code=NOT_FOUND, json_body={"displayName": "x"})
    probe.call("DELETE", f"/{unknown}", status=404, code=NOT_FOUND)
    upload = {"pkcs12Value": bundle.base64, "password": ""}
    probe.call("POST", f"/{unknown}/uploadClientCertificate", status=404, code=NOT_FOUND, json_body=upload)


def refuse_bad_bodies(probe: Probe) -> None:
    good = basic_body(probe, "refused")
    configuration = good["authenticationConfiguration"]
    bundle = make_pkcs12(password="right")
    bad_bodies: dict[str, Any] = {
        "missing displayName": {k: v for k, v in good.items() if k != "displayName"},
        "unknown property": {**good, "colour": "blue"},
        "unknown @odata.type": {
            **good,
            "authenticationConfiguration": {**configuration, "@odata.type": "#microsoft.graph.oauth2"},
        },
        "missing @odata.type": {**good, "authenticationConfiguration": {"username": "u", "password": "p"}},
        "output-only type": {
            **good,
            "authenticationConfiguration": {"@odata.type": CLIENT_CERTIFICATE, "certificateList": []},
        },
        "wrong type": {**good, "displayName": 42},
        "bad base64": {
            **good,
            "authenticationConfiguration": {**pkcs12_configuration(bundle), "pkcs12Value": "not base64!"},
        },
        "wrong PKCS#12 password": {
            **good,
            "authenticationConfiguration": {**pkcs12_configuration(bundle), "password": "wrong"},
        },
    }
    probe.secret(bundle.base64)
    for label, body in bad_bodies.items():
        reply = probe.call("POST", status=400, code="BadRequest", json_body=body, step=f"POST ({label})")
        if reply is not None and reply.status == 201 and isinstance(reply.document, dict):
            probe.created.append(str(reply.document.get("id")))
    reply = probe.call(
        "POST", status=400, code="BadRequest", raw_body=b'{"displayName": ', step="POST (malformed JSON)"
    )
    if reply is not None and reply.status == 201 and isinstance(reply.document, dict):
        probe.created.append(str(reply.document.get("id")))


def refuse_method(probe: Probe) -> None:
    probe.call("PUT", f"/{uuid.uuid4()}", status=405, json_body={"displayName": "x"})
    probe.call("DELETE", status=405)


def refuse_unknown_segment(probe: Probe) -> None:
    url = probe.url().replace("/apiConnectors", "/apiConnectorz")
    reply = probe.call("GET", url, status=400, code="BadRequest", step="GET .../identity/apiConnectorz")
    message = ((reply.document or {}).get("error") or {}).get("message", "") if reply is not None else ""
    if reply is not None and "Resource not found for the segment 'apiConnectorz'" not in str(message):
        probe.diverge(
            "GET .../identity/apiConnectorz",
            "value",
            "Resource not found for the segment 'apiConnectorz'.",
            str(message),
        )


def refuse_low_privilege(probe: Probe) -> None:
    token = probe.target.low_privilege_token
    if token is None:
        raise ScenarioSkipped("needs --low-privilege-token (a token without APIConnectors.ReadWrite.All)")
    body = basic_body(probe, "forbidden")
    probe.secret(body["authenticationConfiguration"]["password"])
    reply = probe.call(
        "POST",
        status=403,
        code=("AADB2C", "Authorization_RequestDenied"),
        json_body=body,
        token=token,
        step="POST with a low-privilege token",
    )
    if reply is not None and reply.status == 201 and isinstance(reply.document, dict):
        probe.created.append(str(reply.document.get("id")))


# --- custom authentication extensions (reference custom-authentication-extensions.md section 2) ----------------

EXTENSIONS = "customAuthenticationExtensions"
EXTENSION = "customAuthenticationExtension"
TOKEN_ISSUANCE_START = "#microsoft.graph.onTokenIssuanceStartCustomExtension"
VALIDATION = "authenticationConfigurationValidation"
EXTENSION_EXAMPLE_1 = {
    "@odata.type": TOKEN_ISSUANCE_START,
    "displayName": "onTokenIssuanceStartCustomExtension",
    "description": "Fetch additional claims from custom user store",
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://authenticationeventsAPI.contoso.com",
    },
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": "api://authenticationeventsAPI.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
    },
    "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
    "claimsForTokenConfiguration": [
        {"claimIdInApiResponse": "DateOfBirth"},
        {"claimIdInApiResponse": "CustomRoles"},
    ],
}
# Examples 2 and 3 share one body apart from the type and name; example 4 sends the abstract behaviorOnError.
_ATTRIBUTE_EXAMPLE = {
    "description": "example description",
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://contoso.com",
    },
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": "api://contoso.com/fb96de85-2abe-4b02-b45f-64ba122c509e",
    },
    "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
}
EXTENSION_EXAMPLES = {
    "create example 2 (attribute collection start)": {
        "@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtension",
        "displayName": "attributeCollectionStartName",
        **_ATTRIBUTE_EXAMPLE,
    },
    "create example 3 (attribute collection submit)": {
        "@odata.type": "#microsoft.graph.onAttributeCollectionSubmitCustomExtension",
        "displayName": "attributeCollectionSubmitName",
        **_ATTRIBUTE_EXAMPLE,
    },
    "create example 4 (OTP send)": {
        "@odata.type": "#microsoft.graph.onOtpSendCustomExtension",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
            "resourceId": "api://onotpsendcustomextension.b2c.expert/fb96de85-2abe-4b02-b45f-64ba122c509e",
        },
        "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
        "description": "Use an external Email provider to send OTP Codes.",
        "displayName": "onEmailOtpSendCustomExtension",
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.httpRequestEndpoint",
            "targetUrl": "https://onotpsendcustomextension.b2c.expert/api/OnOTPCodeSendToTeamsDemo",
        },
        "behaviorOnError": {"@odata.type": "microsoft.graph.customExtensionBehaviorOnError"},
    },
}
VALIDATE_EXAMPLE_1 = {
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://australia.contoso.com/users",
    },
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": "api://extensibilityapi.azurwebsites.net/f9c5dc6b-d72b-4226-8ccd-801f7a290428",
    },
}
# The docs' answer to that body, in a tenant without the app (the emulator may append a hint to each message).
VALIDATE_ANSWER_1 = {
    "errors": [
        (
            "IncorrectResourceIdFormat",
            "ResourceId should be in the format of 'api://{fully qualified domain name}/{appid}'",
        ),
        (
            "DomainNameDoesNotMatch",
            "The fully qualified domain name in resourceId should match that of the targetUrl",
        ),
        (
            "ServicePrincipalNotFound",
            "The appId of the resourceId should correspond to a real service principal in the tenant",
        ),
    ],
    "warnings": [
        (
            "PermissionNotGrantedToServicePrincipal",
            "The permission CustomAuthenticationExtensions.Receive.Payload is not granted to the service principal "
            "of the resource app",
        )
    ],
}


def extensions_url(probe: Probe, suffix: str = "") -> str:
    return probe.target.collection_of(EXTENSIONS) + suffix


def create_extension(probe: Probe, body: dict[str, Any], step: str) -> dict[str, Any] | None:
    """POST an extension expecting 201 with its @odata.type; remember it for cleanup."""
    reply = probe.call(
        "POST", extensions_url(probe), status=201, json_body=body, contract=EXTENSION, step=step
    )
    document = reply.document if reply is not None and isinstance(reply.document, dict) else None
    if reply is None or reply.status != 201 or document is None or not isinstance(document.get("id"), str):
        return None
    probe.created.append(extensions_url(probe, f"/{document['id']}"))
    wanted = body["@odata.type"] if body["@odata.type"].startswith("#") else "#" + body["@odata.type"]
    probe.expect_equal(step, "@odata.type", wanted, document.get("@odata.type"))
    return dict(document)


def expect_echo(probe: Probe, step: str, body: dict[str, Any], document: dict[str, Any] | None) -> None:
    """Every property sent comes back (type names of nested objects in their canonical spelling, with '#')."""
    if document is None:
        return
    for name, sent in body.items():
        if name == "@odata.type":
            continue
        if isinstance(sent, dict) and isinstance(sent.get("@odata.type"), str):
            sent = {**sent, "@odata.type": "#" + sent["@odata.type"].lstrip("#")}
        probe.expect_equal(step, name, sent, document.get(name))


def delete_extension(probe: Probe, object_id: str, step: str) -> None:
    url = extensions_url(probe, f"/{object_id}")
    reply = probe.call("DELETE", url, status=204, step=step)
    if reply is not None and reply.status == 204 and url in probe.created:
        probe.created.remove(url)


def expect_validation(
    probe: Probe, step: str, document: Any, expected: dict[str, list[tuple[str, str]]]
) -> None:
    """The codes, in order, and Graph's documented message at the start of each."""
    for kind, wanted in expected.items():
        found = (document or {}).get(kind) if isinstance(document, dict) else None
        items = found if isinstance(found, list) else []
        codes = [item.get("code") for item in items if isinstance(item, dict)]
        probe.expect_equal(step, f"{kind} codes", [code for code, _ in wanted], codes)
        for (code, message), item in zip(wanted, items, strict=False):
            text = item.get("message", "") if isinstance(item, dict) else ""
            if not str(text).startswith(message):
                probe.diverge(step, "value", f"the {code} message starting {message!r}", str(text))


def extension_lifecycle(probe: Probe) -> None:
    body = {**EXTENSION_EXAMPLE_1, "displayName": probe.name("extension")}
    created = create_extension(probe, body, "create (onTokenIssuanceStartCustomExtension)")
    if created is None:
        return
    object_id = created["id"]
    expect_echo(probe, "create", body, created)
    item = extensions_url(probe, f"/{object_id}")
    fetched = probe.call("GET", item, status=200, contract=EXTENSION, step="get after create")
    shown = {k: v for k, v in created.items() if k != "@odata.context"}
    got = {k: v for k, v in ((fetched.document if fetched else None) or {}).items() if k != "@odata.context"}
    probe.expect_equal("get after create", "the created extension", shown, got)
    listed = probe.call(
        "GET",
        extensions_url(probe, "?$filter=isOf('microsoft.graph.onTokenIssuanceStartCustomExtension')"),
        status=200,
        contract=f"{EXTENSION}CollectionResponse",
        step="list with isOf",
    )
    values = (listed.document or {}).get("value", []) if listed else []
    probe.expect_equal(
        "list with isOf", "the new extension listed", True, object_id in [v.get("id") for v in values]
    )
    probe.expect_equal(
        "list with isOf", "only the subtype", {TOKEN_ISSUANCE_START}, {v.get("@odata.type") for v in values}
    )
    probe.call("GET", extensions_url(probe, "/$count"), status=200, contract="count", step="count")
    patch = {k: v for k, v in EXTENSION_EXAMPLE_1.items() if k != "clientConfiguration"}
    patch["displayName"] = probe.name("renamed extension")
    probe.call("PATCH", item, status=204, json_body=patch, step="PATCH (update example)")
    renamed = probe.call("GET", item, status=200, contract=EXTENSION, step="get after PATCH")
    after = (renamed.document if renamed else None) or {}
    probe.expect_equal("get after PATCH", "displayName", patch["displayName"], after.get("displayName"))
    probe.expect_equal(
        "get after PATCH",
        "clientConfiguration kept",
        created.get("clientConfiguration"),
        after.get("clientConfiguration"),
    )
    reply = probe.call(
        "POST",
        extensions_url(probe, f"/{object_id}/microsoft.graph.validateAuthenticationConfiguration"),
        status=200,
        contract=VALIDATION,
        step="validateAuthenticationConfiguration (bound)",
    )
    if reply is not None and isinstance(reply.document, dict):
        known = {code for code, _ in (*VALIDATE_ANSWER_1["errors"], *VALIDATE_ANSWER_1["warnings"])}
        found = {
            item.get("code") for kind in ("errors", "warnings") for item in reply.document.get(kind) or []
        }
        probe.expect_equal(
            "validateAuthenticationConfiguration (bound)", "only documented codes", set(), found - known
        )
    delete_extension(probe, object_id, "delete")
    probe.call("GET", item, status=404, code=NOT_FOUND, step="get after delete")


def docs_extension_examples(probe: Probe) -> None:
    for label, body in EXTENSION_EXAMPLES.items():
        step = f"POST ({label})"
        expect_echo(probe, step, body, create_extension(probe, body, step))


def docs_validate_configuration(probe: Probe) -> None:
    step = "POST .../validateAuthenticationConfiguration (example 1)"
    reply = probe.call(
        "POST",
        extensions_url(probe, "/validateAuthenticationConfiguration"),
        status=200,
        json_body=VALIDATE_EXAMPLE_1,
        contract=VALIDATION,
        step=step,
    )
    expect_validation(probe, step, reply.document if reply else None, VALIDATE_ANSWER_1)


def refuse_bad_extension_bodies(probe: Probe) -> None:
    good = {**EXTENSION_EXAMPLE_1, "displayName": probe.name("refused extension")}
    bad_bodies: dict[str, Any] = {
        "missing @odata.type": {k: v for k, v in good.items() if k != "@odata.type"},
        "abstract @odata.type": {**good, "@odata.type": "#microsoft.graph.customAuthenticationExtension"},
        "unknown @odata.type": {**good, "@odata.type": "#microsoft.graph.onSomethingCustomExtension"},
        "unknown property": {**good, "colour": "blue"},
        "wrong type": {**good, "displayName": 42},
        "claims on another subtype": {**good, "@odata.type": "#microsoft.graph.onOtpSendCustomExtension"},
    }
    for label, body in bad_bodies.items():
        reply = probe.call(
            "POST",
            extensions_url(probe),
            status=400,
            code="BadRequest",
            json_body=body,
            step=f"POST ({label})",
        )
        if reply is not None and reply.status == 201 and isinstance(reply.document, dict):
            probe.created.append(extensions_url(probe, f"/{reply.document.get('id')}"))
    unknown = extensions_url(probe, f"/{uuid.uuid4()}")
    probe.call("GET", unknown, status=404, code=NOT_FOUND, step="GET an unknown extension")
    probe.call(
        "PATCH", unknown, status=404, code=NOT_FOUND, json_body=good, step="PATCH an unknown extension"
    )
    probe.call("DELETE", unknown, status=404, code=NOT_FOUND, step="DELETE an unknown extension")
    probe.call(
        "POST",
        f"{unknown}/validateAuthenticationConfiguration",
        status=404,
        code=NOT_FOUND,
        step="validate an unknown extension",
    )


class NamedScenario(NamedTuple):
    """A scenario, its title, and the operations it exercises (by their names in the resource tables)."""

    name: str
    run: Scenario
    covers: tuple[str, ...]


SCENARIOS: list[NamedScenario] = [
    NamedScenario(
        "lifecycle: create, get, list, count, update, switch to a certificate, upload, delete",
        lifecycle,
        (
            "CREATE_CONNECTOR",
            "GET_CONNECTOR",
            "LIST_CONNECTORS",
            "COUNT_CONNECTORS",
            "UPDATE_CONNECTOR",
            "UPLOAD_CERTIFICATE",
            "DELETE_CONNECTOR",
        ),
    ),
    NamedScenario("docs: create, example 1 (basic authentication)", docs_create_basic, ("CREATE_CONNECTOR",)),
    NamedScenario(
        "docs: create, example 2 (client certificate)", docs_create_certificate, ("CREATE_CONNECTOR",)
    ),
    NamedScenario("docs: list and get", docs_list_and_get, ("LIST_CONNECTORS", "GET_CONNECTOR")),
    NamedScenario(
        "docs: update, example 1 (@odata.type without '#')", docs_update_basic, ("UPDATE_CONNECTOR",)
    ),
    NamedScenario(
        "docs: update, example 2 (switch to a certificate)", docs_update_certificate, ("UPDATE_CONNECTOR",)
    ),
    NamedScenario("docs: delete", docs_delete, ("DELETE_CONNECTOR",)),
    NamedScenario("docs: uploadClientCertificate", docs_upload, ("UPLOAD_CERTIFICATE",)),
    NamedScenario(
        "refusal: 401 without a token or with a malformed one", refuse_without_token, ("LIST_CONNECTORS",)
    ),
    NamedScenario("refusal: 404 for an unknown id", refuse_unknown_id, ("GET_CONNECTOR",)),
    NamedScenario("refusal: 400 for bad bodies", refuse_bad_bodies, ("CREATE_CONNECTOR",)),
    NamedScenario("refusal: 405 for an unsupported method", refuse_method, ()),
    NamedScenario("refusal: 400 for an unknown segment", refuse_unknown_segment, ()),
    NamedScenario(
        "refusal: 403 for a token without write permission", refuse_low_privilege, ("CREATE_CONNECTOR",)
    ),
    NamedScenario("listeners: list and count", events.listeners_read, ("LIST_LISTENERS", "COUNT_LISTENERS")),
    NamedScenario(
        "listeners refusal: 404 for an unknown id (the listener, its applications, its handler's extension)",
        events.listeners_unknown_id,
        (
            "GET_LISTENER",
            "LIST_LISTENER_APPLICATIONS",
            "GET_LISTENER_APPLICATION",
            *(
                f"GET_LISTENER_{short}_EXTENSION"
                for short in (
                    "TOKEN_ISSUANCE_START",
                    "ATTRIBUTE_COLLECTION_START",
                    "ATTRIBUTE_COLLECTION_SUBMIT",
                    "EMAIL_OTP_SEND",
                    "PASSWORD_SUBMIT",
                    "VERIFIED_ID_CLAIM_VALIDATION",
                )
            ),
        ),
    ),
    NamedScenario(
        "listeners refusal: 400 for bad bodies and for a missing extension",
        events.listeners_refuse_bad_bodies,
        ("CREATE_LISTENER",),
    ),
    NamedScenario(
        "user flows: list, list by type and count",
        events.flows_read,
        ("LIST_EVENTS_FLOWS", "LIST_SELF_SERVICE_SIGN_UP_FLOWS", "COUNT_EVENTS_FLOWS"),
    ),
    NamedScenario(
        "user flows refusal: 404 for an unknown id (the flow, by type, its applications)",
        events.flows_unknown_id,
        (
            "GET_EVENTS_FLOW",
            "GET_SELF_SERVICE_SIGN_UP_FLOW",
            "LIST_EVENTS_FLOW_APPLICATIONS",
            "GET_EVENTS_FLOW_APPLICATION",
        ),
    ),
    NamedScenario(
        "user flows refusal: 400 for bad bodies", events.flows_refuse_bad_bodies, ("CREATE_EVENTS_FLOW",)
    ),
    NamedScenario(
        "extensions: create, get, list with isOf, count, update, validate, delete",
        extension_lifecycle,
        (
            "CREATE_EXTENSION",
            "GET_EXTENSION",
            "LIST_EXTENSIONS",
            "COUNT_EXTENSIONS",
            "UPDATE_EXTENSION",
            "VALIDATE_EXTENSION",
            "DELETE_EXTENSION",
        ),
    ),
    NamedScenario(
        "extensions docs: create examples 2-4 (attribute collection start, submit, OTP send)",
        docs_extension_examples,
        ("CREATE_EXTENSION",),
    ),
    NamedScenario(
        "extensions docs: validateAuthenticationConfiguration example 1 (a configuration not yet saved)",
        docs_validate_configuration,
        ("VALIDATE_EXTENSION_CONFIGURATION",),
    ),
    NamedScenario(
        "extensions refusal: 400 for bad bodies, 404 for an unknown id",
        refuse_bad_extension_bodies,
        ("CREATE_EXTENSION", "GET_EXTENSION", "UPDATE_EXTENSION", "DELETE_EXTENSION", "VALIDATE_EXTENSION"),
    ),
]
