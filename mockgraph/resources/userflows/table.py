"""The user-flow operation tables: ``/identity/b2xUserFlows`` (beta and v1.0) and ``/identity/b2cUserFlows`` (beta).

One table per collection, built by one function because the two differ only where Graph does: b2c flows
have PATCH and the ``preTokenIssuance`` step; b2x flows exist on v1.0 too. Each connector step is its own
pair of operations (get the step's connector, set it by ``$ref``), as in Graph's navigation. On b2x flows
``preTokenIssuance`` is a property of the shared configuration type, so Graph routes it and the B2B service
refuses it (400 ``AADB2C``); it is served and described the same way here.

Permissions (reference api-connector-calls.md section 5.4): list/get accept Read.All or ReadWrite.All; every
write, and reading ``apiConnectorConfiguration``, accepts only ReadWrite.All.
"""

from __future__ import annotations

from functools import partial
from types import MappingProxyType
from typing import Any

from mockgraph.core.config import (
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    USER_FLOW_READ_ALL,
    USER_FLOW_READ_WRITE_ALL,
)
from mockgraph.core.operations import Body, Operation, Permissions, QueryOptions, ResourceTable
from mockgraph.resources.userflows import views
from mockgraph.resources.userflows.model import ALL_STEPS, B2C, B2X, PRE_TOKEN_ISSUANCE, FlowKind
from mockgraph.resources.userflows.openapi import REFUSED_ON_LIST, entity, flow_id_parameter, parameters

ROLES = (EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, GLOBAL_ADMINISTRATOR)
READ = Permissions(
    (USER_FLOW_READ_ALL, USER_FLOW_READ_WRITE_ALL), (USER_FLOW_READ_ALL, USER_FLOW_READ_WRITE_ALL), ROLES
)
WRITE = Permissions((USER_FLOW_READ_WRITE_ALL,), (USER_FLOW_READ_WRITE_ALL,), ROLES)
# Why ``mockgraph verify`` has no user-flow scenario yet: creating and deleting user flows changes what the
# tenant's users see, so a verifier run against a real tenant must not do it unasked.
UNVERIFIED = "user-flow scenarios change a real tenant's sign-up experience; not run by mockgraph verify"
NO_FLOW = "No user flow with this id in the caller's tenant."
NOT_FOUND = (("404", NO_FLOW),)
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
    "userFlowApiConnectorReferenceRefused",
    "identityApiConnectorFull",
)


def _versions(kind: FlowKind, step: str | None = None) -> tuple[str, ...]:
    if kind is B2C or step == PRE_TOKEN_ISSUANCE:
        return ("beta",)
    return ("beta", "v1.0")


def _step_operations(kind: FlowKind, step: str) -> tuple[Operation, Operation]:
    title = step[0].upper() + step[1:]
    upper = "".join(f"_{c}" if c.isupper() else c.upper() for c in step)
    prefix = f"identity.{kind.segment}.apiConnectorConfiguration_"
    path = f"identity/{kind.segment}/{{id}}/apiConnectorConfiguration/{step}"
    short = kind.segment[:3].upper()
    refused = step not in kind.steps
    note = " (refused for b2x flows: a B2C step)" if refused else ""
    return (
        Operation(
            f"GET_{short}_{upper}_CONNECTOR",
            f"{prefix}Get{title}",
            "GET",
            path,
            partial(views.get_step_connector, kind, step),
            WRITE,
            f"Get {step} from identity",
            versions=_versions(kind, step),
            response="identityApiConnectorFull",
            response_description="The connector configured for the step",
            refusals=(("404", f"{NO_FLOW} Or no connector is configured for {step}."),),
        ),
        Operation(
            f"SET_{short}_{upper}_CONNECTOR",
            f"{prefix}Set{title}ByRef",
            "PUT",
            f"{path}/$ref",
            partial(views.set_step_connector, kind, step),
            WRITE,
            f"Set the connector of {step} (the body {{}} detaches it){note}",
            versions=_versions(kind, step),
            # A refused step documents a body no value satisfies: every request to it is refused.
            body=Body(
                "userFlowApiConnectorReferenceRefused" if refused else "userFlowApiConnectorReference",
                partial(views.check_foreign_step_body, kind, step) if refused else views.check_reference_body,
                "microsoft.graph.identityApiConnector",
            ),
            status=204,
            refusals=NOT_FOUND,
        ),
    )


def table_for(kind: FlowKind) -> ResourceTable:
    """The operations of one user-flow collection."""
    name, segment = entity(kind), kind.segment
    short = name[:3].capitalize()  # Graph's generated ids spell the types B2x and B2c
    upper = segment[:3].upper()
    collection = f"identity/{segment}"
    item = f"{collection}/{{id}}"
    versions = _versions(kind)
    expand_providers = QueryOptions(
        frozenset({"expand"}), partial(views.parse_identity_providers_expand, kind)
    )
    operations: list[Operation] = [
        Operation(
            f"LIST_{upper}_USER_FLOWS",
            f"identity_List{short}UserFlow",
            "GET",
            collection,
            partial(views.list_flows, kind),
            READ,
            f"List {segment}",
            versions=versions,
            query=expand_providers,
            response=f"{name}CollectionResponse",
            response_description="Retrieved collection",
            parameters=(*(f"userFlows.{option}" for option in REFUSED_ON_LIST), "userFlows.expand"),
        ),
        Operation(
            f"CREATE_{upper}_USER_FLOW",
            f"identity_Create{short}UserFlow",
            "POST",
            collection,
            partial(views.create_flow, kind),
            WRITE,
            f"Create {name}",
            versions=versions,
            body=Body(kind.create_contract, partial(views.check_create_body, kind), kind.type_name),
            status=201,
            response=name,
            response_description=f"The created flow (its id prefixed with {kind.prefix})",
            refusals=(("409", "A user flow with this id already exists."),),
        ),
        Operation(
            f"GET_{upper}_USER_FLOW",
            f"identity_Get{short}UserFlow",
            "GET",
            item,
            partial(views.get_flow, kind),
            READ,
            f"Get {name}",
            versions=versions,
            query=expand_providers,
            response=name,
            response_description="The flow",
            parameters=("userFlows.select", "userFlows.expand"),
            refusals=NOT_FOUND,
        ),
        Operation(
            f"DELETE_{upper}_USER_FLOW",
            f"identity_Delete{short}UserFlow",
            "DELETE",
            item,
            partial(views.delete_flow, kind),
            WRITE,
            f"Delete {name}",
            versions=versions,
            status=204,
            parameters=("ifMatch",),
            refusals=NOT_FOUND,
        ),
        Operation(
            f"GET_{upper}_API_CONNECTOR_CONFIGURATION",
            f"identity.{segment}_GetApiConnectorConfiguration",
            "GET",
            f"{item}/apiConnectorConfiguration",
            partial(views.get_configuration, kind),
            WRITE,
            "Get apiConnectorConfiguration",
            versions=versions,
            query=QueryOptions(frozenset({"expand", "select"}), partial(views.parse_expanded_steps, kind)),
            response="userFlowApiConnectorConfiguration",
            response_description="The connector of each expanded step",
            parameters=(f"{name}.apiConnectorConfiguration.expand", "apiConnectorConfiguration.select"),
            refusals=NOT_FOUND,
        ),
    ]
    if kind is B2C:  # b2x flows have no PATCH: Graph answers 405 (listed after GET, as Allow lists it)
        operations.insert(
            3,
            Operation(
                f"UPDATE_{upper}_USER_FLOW",
                f"identity_Update{short}UserFlow",
                "PATCH",
                item,
                partial(views.update_flow, kind),
                WRITE,
                f"Update {name}",
                versions=versions,
                body=Body(
                    "b2cIdentityUserFlowUpdate", partial(views.check_update_body, kind), kind.type_name
                ),
                status=204,
                refusals=NOT_FOUND,
            ),
        )
    for step in ALL_STEPS:
        operations.extend(_step_operations(kind, step))
    openapi_parameters: dict[str, Any] = parameters(kind)
    return ResourceTable(
        name=segment,
        operations=tuple(operations),
        tag=f"identity.{name}",
        path_parameters=MappingProxyType({"id": flow_id_parameter(kind)}),
        openapi_parameters=MappingProxyType(openapi_parameters),
        contracts=CONTRACTS,
        unverified=MappingProxyType({op.name: UNVERIFIED for op in operations}),
    )


B2X_TABLE = table_for(B2X)
B2C_TABLE = table_for(B2C)
TABLES = (B2X_TABLE, B2C_TABLE)
