"""The operation table's path grammar and rules, on a table built with every shape the next resources need.

Cast segments, actions bound to a collection and to an entity (short and qualified names), ``$ref`` PUTs on
deep paths, sub-collections keyed by another id, and bodies whose contract ``@odata.type`` chooses.
"""

from __future__ import annotations

from typing import Any

import pytest

from mockgraph.core.contracts import shared_contracts
from mockgraph.core.errors import GraphError, InvalidRequestBody, MethodNotSupported, SegmentNotFound
from mockgraph.core.operations import Body, Catalog, Operation, Permissions, ResourceTable, parse_template
from mockgraph.core.typed_bodies import typed_body
from mockgraph.resources import CATALOG
from mockgraph.web.routing import Router

ANYONE = Permissions(("X.Read.All",), ("X.Read.All",), ("role",))
FLOW = "identity/authenticationEventsFlows/{id}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow"


def noop(call: Any) -> Any:
    return None


def op(name: str, method: str, path: str, **options: Any) -> Operation:
    return Operation(name, name.lower(), method, path, noop, ANYONE, name, **options)


TABLE = ResourceTable(
    name="shapes",
    tag="shapes",
    operations=(
        op("LIST", "GET", "identity/customAuthenticationExtensions"),
        op("GET", "GET", "identity/customAuthenticationExtensions/{id}"),
        op(
            "VALIDATE_ONE",
            "POST",
            "identity/customAuthenticationExtensions/{id}/microsoft.graph.validateAuthenticationConfiguration",
            action=True,
        ),
        op(
            "VALIDATE_ANY",
            "POST",
            "identity/customAuthenticationExtensions/microsoft.graph.validateAuthenticationConfiguration",
            action=True,
        ),
        op("CAST_APPS", "GET", f"{FLOW}/conditions/applications/includeApplications"),
        op("GET_APP", "GET", f"{FLOW}/conditions/applications/includeApplications/{{appId}}"),
        op("DELETE_APP", "DELETE", f"{FLOW}/conditions/applications/includeApplications/{{appId}}"),
        op(
            "SET_EXTENSION",
            "PUT",
            f"{FLOW}/onAttributeCollectionStart/microsoft.graph.onAttributeCollectionStartCustomExtensionHandler"
            "/customExtension/$ref",
        ),
        op("BETA_ONLY", "GET", "identity/betaThings", versions=("beta",)),
    ),
)
ROUTER = Router(Catalog((TABLE,)))


def resolve(method: str, path: str) -> tuple[str, dict[str, str]]:
    route = ROUTER.resolve(method, path)
    return route.operation.name, dict(route.parameters)


def test_keys_bind_by_name() -> None:
    assert resolve("GET", "/v1.0/identity/customAuthenticationExtensions/abc") == ("GET", {"id": "abc"})


@pytest.mark.parametrize(
    "name", ["validateAuthenticationConfiguration", "microsoft.graph.validateAuthenticationConfiguration"]
)
def test_actions_answer_to_the_short_and_the_qualified_name(name: str) -> None:
    assert resolve("POST", f"/beta/identity/customAuthenticationExtensions/{name}") == ("VALIDATE_ANY", {})
    assert resolve("POST", f"/beta/identity/customAuthenticationExtensions/e1/{name.upper()}") == (
        "VALIDATE_ONE",
        {"id": "e1"},
    )


def test_an_action_name_wins_over_a_key_at_the_same_place() -> None:
    # ``.../customAuthenticationExtensions/validateAuthenticationConfiguration`` is the action, not an id.
    with pytest.raises(MethodNotSupported):
        ROUTER.resolve(
            "GET", "/beta/identity/customAuthenticationExtensions/validateAuthenticationConfiguration"
        )


def test_cast_segments_and_sub_collections_keyed_by_another_id() -> None:
    cast = (
        "/beta/identity/authenticationEventsFlows/f1/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow"
    )
    assert resolve("GET", f"{cast}/conditions/applications/includeApplications/app-7") == (
        "GET_APP",
        {"id": "f1", "appId": "app-7"},
    )
    assert resolve("DELETE", f"{cast}/conditions/applications/includeApplications/app-7")[0] == "DELETE_APP"
    # A cast is matched in its qualified form, or by the namespace's alias (how Microsoft's SDKs write casts)...
    aliased = cast.replace("/microsoft.graph.", "/graph.")
    assert resolve("GET", f"{aliased}/conditions/applications/includeApplications/app-7")[0] == "GET_APP"
    # ... and never by its bare name.
    with pytest.raises(SegmentNotFound, match="externalUsersSelfServiceSignUpEventsFlow"):
        ROUTER.resolve(
            "GET", "/beta/identity/authenticationEventsFlows/f1/externalUsersSelfServiceSignUpEventsFlow"
        )


def test_ref_puts_on_deep_paths_and_their_405s() -> None:
    path = (
        "/v1.0/identity/authenticationEventsFlows/f1/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow"
        "/onAttributeCollectionStart/microsoft.graph.onAttributeCollectionStartCustomExtensionHandler"
        "/customExtension/$ref"
    )
    assert resolve("PUT", path) == ("SET_EXTENSION", {"id": "f1"})
    with pytest.raises(MethodNotSupported) as refused:
        ROUTER.resolve("GET", path)
    assert refused.value.allowed == ("PUT",)
    assert refused.value.headers == {"Allow": "PUT"}


def test_versions_limit_where_a_segment_exists() -> None:
    assert resolve("GET", "/beta/identity/betaThings")[0] == "BETA_ONLY"
    with pytest.raises(SegmentNotFound, match="'betaThings'"):
        ROUTER.resolve("GET", "/v1.0/identity/betaThings")


def test_unknown_segments_are_named_and_empty_segments_skipped() -> None:
    with pytest.raises(SegmentNotFound, match="'nope'"):
        ROUTER.resolve("GET", "/beta/identity/nope")
    assert resolve("GET", "/beta//identity//customAuthenticationExtensions/") == ("LIST", {})


@pytest.mark.parametrize(
    ("template", "action"),
    [
        ("a//b", False),
        ("a/{x}y", False),
        ("a/{x}/{x}", False),
        ("a/{bad name}", False),
        ("a/{id}", True),
        ("", False),
    ],
)
def test_bad_templates_fail_when_the_table_is_built(template: str, action: bool) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each template names its own problem
        parse_template(template, action=action)


def test_a_table_refuses_the_same_method_and_path_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        ResourceTable(name="t", tag="t", operations=(op("A", "GET", "x/{id}"), op("B", "GET", "X/{id}")))


def test_a_body_chosen_by_odata_type() -> None:
    rule = typed_body(
        "identityApiConnectorCreate",
        {
            "#microsoft.graph.basicAuthentication": "basicAuthenticationInput",
            "microsoft.graph.pkcs12Certificate": "pkcs12Certificate",
        },
        entity_type="microsoft.graph.apiAuthenticationConfigurationBase",
        abstract=("#microsoft.graph.apiAuthenticationConfigurationBase",),
    )
    contracts = shared_contracts()
    basic = {"@odata.type": "microsoft.graph.basicAuthentication", "username": "u", "password": "p"}
    assert rule.check(contracts, basic) is basic
    cases: list[tuple[dict[str, Any], str]] = [
        ({"username": "u", "password": "p"}, "'@odata.type' is required"),
        ({"@odata.type": "#microsoft.graph.apiAuthenticationConfigurationBase"}, "abstract type"),
        ({"@odata.type": "#microsoft.graph.nothing"}, "could not be resolved"),
        ({"@odata.type": "#microsoft.graph.basicAuthentication", "username": "u"}, "password"),
        ({"@odata.type": "#microsoft.graph.pkcs12Certificate", "password": "p"}, "pkcs12Value"),
    ]
    for document, fragment in cases:
        with pytest.raises(InvalidRequestBody, match=fragment):
            rule.check(contracts, document)


def test_a_version_may_judge_bodies_by_its_own_rule() -> None:
    def v1(contracts: Any, document: Any) -> dict[str, Any]:
        raise InvalidRequestBody("v1.0 refuses everything")

    beta = Body("b", lambda contracts, document: dict(document))
    rule = Body("a", v1, versions={"beta": beta})
    assert rule.on("beta") is beta
    assert rule.on("v1.0") is rule
    assert Body("c", v1).on("beta").contract == "c"  # without a rule of its own, a version takes the default
    assert rule.on("beta").check(shared_contracts(), {"x": 1}) == {"x": 1}


def test_catalog_names_and_ids_find_one_operation() -> None:
    listing = CATALOG.find("LIST_CONNECTORS")
    assert listing is not None
    assert CATALOG.find("list_connectors") is listing
    assert CATALOG.find("identity_ListApiConnector") is listing
    assert CATALOG.find("NOPE") is None
    with pytest.raises(ValueError, match="two operations"):
        Catalog((TABLE, ResourceTable(name="again", tag="t", operations=(op("LIST", "GET", "elsewhere"),))))


def test_every_served_operation_has_a_handler_and_a_permission() -> None:
    for operation in CATALOG:
        assert callable(operation.handler), operation.name
        assert operation.allow.application, operation.name
        with pytest.raises(GraphError):
            # a method the path does not serve is Graph's 405 there, on every version the path exists on
            ROUTER_OF_CATALOG.resolve("TRACE", f"/{operation.versions[0]}/" + concrete(operation.path))


ROUTER_OF_CATALOG = Router(CATALOG)


def concrete(template: str) -> str:
    return "/".join("x" if part.startswith("{") else part for part in template.split("/"))
