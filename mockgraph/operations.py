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
