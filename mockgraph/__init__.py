"""mockgraph: a local emulator of Microsoft Graph's API-connector endpoints, and a contract-test kit.

Names are imported on first use (PEP 562), so that ``import mockgraph`` and the pytest plugin that
imports it stay cheap in projects that never touch the emulator in a given test run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockgraph.admin.snapshot import apply_seed, export_state
    from mockgraph.app import create_app
    from mockgraph.core.certificates import (
        CertificateFacts,
        GeneratedPkcs12,
        make_pkcs12,
        read_pkcs12,
    )
    from mockgraph.core.config import (
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        DEFAULT_TENANT_ID,
        AppRegistration,
        MockGraphConfig,
        ServicePrincipal,
        Tenant,
        UserAccount,
    )
    from mockgraph.core.errors import (
        AuthorizationDenied,
        GraphError,
        InvalidAuthenticationToken,
        InvalidRequest,
        InvalidRequestBody,
        MissingApplicationPermission,
        ResourceNotFound,
    )
    from mockgraph.core.operations import Operation
    from mockgraph.core.principal import AuthMode, Principal
    from mockgraph.identity import BadToken, Gatekeeper, TokenFactory, mint_token
    from mockgraph.server.settings import ConfigError, ServeSettings, load_settings
    from mockgraph.server.threaded import MockGraphServer
    from mockgraph.signup import (
        FailureKind,
        Outcome,
        OutcomeKind,
        SignUpResult,
        SignUpUser,
        Simulator,
        try_connector,
    )
    from mockgraph.storage.sqlite import SqliteStore
    from mockgraph.storage.store import MemoryStore, Store
    from mockgraph.testing.interceptor import GraphMock
    from mockgraph.testing.request_checks import (
        ContractViolation,
        assert_requests_match_contracts,
        check_requests,
    )
    from mockgraph.web.faults import Faults
    from mockgraph.web.journal import Journal, JournalEntry

__version__ = "0.1.0"

# Where each public name lives.
_EXPORTS: dict[str, str] = {
    "MockGraphServer": "mockgraph.server.threaded",
    "SqliteStore": "mockgraph.storage.sqlite",
    "ServeSettings": "mockgraph.server.settings",
    "load_settings": "mockgraph.server.settings",
    "ConfigError": "mockgraph.server.settings",
    "export_state": "mockgraph.admin.snapshot",
    "apply_seed": "mockgraph.admin.snapshot",
    "GraphMock": "mockgraph.testing.interceptor",
    "Simulator": "mockgraph.signup",
    "SignUpUser": "mockgraph.signup",
    "SignUpResult": "mockgraph.signup",
    "Outcome": "mockgraph.signup",
    "OutcomeKind": "mockgraph.signup",
    "FailureKind": "mockgraph.signup",
    "try_connector": "mockgraph.signup",
    "create_app": "mockgraph.app",
    "CertificateFacts": "mockgraph.core.certificates",
    "GeneratedPkcs12": "mockgraph.core.certificates",
    "make_pkcs12": "mockgraph.core.certificates",
    "read_pkcs12": "mockgraph.core.certificates",
    "DEFAULT_CLIENT_ID": "mockgraph.core.config",
    "DEFAULT_CLIENT_SECRET": "mockgraph.core.config",
    "DEFAULT_TENANT_ID": "mockgraph.core.config",
    "AppRegistration": "mockgraph.core.config",
    "MockGraphConfig": "mockgraph.core.config",
    "ServicePrincipal": "mockgraph.core.config",
    "Tenant": "mockgraph.core.config",
    "UserAccount": "mockgraph.core.config",
    "AuthorizationDenied": "mockgraph.core.errors",
    "InvalidRequest": "mockgraph.core.errors",
    "GraphError": "mockgraph.core.errors",
    "InvalidAuthenticationToken": "mockgraph.core.errors",
    "InvalidRequestBody": "mockgraph.core.errors",
    "MissingApplicationPermission": "mockgraph.core.errors",
    "ResourceNotFound": "mockgraph.core.errors",
    "Faults": "mockgraph.web.faults",
    "BadToken": "mockgraph.identity",
    "Gatekeeper": "mockgraph.identity",
    "TokenFactory": "mockgraph.identity",
    "mint_token": "mockgraph.identity",
    "Journal": "mockgraph.web.journal",
    "JournalEntry": "mockgraph.web.journal",
    "Operation": "mockgraph.core.operations",
    "AuthMode": "mockgraph.core.principal",
    "Principal": "mockgraph.core.principal",
    "ContractViolation": "mockgraph.testing.request_checks",
    "assert_requests_match_contracts": "mockgraph.testing.request_checks",
    "check_requests": "mockgraph.testing.request_checks",
    "MemoryStore": "mockgraph.storage.store",
    "Store": "mockgraph.storage.store",
}

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TENANT_ID",
    "AppRegistration",
    "AuthMode",
    "AuthorizationDenied",
    "BadToken",
    "CertificateFacts",
    "ConfigError",
    "ContractViolation",
    "FailureKind",
    "Faults",
    "Gatekeeper",
    "GeneratedPkcs12",
    "GraphError",
    "GraphMock",
    "InvalidAuthenticationToken",
    "InvalidRequest",
    "InvalidRequestBody",
    "Journal",
    "JournalEntry",
    "MemoryStore",
    "MissingApplicationPermission",
    "MockGraphConfig",
    "MockGraphServer",
    "Operation",
    "Outcome",
    "OutcomeKind",
    "Principal",
    "ResourceNotFound",
    "ServeSettings",
    "ServicePrincipal",
    "SignUpResult",
    "SignUpUser",
    "Simulator",
    "SqliteStore",
    "Store",
    "Tenant",
    "TokenFactory",
    "UserAccount",
    "__version__",
    "apply_seed",
    "assert_requests_match_contracts",
    "check_requests",
    "create_app",
    "export_state",
    "load_settings",
    "make_pkcs12",
    "mint_token",
    "read_pkcs12",
    "try_connector",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'mockgraph' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
