"""The names of the operations the emulator serves; the permission table and the journal key on them."""

from __future__ import annotations

from enum import StrEnum


class Operation(StrEnum):
    """One Graph operation. Values are the official OpenAPI operation ids where one exists."""

    LIST_CONNECTORS = "identity_ListApiConnector"
    CREATE_CONNECTOR = "identity_CreateApiConnector"
    GET_CONNECTOR = "identity_GetApiConnector"
    UPDATE_CONNECTOR = "identity_UpdateApiConnector"
    DELETE_CONNECTOR = "identity_DeleteApiConnector"
    UPLOAD_CERTIFICATE = "identity.apiConnector_uploadClientCertificate"
    COUNT_CONNECTORS = "identity.apiConnector_GetCount"

    # User flows (beta; b2x also on v1.0), owned by mockgraph.resources.userflows.views.
    LIST_B2X_USER_FLOWS = "identity_ListB2xUserFlow"
    CREATE_B2X_USER_FLOW = "identity_CreateB2xUserFlow"
    GET_B2X_USER_FLOW = "identity_GetB2xUserFlow"
    DELETE_B2X_USER_FLOW = "identity_DeleteB2xUserFlow"
    LIST_B2C_USER_FLOWS = "identity_ListB2cUserFlow"
    CREATE_B2C_USER_FLOW = "identity_CreateB2cUserFlow"
    GET_B2C_USER_FLOW = "identity_GetB2cUserFlow"
    UPDATE_B2C_USER_FLOW = "identity_UpdateB2cUserFlow"
    DELETE_B2C_USER_FLOW = "identity_DeleteB2cUserFlow"
    GET_USER_FLOW_API_CONNECTOR_CONFIGURATION = "identity.userFlow_GetApiConnectorConfiguration"
    GET_USER_FLOW_STEP_CONNECTOR = "identity.userFlow.apiConnectorConfiguration_GetStep"
    SET_USER_FLOW_STEP_CONNECTOR = "identity.userFlow.apiConnectorConfiguration_SetStepRef"
