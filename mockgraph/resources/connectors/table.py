"""The API-connector operation table: ``/identity/apiConnectors`` on beta and v1.0.

Ids and summaries are those of Microsoft's official OpenAPI description. Graph's docs list only
ReadWrite.All for every operation, but the live service's 403 for a list names Read.All as well
(reference graph-apiconnectors.md section 2.1), so reads accept either.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from mockgraph.core.config import (
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    READ_ALL,
    READ_WRITE_ALL,
)
from mockgraph.core.contracts import Contracts
from mockgraph.core.operations import Body, Operation, Permissions, QueryOptions, ResourceTable
from mockgraph.resources.connectors import model, views
from mockgraph.resources.connectors import query as odata
from mockgraph.resources.connectors.openapi import PARAMETERS

ROLES = (EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, GLOBAL_ADMINISTRATOR)
READ = Permissions((READ_ALL, READ_WRITE_ALL), (READ_ALL, READ_WRITE_ALL), ROLES)
WRITE = Permissions((READ_WRITE_ALL,), (READ_WRITE_ALL,), ROLES)
COLLECTION = "identity/apiConnectors"
ITEM = f"{COLLECTION}/{{id}}"
NOT_FOUND = (("404", "No connector with this id in the caller's tenant."),)
COUNT_RESPONSE = {"text/plain": {"schema": {"type": "integer", "minimum": 0}}}


def _body(contract: str) -> Body:
    def check(contracts: Contracts, document: Any) -> dict[str, Any]:
        return model.validate(contracts, contract, document)

    return Body(contract, check, model.CONNECTOR_TYPE_NAME)


TABLE = ResourceTable(
    name="apiConnectors",
    tag="identity.identityApiConnector",
    path_parameters=MappingProxyType({"id": "id"}),
    openapi_parameters=MappingProxyType(PARAMETERS),
    contracts=(
        "identityApiConnector",
        "identityApiConnectorCollectionResponse",
        "identityApiConnectorCreate",
        "identityApiConnectorUpdate",
        "identityApiConnectorFull",
        "uploadClientCertificate",
    ),
    operations=(
        Operation(
            "LIST_CONNECTORS",
            "identity_ListApiConnector",
            "GET",
            COLLECTION,
            views.list_connectors,
            READ,
            "List identityApiConnectors",
            query=QueryOptions(odata.LIST_OPTIONS, odata.parse_list),
            response="identityApiConnectorCollectionResponse",
            response_description="Retrieved collection",
            parameters=("top", "skip", "search", "filter", "count", "orderby", "select", "expand"),
        ),
        Operation(
            "CREATE_CONNECTOR",
            "identity_CreateApiConnector",
            "POST",
            COLLECTION,
            views.create_connector,
            WRITE,
            "Create identityApiConnector",
            body=_body("identityApiConnectorCreate"),
            status=201,
            response="identityApiConnectorFull",
            response_description="The connector",
        ),
        Operation(
            "COUNT_CONNECTORS",
            "identity.apiConnector_GetCount",
            "GET",
            f"{COLLECTION}/$count",
            views.count_connectors,
            READ,
            "Get the number of the resource",
            query=QueryOptions(odata.COUNT_OPTIONS, odata.parse_list),
            response=COUNT_RESPONSE,
            response_description="The count of the resource",
            parameters=("search", "filter"),
        ),
        Operation(
            "GET_CONNECTOR",
            "identity_GetApiConnector",
            "GET",
            ITEM,
            views.get_connector,
            READ,
            "Get identityApiConnector",
            query=QueryOptions(odata.GET_OPTIONS, odata.parse_get),
            response="identityApiConnector",
            response_description="The connector (only the $select-ed properties when given)",
            parameters=("select", "expand"),
            refusals=NOT_FOUND,
        ),
        Operation(
            "UPDATE_CONNECTOR",
            "identity_UpdateApiConnector",
            "PATCH",
            ITEM,
            views.update_connector,
            WRITE,
            "Update identityApiConnector",
            body=_body("identityApiConnectorUpdate"),
            status=204,
            refusals=NOT_FOUND,
        ),
        Operation(
            "DELETE_CONNECTOR",
            "identity_DeleteApiConnector",
            "DELETE",
            ITEM,
            views.delete_connector,
            WRITE,
            "Delete identityApiConnector",
            status=204,
            parameters=("ifMatch",),
            refusals=NOT_FOUND,
        ),
        Operation(
            "UPLOAD_CERTIFICATE",
            "identity.apiConnector_uploadClientCertificate",
            "POST",
            f"{ITEM}/microsoft.graph.uploadClientCertificate",
            views.upload_certificate,
            WRITE,
            "Invoke action uploadClientCertificate",
            body=_body("uploadClientCertificate"),
            action=True,
            response="identityApiConnectorFull",
            response_description="The connector",
            refusals=NOT_FOUND,
        ),
    ),
)
