"""Hypothesis strategies for API-connector, custom-authentication-extension and event-listener payloads,
real PKCS#12 certificates and access tokens.

Valid strategies generate only what Graph documents as accepted; the ``invalid_*`` strategies
generate one named kind of mistake at a time (:class:`InvalidBodyKind`, :class:`InvalidExtensionBodyKind`,
:class:`InvalidTokenKind`).
Options are keyword-only and checked when a strategy is built, as Hypothesis's own are. This module
needs the optional ``hypothesis`` dependency (``pip install 'mockgraph[strategies]'``).
"""

from __future__ import annotations

from mockgraph.testing.strategies.extensions import (
    EXTENSION_SUBTYPES as EXTENSION_SUBTYPES,
)
from mockgraph.testing.strategies.extensions import (
    InvalidExtensionBodyKind,
    custom_authentication_extensions,
    extension_create_bodies,
    extension_update_bodies,
    extension_validation_bodies,
    invalid_extension_create_bodies,
    invalid_extension_update_bodies,
    resource_ids,
)
from mockgraph.testing.strategies.invalid_bodies import (
    InvalidBodyKind,
    invalid_create_bodies,
    invalid_update_bodies,
    invalid_upload_bodies,
)
from mockgraph.testing.strategies.listeners import (
    InvalidListenerKind,
    extension_reference,
    invalid_listener_bodies,
    listener_bodies,
)
from mockgraph.testing.strategies.payloads import (
    api_connectors,
    authentication_configurations,
    basic_authentications,
    certificate_informations,
    create_bodies,
    display_names,
    pkcs12_bundles,
    pkcs12_certificates,
    target_urls,
    update_bodies,
    upload_bodies,
)
from mockgraph.testing.strategies.tokens import (
    GeneratedToken,
    InvalidAuthorization,
    InvalidTokenKind,
    access_tokens,
    invalid_authorizations,
)

__all__ = [
    "GeneratedToken",
    "InvalidAuthorization",
    "InvalidBodyKind",
    "InvalidExtensionBodyKind",
    "InvalidListenerKind",
    "InvalidTokenKind",
    "access_tokens",
    "api_connectors",
    "authentication_configurations",
    "basic_authentications",
    "certificate_informations",
    "create_bodies",
    "custom_authentication_extensions",
    "display_names",
    "extension_create_bodies",
    "extension_reference",
    "extension_update_bodies",
    "extension_validation_bodies",
    "invalid_authorizations",
    "invalid_create_bodies",
    "invalid_extension_create_bodies",
    "invalid_extension_update_bodies",
    "invalid_listener_bodies",
    "invalid_update_bodies",
    "invalid_upload_bodies",
    "listener_bodies",
    "pkcs12_bundles",
    "pkcs12_certificates",
    "resource_ids",
    "target_urls",
    "update_bodies",
    "upload_bodies",
]
