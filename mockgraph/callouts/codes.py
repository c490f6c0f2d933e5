"""The sign-in log's custom-extension error codes (reference §10.2, verbatim but for a dropped link) and what the user sees.

Entra never shows these to the user: "The error code sent back to the application or the user is generic"
(§0). The user gets ``AADSTS1100001``; the code is in the sign-in log, and in the simulator's verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ErrorCode(IntEnum):
    """The codes of the 1003000-1003027 table (1003013 is not listed)."""

    EVENT_HANDLER_UNEXPECTED_ERROR = 1003000
    CUSTOM_EXTENSION_UNEXPECTED_ERROR = 1003001
    INVALID_HTTP_STATUS = 1003002
    INVALID_RESPONSE_BODY = 1003003
    THROTTLING_ERROR = 1003004
    TIMED_OUT = 1003005
    INVALID_RESPONSE_CONTENT_TYPE = 1003006
    NULL_CLAIMS_RESPONSE = 1003007
    INVALID_RESPONSE_API_SCHEMA_VERSION = 1003008
    EMPTY_RESPONSE = 1003009
    INVALID_NUMBER_OF_ACTIONS = 1003010
    NOT_FOUND = 1003011
    INVALID_ACTION_TYPE = 1003012
    INCORRECT_RESOURCE_ID_FORMAT = 1003014
    DOMAIN_NAME_DOES_NOT_MATCH = 1003015
    RESOURCE_SERVICE_PRINCIPAL_NOT_FOUND = 1003016
    CLIENT_SERVICE_PRINCIPAL_NOT_FOUND = 1003017
    CLIENT_SERVICE_DISABLED = 1003018
    RESOURCE_SERVICE_PRINCIPAL_DISABLED = 1003019
    INCORRECT_TARGET_URL_FORMAT = 1003020
    PERMISSION_NOT_GRANTED_TO_SERVICE_PRINCIPAL = 1003021
    MS_GRAPH_SERVICE_PRINCIPAL_DISABLED_OR_NOT_FOUND = 1003022
    BLOCKED = 1003023
    RESPONSE_SIZE_EXCEEDED = 1003024
    RESPONSE_CLAIMS_SIZE_EXCEEDED = 1003025
    NULL_OR_EMPTY_CLAIM_KEY_NOT_SUPPORTED = 1003026
    CONNECTION_ERROR = 1003027

    @property
    def error_name(self) -> str:
        return ERROR_TABLE[self][0]

    @property
    def description(self) -> str:
        return ERROR_TABLE[self][1]


ERROR_TABLE: dict[ErrorCode, tuple[str, str]] = {
    ErrorCode.EVENT_HANDLER_UNEXPECTED_ERROR: (
        "EventHandlerUnexpectedError",
        "There was an unexpected error when processing an event handler.",
    ),
    ErrorCode.CUSTOM_EXTENSION_UNEXPECTED_ERROR: (
        "CustomExtensionUnexpectedError",
        "There was an unexpected error while calling a custom extension API.",
    ),
    ErrorCode.INVALID_HTTP_STATUS: (
        "CustomExtensionInvalidHTTPStatus",
        "The custom extension API returned an invalid HTTP status code. Check that the API returns an accepted "
        "status code defined for that custom extension type.",
    ),
    ErrorCode.INVALID_RESPONSE_BODY: (
        "CustomExtensionInvalidResponseBody",
        "There was a problem parsing the custom extension's response body. Check that the API response body is "
        "in an acceptable schema for that custom extension type.",
    ),
    ErrorCode.THROTTLING_ERROR: (
        "CustomExtensionThrottlingError",
        "There are too many custom extension requests. This exception is thrown for custom extension API calls "
        "when throttling limits are reached.",
    ),
    ErrorCode.TIMED_OUT: (
        "CustomExtensionTimedOut",
        "The custom extension didn't respond within the allowed timeout. Check that your API is responding within "
        "the configured timeout for the custom extension. It can also indicate that the access token is invalid.",
    ),
    ErrorCode.INVALID_RESPONSE_CONTENT_TYPE: (
        "CustomExtensionInvalidResponseContentType",
        "The custom extension's response content-type isn't 'application/json'.",
    ),
    ErrorCode.NULL_CLAIMS_RESPONSE: (
        "CustomExtensionNullClaimsResponse",
        "The custom extension API responded with a null claims bag.",
    ),
    ErrorCode.INVALID_RESPONSE_API_SCHEMA_VERSION: (
        "CustomExtensionInvalidResponseApiSchemaVersion",
        "The custom extension API didn't respond with the same apiSchemaVersion that it was called for.",
    ),
    ErrorCode.EMPTY_RESPONSE: (
        "CustomExtensionEmptyResponse",
        "The custom extension API response body was null when that wasn't expected.",
    ),
    ErrorCode.INVALID_NUMBER_OF_ACTIONS: (
        "CustomExtensionInvalidNumberOfActions",
        "The custom extension API response included a different number of actions than those supported for that "
        "custom extension type.",
    ),
    ErrorCode.NOT_FOUND: (
        "CustomExtensionNotFound",
        "The custom extension associated with an event listener couldn't be found.",
    ),
    ErrorCode.INVALID_ACTION_TYPE: (
        "CustomExtensionInvalidActionType",
        "The custom extension returned an invalid action type defined for that custom extension type.",
    ),
    ErrorCode.INCORRECT_RESOURCE_ID_FORMAT: (
        "CustomExtensionIncorrectResourceIdFormat",
        "The identifierUris property in the manifest for the application registration for the custom extension, "
        'should be in the format of "api://{fully qualified domain name}/{appid}.',
    ),
    ErrorCode.DOMAIN_NAME_DOES_NOT_MATCH: (
        "CustomExtensionDomainNameDoesNotMatch",
        "The targetUrl and resourceId of the custom extension should have the same fully qualified domain name.",
    ),
    ErrorCode.RESOURCE_SERVICE_PRINCIPAL_NOT_FOUND: (
        "CustomExtensionResourceServicePrincipalNotFound",
        "The appId of the custom extension resourceId should correspond to a real service principal in the tenant.",
    ),
    ErrorCode.CLIENT_SERVICE_PRINCIPAL_NOT_FOUND: (
        "CustomExtensionClientServicePrincipalNotFound",
        "The custom extension resource service principal is not found in the tenant.",
    ),
    ErrorCode.CLIENT_SERVICE_DISABLED: (
        "CustomExtensionClientServiceDisabled",
        "The custom extension resource service principal is disabled in this tenant.",
    ),
    ErrorCode.RESOURCE_SERVICE_PRINCIPAL_DISABLED: (
        "CustomExtensionResourceServicePrincipalDisabled",
        "The custom extension resource service principal is disabled in this tenant.",
    ),
    ErrorCode.INCORRECT_TARGET_URL_FORMAT: (
        "CustomExtensionIncorrectTargetUrlFormat",
        "The target URL is in an improper format. It must be a valid URL that starts with https.",
    ),
    ErrorCode.PERMISSION_NOT_GRANTED_TO_SERVICE_PRINCIPAL: (
        "CustomExtensionPermissionNotGrantedToServicePrincipal",
        "The service principal doesn't have admin consent for the Microsoft Graph "
        "CustomAuthenticationExtensions.Receive.Payload app role (also known as application permission) which is "
        "required for the app to receive custom authentication extension HTTP requests.",
    ),
    ErrorCode.MS_GRAPH_SERVICE_PRINCIPAL_DISABLED_OR_NOT_FOUND: (
        "CustomExtensionMsGraphServicePrincipalDisabledOrNotFound",
        "The MS Graph service principal is disabled or not found in this tenant.",
    ),
    ErrorCode.BLOCKED: (
        "CustomExtensionBlocked",
        "The endpoint used for the custom extension is blocked by the service.",
    ),
    ErrorCode.RESPONSE_SIZE_EXCEEDED: (
        "CustomExtensionResponseSizeExceeded",
        "The custom extension response size exceeded the maximum limit.",
    ),
    ErrorCode.RESPONSE_CLAIMS_SIZE_EXCEEDED: (
        "CustomExtensionResponseClaimsSizeExceeded",
        "The total size of claims in the custom extension response exceeded the maximum limit.",
    ),
    ErrorCode.NULL_OR_EMPTY_CLAIM_KEY_NOT_SUPPORTED: (
        "CustomExtensionNullOrEmptyClaimKeyNotSupported",
        "The custom extension API responded with claims containing null or empty key'",
    ),
    ErrorCode.CONNECTION_ERROR: (
        "CustomExtensionConnectionError",
        "Error connecting to the custom extension API.",
    ),
}

# What the user gets for any failure (reference §10.4 [O]); the exact description text is not documented.
USER_ERROR_CODE = "AADSTS1100001"
USER_ERROR_MESSAGE = "Non-retryable error has occurred."
# The OIDC error the app is redirected back with (no token is minted); ``server_error`` is a choice.
OIDC_ERROR = "server_error"


@dataclass(frozen=True)
class UserView:
    """What the person signing in sees: a page (block page, validation errors, an error) or nothing new.

    ``redirect`` is the OIDC error an app receives when the sign-in ends with a failure (SAML apps see the
    error page instead and are not redirected back).
    """

    page: str
    title: str | None = None
    message: str | None = None
    errors: dict[str, str] | None = None
    redirect: dict[str, str] | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "page": self.page,
            "title": self.title,
            "message": self.message,
            "attributeErrors": self.errors,
            "redirect": self.redirect,
        }


def generic_error(correlation_id: str) -> UserView:
    """The generic error page and OIDC redirect every failed callout ends in."""
    description = f"{USER_ERROR_CODE}: {USER_ERROR_MESSAGE} Correlation ID: {correlation_id}"
    return UserView(
        page="error",
        title="Sorry, but we're having trouble signing you in.",
        message=description,
        redirect={"error": OIDC_ERROR, "error_description": description},
    )
