"""The External ID user-flow operation table: ``/identity/authenticationEventsFlows`` on beta and v1.0.

Only ``externalUsersSelfServiceSignUpEventsFlow`` exists (and can be created); its cast segment is served on the
collection and on an item. Applications are linked through ``conditions/applications/includeApplications``, and a
custom extension is attached to an attribute-collection step by ``PUT .../onAttributeCollectionStart|Submit/
microsoft.graph.<handler>/customExtension/$ref`` (reference section 4). Bodies are judged by the ``*Beta``
contracts on beta; answers are described by the beta contracts, which hold both versions'.

Permissions as reference section 6: reads accept EventListener.Read.All or .ReadWrite.All, writes need
.ReadWrite.All; delegated calls need External ID User Flow Administrator ("the least privileged role") or Global
Administrator. Personal Microsoft accounts are not supported.
"""

from __future__ import annotations

from functools import partial
from types import MappingProxyType
from typing import Any

from mockgraph.core.config import (
    EVENT_LISTENER_READ_ALL,
    EVENT_LISTENER_READ_WRITE_ALL,
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
)
from mockgraph.core.contracts import Contracts
from mockgraph.core.odata_types import bare
from mockgraph.core.operations import Body, Operation, Permissions, QueryOptions, ResourceTable
from mockgraph.core.typed_bodies import typed_body
from mockgraph.resources.eventsflows import model, views
from mockgraph.resources.eventsflows.openapi import FLOW_ID, PARAMETERS
from mockgraph.resources.listeners.openapi import APP_ID
from mockgraph.resources.listeners.table import APPLICATION_BODY, COUNT_RESPONSE, REFERENCE_BODY

ROLES = (EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, GLOBAL_ADMINISTRATOR)
READ = Permissions(
    (EVENT_LISTENER_READ_ALL, EVENT_LISTENER_READ_WRITE_ALL),
    (EVENT_LISTENER_READ_ALL, EVENT_LISTENER_READ_WRITE_ALL),
    ROLES,
)
WRITE = Permissions((EVENT_LISTENER_READ_WRITE_ALL,), (EVENT_LISTENER_READ_WRITE_ALL,), ROLES)
COLLECTION = "identity/authenticationEventsFlows"
CAST = bare(model.FLOW_TYPE)
ITEM = f"{COLLECTION}/{{id}}"
APPLICATIONS = f"{ITEM}/conditions/applications/includeApplications"
NO_FLOW = "No user flow with this id in the caller's tenant."
NOT_FOUND = (("404", NO_FLOW),)
# Why mockgraph verify leaves these out: it never creates a user flow in a real tenant (one changes what the
# linked applications' users see when they sign up), so nothing exists there for these operations to act on.
UNVERIFIED = (
    "acts on an existing user flow, and mockgraph verify never creates one in a real tenant (it would change "
    "the sign-up experience of the applications linked to it)"
)


def _flow_body(contract: str) -> Body:
    typed = typed_body(
        contract,
        {model.FLOW_TYPE: contract},
        entity_type=model.ENTITY_TYPE,
        abstract=("#microsoft.graph.authenticationEventsFlow",),
    )

    def check(contracts: Contracts, document: Any) -> dict[str, Any]:
        return model.check_body(typed.check(contracts, document))

    return Body(contract, check, typed.entity_type, typed.by_type)


def flow_body(contract: str) -> Body:
    """The v1.0 rule for ``contract`` with the beta rule (``<contract>Beta``) for beta."""
    v1 = _flow_body(contract)
    beta = _flow_body(f"{contract}Beta")
    return Body(v1.contract, v1.check, v1.entity_type, v1.by_type, MappingProxyType({"beta": beta}))


LIST_QUERY = QueryOptions(frozenset({"filter", "select", "count"}), views.parse_list)
GET_QUERY = QueryOptions(frozenset({"select"}), views.parse_list)
COUNT_QUERY = QueryOptions(frozenset({"filter"}), views.parse_list)
LIST_PARAMETERS = ("eventsFlows.filter", "eventsFlows.select", "eventsFlows.count")


def _step_operation(step: str) -> Operation:
    handler = bare(model.EXTENSION_STEPS[step])
    upper = "".join(f"_{c}" if c.isupper() else c.upper() for c in step.removeprefix("on"))
    title = step[0].upper() + step[1:]
    return Operation(
        f"ATTACH_FLOW{upper}_EXTENSION",
        f"identity.authenticationEventsFlows.AsExternalUsersSelfServiceSignUpEventsFlow.{step}_SetCustomExtensionByRef",
        "PUT",
        f"{ITEM}/{CAST}/{step}/{handler}/customExtension/$ref",
        partial(views.set_step_extension, step),
        WRITE,
        f"Attach a custom extension to {title} by reference",
        body=REFERENCE_BODY,
        status=204,
        refusals=NOT_FOUND,
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "LIST_EVENTS_FLOWS",
        "identity_ListAuthenticationEventsFlow",
        "GET",
        COLLECTION,
        views.list_flows,
        READ,
        "List authenticationEventsFlows",
        query=LIST_QUERY,
        response="authenticationEventsFlowCollectionResponseBeta",
        response_description="Retrieved collection",
        parameters=LIST_PARAMETERS,
    ),
    Operation(
        "CREATE_EVENTS_FLOW",
        "identity_CreateAuthenticationEventsFlow",
        "POST",
        COLLECTION,
        views.create_flow,
        WRITE,
        "Create externalUsersSelfServiceSignUpEventsFlow",
        body=flow_body("authenticationEventsFlowCreate"),
        status=201,
        response="authenticationEventsFlowBeta",
        response_description="The created user flow",
        refusals=(("409", "Another flow has this displayName, or a linked application is linked to one."),),
    ),
    Operation(
        "COUNT_EVENTS_FLOWS",
        "identity.authenticationEventsFlow_GetCount",
        "GET",
        f"{COLLECTION}/$count",
        views.count_flows,
        READ,
        "Get the number of the resource",
        query=COUNT_QUERY,
        response=COUNT_RESPONSE,
        response_description="The count of the resource",
        parameters=("eventsFlows.filter",),
    ),
    Operation(
        "LIST_SELF_SERVICE_SIGN_UP_FLOWS",
        "identity.ListAuthenticationEventsFlow.AsExternalUsersSelfServiceSignUpEventsFlow",
        "GET",
        f"{COLLECTION}/{CAST}",
        views.list_cast_flows,
        READ,
        "Get the items of type microsoft.graph.externalUsersSelfServiceSignUpEventsFlow in the collection",
        query=LIST_QUERY,
        response="authenticationEventsFlowCollectionResponseBeta",
        response_description="Retrieved collection",
        parameters=LIST_PARAMETERS,
    ),
    Operation(
        "GET_EVENTS_FLOW",
        "identity_GetAuthenticationEventsFlow",
        "GET",
        ITEM,
        views.get_flow,
        READ,
        "Get authenticationEventsFlow",
        query=GET_QUERY,
        response="authenticationEventsFlowBeta",
        response_description="The user flow",
        parameters=("eventsFlows.select",),
        refusals=NOT_FOUND,
    ),
    Operation(
        "UPDATE_EVENTS_FLOW",
        "identity_UpdateAuthenticationEventsFlow",
        "PATCH",
        ITEM,
        views.update_flow,
        WRITE,
        "Update authenticationEventsFlow",
        body=flow_body("authenticationEventsFlowUpdate"),
        status=204,
        refusals=(
            *NOT_FOUND,
            ("409", "Another flow has this displayName, or a linked application is linked to one."),
        ),
    ),
    Operation(
        "DELETE_EVENTS_FLOW",
        "identity_DeleteAuthenticationEventsFlow",
        "DELETE",
        ITEM,
        views.delete_flow,
        WRITE,
        "Delete authenticationEventsFlow",
        status=204,
        refusals=NOT_FOUND,
    ),
    Operation(
        "GET_SELF_SERVICE_SIGN_UP_FLOW",
        "identity.GetAuthenticationEventsFlow.AsExternalUsersSelfServiceSignUpEventsFlow",
        "GET",
        f"{ITEM}/{CAST}",
        views.get_cast_flow,
        READ,
        "Get the item of type microsoft.graph.authenticationEventsFlow as "
        "microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
        query=GET_QUERY,
        response="authenticationEventsFlowBeta",
        response_description="The user flow",
        parameters=("eventsFlows.select",),
        refusals=NOT_FOUND,
    ),
    Operation(
        "LIST_EVENTS_FLOW_APPLICATIONS",
        "identity.authenticationEventsFlows.conditions.applications_ListIncludeApplications",
        "GET",
        APPLICATIONS,
        views.list_applications,
        READ,
        "Get includeApplications from identity",
        response="authenticationConditionApplicationCollectionResponse",
        response_description="The applications linked to the flow",
        refusals=NOT_FOUND,
    ),
    Operation(
        "ADD_EVENTS_FLOW_APPLICATION",
        "identity.authenticationEventsFlows.conditions.applications_CreateIncludeApplications",
        "POST",
        APPLICATIONS,
        views.add_application,
        WRITE,
        "Link an application to the user flow",
        body=APPLICATION_BODY,
        status=201,
        response="authenticationConditionApplication",
        response_description="The linked application",
        refusals=(*NOT_FOUND, ("409", "The application is linked to this or another user flow already.")),
    ),
    Operation(
        "GET_EVENTS_FLOW_APPLICATION",
        "identity.authenticationEventsFlows.conditions.applications_GetIncludeApplications",
        "GET",
        f"{APPLICATIONS}/{{appId}}",
        views.get_application,
        READ,
        "Get includeApplications from identity",
        response="authenticationConditionApplication",
        response_description="The linked application",
        refusals=(("404", f"{NO_FLOW} Or the application is not linked to it."),),
    ),
    Operation(
        "REMOVE_EVENTS_FLOW_APPLICATION",
        "identity.authenticationEventsFlows.conditions.applications_DeleteIncludeApplications",
        "DELETE",
        f"{APPLICATIONS}/{{appId}}",
        views.remove_application,
        WRITE,
        "Unlink an application from the user flow",
        status=204,
        refusals=(("404", f"{NO_FLOW} Or the application is not linked to it."),),
    ),
    *(_step_operation(step) for step in model.EXTENSION_STEPS),
)
VERIFIED = frozenset(
    {
        "LIST_EVENTS_FLOWS",
        "CREATE_EVENTS_FLOW",
        "COUNT_EVENTS_FLOWS",
        "LIST_SELF_SERVICE_SIGN_UP_FLOWS",
        "GET_EVENTS_FLOW",
        "GET_SELF_SERVICE_SIGN_UP_FLOW",
        "LIST_EVENTS_FLOW_APPLICATIONS",
        "GET_EVENTS_FLOW_APPLICATION",
    }
)

TABLE = ResourceTable(
    name="authenticationEventsFlows",
    tag="identity.authenticationEventsFlow",
    operations=OPERATIONS,
    path_parameters=MappingProxyType({"id": FLOW_ID, "appId": APP_ID}),
    openapi_parameters=MappingProxyType(PARAMETERS),
    contracts=(
        "authenticationEventsFlowBeta",
        "authenticationEventsFlowCollectionResponseBeta",
        "authenticationEventsFlowCreate",
        "authenticationEventsFlowUpdate",
        "authenticationConditionApplication",
        "authenticationConditionApplicationCreate",
        "authenticationConditionApplicationCollectionResponse",
        "customAuthenticationExtensionReference",
    ),
    unverified=MappingProxyType({op.name: UNVERIFIED for op in OPERATIONS if op.name not in VERIFIED}),
)
