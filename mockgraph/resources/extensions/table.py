"""The custom-authentication-extension operation table: ``/identity/customAuthenticationExtensions`` (beta, v1.0).

Permissions and roles are the reference's section 6 (Microsoft's permissions map): reads and both
``validateAuthenticationConfiguration`` actions accept CustomAuthenticationExtension.Read.All or .ReadWrite.All;
writes only .ReadWrite.All. Delegated calls need Authentication Extensibility Administrator or Application
Administrator (Global Reader too for reads); Global Administrator is accepted everywhere as their superset.
Personal Microsoft accounts are not supported. Ids follow the naming of Graph's description for apiConnectors.
"""

from __future__ import annotations

from types import MappingProxyType

from mockgraph.core.config import (
    APPLICATION_ADMINISTRATOR,
    AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR,
    EXTENSION_READ_ALL,
    EXTENSION_READ_WRITE_ALL,
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
)
from mockgraph.core.operations import Operation, Permissions, QueryOptions, ResourceTable
from mockgraph.resources.extensions import model, views
from mockgraph.resources.extensions import query as odata
from mockgraph.resources.extensions.openapi import ID_PARAMETER, PARAMETERS, PREFIX

WRITE_ROLES = (AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR, APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR)
READ_ROLES = (
    AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR,
    APPLICATION_ADMINISTRATOR,
    GLOBAL_READER,
    GLOBAL_ADMINISTRATOR,
)
READ = Permissions(
    (EXTENSION_READ_ALL, EXTENSION_READ_WRITE_ALL), (EXTENSION_READ_ALL, EXTENSION_READ_WRITE_ALL), READ_ROLES
)
WRITE = Permissions((EXTENSION_READ_WRITE_ALL,), (EXTENSION_READ_WRITE_ALL,), WRITE_ROLES)
COLLECTION = "identity/customAuthenticationExtensions"
ITEM = f"{COLLECTION}/{{id}}"
ACTION = "microsoft.graph.validateAuthenticationConfiguration"
NOT_FOUND = (("404", "No custom authentication extension with this id in the caller's tenant."),)
COUNT_RESPONSE = {"text/plain": {"schema": {"type": "integer", "minimum": 0}}}
LIST_PARAMETERS = tuple(f"{PREFIX}{name}" for name in ("top", "skip", "search", "filter", "count", "orderby"))

TABLE = ResourceTable(
    name="customAuthenticationExtensions",
    tag="identity.customAuthenticationExtension",
    path_parameters=MappingProxyType({"id": ID_PARAMETER}),
    openapi_parameters=MappingProxyType(PARAMETERS),
    contracts=(
        "customAuthenticationExtension",
        "customAuthenticationExtensionCollectionResponse",
        "customAuthenticationExtensionCreate",
        "customAuthenticationExtensionUpdate",
        "validateAuthenticationConfiguration",
        "authenticationConfigurationValidation",
    ),
    operations=(
        Operation(
            "LIST_EXTENSIONS",
            "identity_ListCustomAuthenticationExtension",
            "GET",
            COLLECTION,
            views.list_extensions,
            READ,
            "List customAuthenticationExtensions",
            query=QueryOptions(odata.LIST_OPTIONS, odata.parse_list),
            response="customAuthenticationExtensionCollectionResponse",
            response_description="Retrieved collection (every object with its @odata.type)",
            parameters=(*LIST_PARAMETERS, f"{PREFIX}select", f"{PREFIX}expand"),
        ),
        Operation(
            "CREATE_EXTENSION",
            "identity_CreateCustomAuthenticationExtension",
            "POST",
            COLLECTION,
            views.create_extension,
            WRITE,
            "Create customAuthenticationExtension (@odata.type names the subtype)",
            body=model.CREATE_BODY,
            status=201,
            response="customAuthenticationExtension",
            response_description="The extension, with its @odata.type",
            refusals=(
                ("400", "A body Graph refuses, or the tenant already holds the maximum of extensions."),
            ),
        ),
        Operation(
            "COUNT_EXTENSIONS",
            "identity.customAuthenticationExtension_GetCount",
            "GET",
            f"{COLLECTION}/$count",
            views.count_extensions,
            READ,
            "Get the number of the resource",
            query=QueryOptions(odata.COUNT_OPTIONS, odata.parse_list),
            response=COUNT_RESPONSE,
            response_description="The count of the resource",
            parameters=(f"{PREFIX}search", f"{PREFIX}filter"),
        ),
        Operation(
            "VALIDATE_EXTENSION_CONFIGURATION",
            "identity.customAuthenticationExtensions_validateAuthenticationConfiguration",
            "POST",
            f"{COLLECTION}/{ACTION}",
            views.validate_configuration,
            READ,
            "Invoke action validateAuthenticationConfiguration (a configuration not yet saved)",
            body=model.VALIDATION_BODY,
            action=True,
            response="authenticationConfigurationValidation",
            response_description="The errors and warnings (empty lists when the configuration is sound)",
        ),
        Operation(
            "GET_EXTENSION",
            "identity_GetCustomAuthenticationExtension",
            "GET",
            ITEM,
            views.get_extension,
            READ,
            "Get customAuthenticationExtension",
            query=QueryOptions(odata.GET_OPTIONS, odata.parse_get),
            response="customAuthenticationExtension",
            response_description="The extension (only the $select-ed properties, and @odata.type, when given)",
            parameters=(f"{PREFIX}select", f"{PREFIX}expand"),
            refusals=NOT_FOUND,
        ),
        Operation(
            "UPDATE_EXTENSION",
            "identity_UpdateCustomAuthenticationExtension",
            "PATCH",
            ITEM,
            views.update_extension,
            WRITE,
            "Update customAuthenticationExtension (@odata.type required; the subtype cannot change)",
            body=model.UPDATE_BODY,
            status=204,
            refusals=NOT_FOUND,
        ),
        Operation(
            "DELETE_EXTENSION",
            "identity_DeleteCustomAuthenticationExtension",
            "DELETE",
            ITEM,
            views.delete_extension,
            WRITE,
            "Delete customAuthenticationExtension",
            status=204,
            parameters=("ifMatch",),
            refusals=NOT_FOUND,
        ),
        Operation(
            "VALIDATE_EXTENSION",
            "identity.customAuthenticationExtension_validateAuthenticationConfiguration",
            "POST",
            f"{ITEM}/{ACTION}",
            views.validate_extension,
            READ,
            "Invoke action validateAuthenticationConfiguration (the stored extension; no body)",
            action=True,
            response="authenticationConfigurationValidation",
            response_description="The errors and warnings (empty lists when the configuration is sound)",
            refusals=NOT_FOUND,
        ),
    ),
)
