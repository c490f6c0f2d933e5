"""The user-flow paths of the served OpenAPI document (``/identity/b2xUserFlows``, ``/identity/b2cUserFlows``).

Paths follow Graph's navigation (``.../{b2xIdentityUserFlow-id}/apiConnectorConfiguration/postFederationSignup/$ref``:
one path per connector step), operation ids Graph's generated style, schemas the contracts. ``b2cUserFlows`` exists
only on beta, so its path items name only the ``/beta`` server; ``preTokenIssuance`` is a B2C step, so it appears only
under ``b2cUserFlows``. b2x flows have no PATCH (the emulator answers 405), so none is listed.
"""

from __future__ import annotations

from typing import Any

from mockgraph.admin.openapi_parts import NO_BODY, array_of, json_body, operation, query_parameter, ref
from mockgraph.resources.userflows.model import B2C, B2X, FlowKind

# The contracts the user-flow operations name (``mockgraph.admin.openapi`` adds what they reference).
CONTRACTS = (
    "b2xIdentityUserFlow",
    "b2xIdentityUserFlowCreate",
    "b2xIdentityUserFlowCollectionResponse",
    "b2cIdentityUserFlow",
    "b2cIdentityUserFlowCreate",
    "b2cIdentityUserFlowUpdate",
    "b2cIdentityUserFlowCollectionResponse",
    "userFlowApiConnectorConfiguration",
    "userFlowApiConnectorReference",
    "identityApiConnectorFull",
)
KINDS = (B2X, B2C)
NO_FLOW = "No user flow with this id in the caller's tenant."
# Graph's list options the user-flow collections refuse (only $expand=identityProviders is served).
REFUSED_ON_LIST = ("top", "skip", "search", "filter", "count", "orderby", "select")
_REFUSED_OPTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "top": ("Show only the first n items", {"minimum": 0, "type": "integer"}),
    "skip": ("Skip the first n items", {"minimum": 0, "type": "integer"}),
    "search": ("Search items by search phrases", {"type": "string"}),
    "filter": ("Filter items by property values", {"type": "string"}),
    "count": ("Include count of items", {"type": "boolean"}),
    "orderby": ("Order items by property values", array_of(["id", "id desc"])),
    "select": ("Select properties to be returned", array_of(["id", "userFlowType", "userFlowTypeVersion"])),
}


def entity(kind: FlowKind) -> str:
    """The entity type's short name: ``b2xIdentityUserFlow``."""
    return kind.type_name.rsplit(".", 1)[-1]


def flow_id_parameter(kind: FlowKind) -> str:
    """The flow-id path parameter, named as Graph names key parameters: ``b2xIdentityUserFlow-id``."""
    return f"{entity(kind)}-id"


def parameters() -> dict[str, dict[str, Any]]:
    """The parameter components the user-flow operations name."""
    found: dict[str, dict[str, Any]] = {
        f"userFlows.{name}": query_parameter(
            f"${name}", description, schema, f"every value (user flows support no ${name})"
        )
        for name, (description, schema) in _REFUSED_OPTIONS.items()
    }
    found["userFlows.expand"] = query_parameter(
        "$expand",
        "Expand related entities (identityProviders is always empty: identity providers are not emulated)",
        array_of(["identityProviders"]),
        "any other navigation property",
    )
    found["apiConnectorConfiguration.select"] = query_parameter(
        "$select",
        "Select properties to be returned (accepted and ignored by mockgraph)",
        array_of(list(B2C.steps)),
    )
    for kind in KINDS:
        found[f"{entity(kind)}.apiConnectorConfiguration.expand"] = query_parameter(
            "$expand",
            "The steps whose connectors to return (* for every step of the flow)",
            array_of(["*", *kind.steps]),
            "a name that is not a step (and preTokenIssuance on v1.0)",
        )
        found[flow_id_parameter(kind)] = {
            "name": flow_id_parameter(kind),
            "in": "path",
            "description": f"The unique identifier of {entity(kind)} (the name with its {kind.prefix} prefix)",
            "required": True,
            "style": "simple",
            "schema": {"type": "string"},
            "x-ms-docs-key-type": entity(kind),
        }
    return found


def _kind_paths(kind: FlowKind) -> dict[str, Any]:
    name, segment = entity(kind), kind.segment
    short = name[:3].capitalize()  # Graph's generated ids spell the types B2x and B2c
    tag = f"identity.{name}"
    not_found = (("404", NO_FLOW),)
    common: dict[str, Any] = {"parameters": [ref("parameters", flow_id_parameter(kind))]}
    if kind is B2C:
        common["servers"] = [{"url": "/beta", "description": "beta only"}]
    collection = f"/identity/{segment}"
    item = f"{collection}/{{{flow_id_parameter(kind)}}}"
    configuration = f"{item}/apiConnectorConfiguration"
    paths: dict[str, Any] = {
        collection: {
            **{key: value for key, value in common.items() if key == "servers"},
            "get": operation(
                f"identity_List{short}UserFlow",
                f"List {segment}",
                ("200", json_body(f"{name}CollectionResponse", "Retrieved collection")),
                tag=tag,
                parameters=(*(f"userFlows.{option}" for option in REFUSED_ON_LIST), "userFlows.expand"),
            ),
            "post": operation(
                f"identity_Create{short}UserFlow",
                f"Create {name}",
                ("201", json_body(name, f"The created flow (its id prefixed with {kind.prefix})")),
                tag=tag,
                body=kind.create_contract,
                refusals=(("409", "A user flow with this id already exists."),),
            ),
        },
        item: {
            **common,
            "get": operation(
                f"identity_Get{short}UserFlow",
                f"Get {name}",
                ("200", json_body(name, "The flow")),
                tag=tag,
                parameters=("userFlows.select", "userFlows.expand"),
                refusals=not_found,
            ),
            "delete": operation(
                f"identity_Delete{short}UserFlow",
                f"Delete {name}",
                ("204", NO_BODY),
                tag=tag,
                parameters=("ifMatch",),
                refusals=not_found,
            ),
        },
        configuration: {
            **common,
            "get": operation(
                f"identity.{segment}_GetApiConnectorConfiguration",
                "Get apiConnectorConfiguration",
                (
                    "200",
                    json_body("userFlowApiConnectorConfiguration", "The connector of each expanded step"),
                ),
                tag=tag,
                parameters=(f"{name}.apiConnectorConfiguration.expand", "apiConnectorConfiguration.select"),
                refusals=not_found,
            ),
        },
    }
    if kind is B2C:
        paths[item]["patch"] = operation(
            f"identity_Update{short}UserFlow",
            f"Update {name}",
            ("204", NO_BODY),
            tag=tag,
            body="b2cIdentityUserFlowUpdate",
            refusals=not_found,
        )
    for step in kind.steps:
        title = step[0].upper() + step[1:]
        prefix = f"identity.{segment}.apiConnectorConfiguration_"
        paths[f"{configuration}/{step}"] = {
            **common,
            "get": operation(
                f"{prefix}Get{title}",
                f"Get {step} from identity",
                ("200", json_body("identityApiConnectorFull", "The connector configured for the step")),
                tag=tag,
                refusals=(("404", f"{NO_FLOW} Or no connector is configured for {step}."),),
            ),
        }
        paths[f"{configuration}/{step}/$ref"] = {
            **common,
            "put": operation(
                f"{prefix}Set{title}ByRef",
                f"Set the connector of {step} (the body {{}} detaches it)",
                ("204", NO_BODY),
                tag=tag,
                body="userFlowApiConnectorReference",
                refusals=not_found,
            ),
        }
    return paths


def paths() -> dict[str, Any]:
    """Every user-flow path item, b2x first."""
    return {path: item for kind in KINDS for path, item in _kind_paths(kind).items()}
