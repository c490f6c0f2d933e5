"""OData type names of the resource, and how an ``@odata.type`` on input is read."""

from __future__ import annotations

from typing import Any

from mockgraph.core.errors import InvalidRequestBody

NAMESPACE = "microsoft.graph."
CONNECTOR = "#microsoft.graph.identityApiConnector"
BASIC_AUTHENTICATION = "#microsoft.graph.basicAuthentication"
PKCS12_CERTIFICATE = "#microsoft.graph.pkcs12Certificate"
CLIENT_CERTIFICATE_AUTHENTICATION = "#microsoft.graph.clientCertificateAuthentication"
AUTHENTICATION_BASE = "#microsoft.graph.apiAuthenticationConfigurationBase"

INPUT_AUTHENTICATION_TYPES = (BASIC_AUTHENTICATION, PKCS12_CERTIFICATE)
# Types the model knows but which cannot stand for an authentication configuration on input.
KNOWN_TYPES = frozenset(
    {
        CONNECTOR,
        BASIC_AUTHENTICATION,
        PKCS12_CERTIFICATE,
        CLIENT_CERTIFICATE_AUTHENTICATION,
        AUTHENTICATION_BASE,
        "#microsoft.graph.pkcs12CertificateInformation",
        "#microsoft.graph.entity",
        "#microsoft.graph.identityContainer",
        "#microsoft.graph.b2xIdentityUserFlow",
        "#microsoft.graph.b2cIdentityUserFlow",
        "#microsoft.graph.userFlowApiConnectorConfiguration",
    }
)


def canonical_type(value: str) -> str:
    """``microsoft.graph.x`` and ``#microsoft.graph.x`` name the same type; the ``#`` is optional on input."""
    return value if value.startswith("#") else "#" + value


def bare(type_name: str) -> str:
    return type_name.lstrip("#")


def check_type_annotation(value: Any, *, where: str, allowed: tuple[str, ...]) -> str:
    """Resolve an ``@odata.type`` found at ``where``; raise Graph's 400 when it cannot stand there."""
    if not isinstance(value, str):
        raise InvalidRequestBody(
            f"The value of '@odata.type' on '{where}' must be a string naming a type.",
            reason=f"@odata.type on {where} is not a string",
        )
    resolved = canonical_type(value.strip())
    if resolved in allowed:
        return resolved
    if resolved not in KNOWN_TYPES:
        raise InvalidRequestBody(
            f"A type named '{bare(value)}' could not be resolved by the model. When a model is available, "
            "each type name must resolve to a valid type.",
            reason=f"unknown @odata.type {value!r} on {where}",
        )
    names = "' or '".join(bare(name) for name in allowed)
    raise InvalidRequestBody(
        f"The type '{bare(resolved)}' is not valid for '{where}' on input; use '{names}'.",
        reason=f"@odata.type {value!r} not accepted as input on {where}",
    )


def check_authentication_type(configuration: Any) -> None:
    """The discriminator check Graph applies before reading an authentication configuration."""
    if not isinstance(configuration, dict):
        return  # the contract reports the wrong type, naming the property
    if "@odata.type" not in configuration:
        raise InvalidRequestBody(
            "The property '@odata.type' is required on 'authenticationConfiguration': "
            f"'{bare(AUTHENTICATION_BASE)}' is abstract; use '{bare(BASIC_AUTHENTICATION)}' or "
            f"'{bare(PKCS12_CERTIFICATE)}'.",
            reason="authenticationConfiguration has no @odata.type",
        )
    check_type_annotation(
        configuration["@odata.type"],
        where="authenticationConfiguration",
        allowed=INPUT_AUTHENTICATION_TYPES,
    )
