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
]
