"""The listener operation table: ``/identity/authenticationEventListeners`` on beta and v1.0.

Bodies: ``@odata.type`` chooses the listener subtype (``typed_body``); beta judges them by the ``*Beta``
contracts (``priority`` required, ``authenticationEventsFlowId`` and ``includeAllApplications`` accepted,
``onPhoneMethodLoadStartListener``). Answers are described by the beta contracts, which hold both versions'.
The deprecated handler navigation (``.../microsoft.graph.<listener>/handler/microsoft.graph.<handler>/
customExtension`` and its ``$ref``) is served on beta for the six custom-extension handlers.

Permissions and roles as reference section 6: reads accept EventListener.Read.All or .ReadWrite.All and the
Authentication Extensibility Administrator, Application Administrator or Global Reader role; writes need
.ReadWrite.All and one of the first two roles. Global Administrator is accepted everywhere (a superset). Personal
Microsoft accounts are not supported.
"""

from __future__ import annotations

from functools import partial
from types import MappingProxyType
from typing import Any

from mockgraph.core.config import (
    APPLICATION_ADMINISTRATOR,
    AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR,
    EVENT_LISTENER_READ_ALL,
    EVENT_LISTENER_READ_WRITE_ALL,
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
)
from mockgraph.core.contracts import Contracts
from mockgraph.core.odata_types import bare
from mockgraph.core.operations import Body, Operation, Permissions, QueryOptions, ResourceTable
from mockgraph.core.typed_bodies import typed_body
from mockgraph.resources.listeners import model, views
from mockgraph.resources.listeners.openapi import APP_ID, LISTENER_ID, PARAMETERS
from mockgraph.resources.listeners.references import (
    HANDLER_EXTENSIONS,
    check_reference_body,
    contract_check,
)

WRITE_ROLES = (AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR, APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR)
READ_ROLES = (*WRITE_ROLES[:2], GLOBAL_READER, GLOBAL_ADMINISTRATOR)
READ = Permissions(
    (EVENT_LISTENER_READ_ALL, EVENT_LISTENER_READ_WRITE_ALL),
    (EVENT_LISTENER_READ_ALL, EVENT_LISTENER_READ_WRITE_ALL),
    READ_ROLES,
)
WRITE = Permissions((EVENT_LISTENER_READ_WRITE_ALL,), (EVENT_LISTENER_READ_WRITE_ALL,), WRITE_ROLES)
COLLECTION = "identity/authenticationEventListeners"
ITEM = f"{COLLECTION}/{{id}}"
APPLICATIONS = f"{ITEM}/conditions/applications/includeApplications"
NO_LISTENER = "No listener with this id in the caller's tenant."
NOT_FOUND = (("404", NO_LISTENER),)
ABSTRACT = ("#microsoft.graph.authenticationEventListener",)
COUNT_RESPONSE = {"text/plain": {"schema": {"type": "integer", "minimum": 0}}}
# Why mockgraph verify leaves these out: it never creates a listener in a real tenant (one would change which
# extension the tenant's sign-ins call), so nothing exists there for these operations to act on.
UNVERIFIED = (
    "acts on an existing listener, and mockgraph verify never creates one in a real tenant (it would change "
    "which custom extension the tenant's sign-ins call)"
)
# The custom-extension handlers' short names, for the deprecated navigation's operation names.
SHORT_NAMES = {
    "#microsoft.graph.onTokenIssuanceStartListener": "TOKEN_ISSUANCE_START",
    "#microsoft.graph.onAttributeCollectionStartListener": "ATTRIBUTE_COLLECTION_START",
    "#microsoft.graph.onAttributeCollectionSubmitListener": "ATTRIBUTE_COLLECTION_SUBMIT",
    "#microsoft.graph.onEmailOtpSendListener": "EMAIL_OTP_SEND",
    "#microsoft.graph.onPasswordSubmitListener": "PASSWORD_SUBMIT",
    "#microsoft.graph.onVerifiedIdClaimValidationListener": "VERIFIED_ID_CLAIM_VALIDATION",
}


def _listener_body(contract: str, types: tuple[str, ...]) -> Body:
    typed = typed_body(
        contract, dict.fromkeys(types, contract), entity_type=model.ENTITY_TYPE, abstract=ABSTRACT
    )

    def check(contracts: Contracts, document: Any) -> dict[str, Any]:
        return model.check_body(typed.check(contracts, document))

    return Body(contract, check, typed.entity_type, typed.by_type)


def listener_body(contract: str) -> Body:
    """The v1.0 rule for ``contract`` with the beta rule (``<contract>Beta``) for beta."""
    beta = _listener_body(f"{contract}Beta", model.BETA_TYPES)
    v1 = _listener_body(contract, model.V1_TYPES)
    return Body(v1.contract, v1.check, v1.entity_type, v1.by_type, MappingProxyType({"beta": beta}))


def _application_check(contracts: Contracts, document: Any) -> dict[str, Any]:
    body = contract_check(
        contracts,
        "authenticationConditionApplicationCreate",
        document,
        "microsoft.graph.authenticationConditionApplication",
    )
    return model.check_application_body(body)


APPLICATION_BODY = Body(
    "authenticationConditionApplicationCreate",
    _application_check,
    "microsoft.graph.authenticationConditionApplication",
)
REFERENCE_BODY = Body(
    "customAuthenticationExtensionReference",
    check_reference_body,
    "microsoft.graph.customAuthenticationExtension",
)
LIST_QUERY = QueryOptions(frozenset({"filter", "select", "count", "expand"}), views.parse_list)
GET_QUERY = QueryOptions(frozenset({"select", "expand"}), views.parse_list)
COUNT_QUERY = QueryOptions(frozenset({"filter"}), views.parse_list)


def _handler_operations(listener_type: str) -> tuple[Operation, Operation]:
    assert model.LISTENER_HANDLERS[listener_type] in HANDLER_EXTENSIONS  # only these have customExtension
    short = SHORT_NAMES[listener_type]
    listener, handler = bare(listener_type), bare(model.LISTENER_HANDLERS[listener_type])
    path = f"{ITEM}/{listener}/handler/{handler}/customExtension"
    prefix = f"identity.authenticationEventListeners.{listener.removeprefix('microsoft.graph.')}.handler"
    return (
        Operation(
            f"GET_LISTENER_{short}_EXTENSION",
            f"{prefix}_GetCustomExtension",
            "GET",
            path,
            partial(views.get_handler_extension, listener_type),
            READ,
            "Get the custom extension of the listener's handler (deprecated: use the extension's own path)",
            versions=("beta",),
            response="customAuthenticationExtension",
            response_description="The extension the handler calls",
            refusals=(("404", f"{NO_LISTENER} Or it is not a {listener}, or its handler has no extension."),),
        ),
        Operation(
            f"ATTACH_LISTENER_{short}_EXTENSION",
            f"{prefix}_SetCustomExtensionByRef",
            "PUT",
            f"{path}/$ref",
            partial(views.set_handler_extension, listener_type),
            WRITE,
            "Set the custom extension of the listener's handler by reference (deprecated: PATCH the listener)",
            versions=("beta",),
            body=REFERENCE_BODY,
            status=204,
            refusals=(("404", f"{NO_LISTENER} Or it is not a {listener}."),),
        ),
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "LIST_LISTENERS",
        "identity_ListAuthenticationEventListener",
        "GET",
        COLLECTION,
        views.list_listeners,
        READ,
        "List authenticationEventListeners",
        query=LIST_QUERY,
        response="authenticationEventListenerCollectionResponseBeta",
        response_description="Retrieved collection",
        parameters=(
            "eventListeners.filter",
            "eventListeners.select",
            "eventListeners.count",
            "eventListeners.expand",
        ),
    ),
    Operation(
        "CREATE_LISTENER",
        "identity_CreateAuthenticationEventListener",
        "POST",
        COLLECTION,
        views.create_listener,
        WRITE,
        "Create authenticationEventListener",
        body=listener_body("authenticationEventListenerCreate"),
        status=201,
        response="authenticationEventListenerBeta",
        response_description="The created listener",
        refusals=(
            ("400", "The handler's extension is missing or of another subtype; or the tenant holds 250."),
        ),
    ),
    Operation(
        "COUNT_LISTENERS",
        "identity.authenticationEventListener_GetCount",
        "GET",
        f"{COLLECTION}/$count",
        views.count_listeners,
        READ,
        "Get the number of the resource",
        query=COUNT_QUERY,
        response=COUNT_RESPONSE,
        response_description="The count of the resource",
        parameters=("eventListeners.filter",),
    ),
    Operation(
        "GET_LISTENER",
        "identity_GetAuthenticationEventListener",
        "GET",
        ITEM,
        views.get_listener,
        READ,
        "Get authenticationEventListener",
        query=GET_QUERY,
        response="authenticationEventListenerBeta",
        response_description="The listener",
        parameters=("eventListeners.select", "eventListeners.expand"),
        refusals=NOT_FOUND,
    ),
    Operation(
        "UPDATE_LISTENER",
        "identity_UpdateAuthenticationEventListener",
        "PATCH",
        ITEM,
        views.update_listener,
        WRITE,
        "Update authenticationEventListener",
        body=listener_body("authenticationEventListenerUpdate"),
        status=204,
        refusals=NOT_FOUND,
    ),
    Operation(
        "DELETE_LISTENER",
        "identity_DeleteAuthenticationEventListener",
        "DELETE",
        ITEM,
        views.delete_listener,
        WRITE,
        "Delete authenticationEventListener",
        status=204,
        refusals=NOT_FOUND,
    ),
    Operation(
        "LIST_LISTENER_APPLICATIONS",
        "identity.authenticationEventListeners.conditions.applications_ListIncludeApplications",
        "GET",
        APPLICATIONS,
        views.list_applications,
        READ,
        "Get includeApplications from identity",
        response="authenticationConditionApplicationCollectionResponse",
        response_description="The applications the listener applies to",
        refusals=NOT_FOUND,
    ),
    Operation(
        "ADD_LISTENER_APPLICATION",
        "identity.authenticationEventListeners.conditions.applications_CreateIncludeApplications",
        "POST",
        APPLICATIONS,
        views.add_application,
        WRITE,
        "Create new navigation property to includeApplications for identity",
        body=APPLICATION_BODY,
        status=201,
        response="authenticationConditionApplication",
        response_description="The linked application",
        refusals=(*NOT_FOUND, ("409", "The application is already included.")),
    ),
    Operation(
        "GET_LISTENER_APPLICATION",
        "identity.authenticationEventListeners.conditions.applications_GetIncludeApplications",
        "GET",
        f"{APPLICATIONS}/{{appId}}",
        views.get_application,
        READ,
        "Get includeApplications from identity",
        response="authenticationConditionApplication",
        response_description="The linked application",
        refusals=(("404", f"{NO_LISTENER} Or the application is not included."),),
    ),
    Operation(
        "REMOVE_LISTENER_APPLICATION",
        "identity.authenticationEventListeners.conditions.applications_DeleteIncludeApplications",
        "DELETE",
        f"{APPLICATIONS}/{{appId}}",
        views.remove_application,
        WRITE,
        "Delete navigation property includeApplications for identity",
        status=204,
        refusals=(("404", f"{NO_LISTENER} Or the application is not included."),),
    ),
    *(operation for listener_type in SHORT_NAMES for operation in _handler_operations(listener_type)),
)
VERIFIED = frozenset({"LIST_LISTENERS", "CREATE_LISTENER", "COUNT_LISTENERS", "GET_LISTENER"})
VERIFIED |= {"LIST_LISTENER_APPLICATIONS", "GET_LISTENER_APPLICATION"}
VERIFIED |= {
    op.name for op in OPERATIONS if op.name.startswith("GET_LISTENER_") and op.name.endswith("_EXTENSION")
}

TABLE = ResourceTable(
    name="authenticationEventListeners",
    tag="identity.authenticationEventListener",
    operations=OPERATIONS,
    path_parameters=MappingProxyType({"id": LISTENER_ID, "appId": APP_ID}),
    openapi_parameters=MappingProxyType(PARAMETERS),
    contracts=(
        "authenticationEventListenerBeta",
        "authenticationEventListenerCollectionResponseBeta",
        "authenticationEventListenerCreate",
        "authenticationEventListenerUpdate",
        "authenticationConditionApplication",
        "authenticationConditionApplicationCreate",
        "authenticationConditionApplicationCollectionResponse",
        "customAuthenticationExtension",
        "customAuthenticationExtensionReference",
    ),
    unverified=MappingProxyType({op.name: UNVERIFIED for op in OPERATIONS if op.name not in VERIFIED}),
)
