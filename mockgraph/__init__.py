"""mockgraph: a local emulator of Microsoft Graph's API-connector endpoints, and a contract-test kit.

Names are imported on first use (PEP 562), so that ``import mockgraph`` and the pytest plugin that
imports it stay cheap in projects that never touch the emulator in a given test run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockgraph.app import create_app
    from mockgraph.certificates import (
        CertificateFacts,
        GeneratedPkcs12,
        make_pkcs12,
        read_pkcs12,
    )
    from mockgraph.config import (
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        DEFAULT_TENANT_ID,
        AppRegistration,
        MockGraphConfig,
        Tenant,
        UserAccount,
    )
    from mockgraph.errors import (
        AuthorizationDenied,
        BadRequest,
        GraphError,
        InvalidAuthenticationToken,
        InvalidRequestBody,
        MissingApplicationPermission,
        ResourceNotFound,
    )
    from mockgraph.faults import Faults
    from mockgraph.identity import BadToken, Gatekeeper, TokenFactory, mint_token
    from mockgraph.interceptor import GraphMock
    from mockgraph.journal import Journal, JournalEntry
    from mockgraph.live import LiveServer
    from mockgraph.operations import Operation
    from mockgraph.principal import AuthMode, Principal
    from mockgraph.request_contracts import (
        ContractViolation,
        assert_requests_match_contracts,
        check_requests,
    )
    from mockgraph.server import MockGraphServer
    from mockgraph.settings import ConfigError, ServeSettings, load_settings
    from mockgraph.signup import (
        FailureKind,
        Outcome,
        OutcomeKind,
        SignUpResult,
        SignUpUser,
        Simulator,
        try_connector,
    )
    from mockgraph.snapshot import apply_seed, export_state
    from mockgraph.sqlite_store import SqliteStore
    from mockgraph.store import MemoryStore, Store

__version__ = "0.1.0"

# Where each public name lives.
_EXPORTS: dict[str, str] = {
    "MockGraphServer": "mockgraph.server",
    "SqliteStore": "mockgraph.sqlite_store",
    "ServeSettings": "mockgraph.settings",
    "load_settings": "mockgraph.settings",
    "ConfigError": "mockgraph.settings",
    "export_state": "mockgraph.snapshot",
    "apply_seed": "mockgraph.snapshot",
    "GraphMock": "mockgraph.interceptor",
    "Simulator": "mockgraph.signup",
    "SignUpUser": "mockgraph.signup",
    "SignUpResult": "mockgraph.signup",
    "Outcome": "mockgraph.signup",
    "OutcomeKind": "mockgraph.signup",
    "FailureKind": "mockgraph.signup",
    "try_connector": "mockgraph.signup",
    "create_app": "mockgraph.app",
    "CertificateFacts": "mockgraph.certificates",
    "GeneratedPkcs12": "mockgraph.certificates",
    "make_pkcs12": "mockgraph.certificates",
    "read_pkcs12": "mockgraph.certificates",
    "DEFAULT_CLIENT_ID": "mockgraph.config",
    "DEFAULT_CLIENT_SECRET": "mockgraph.config",
    "DEFAULT_TENANT_ID": "mockgraph.config",
    "AppRegistration": "mockgraph.config",
    "MockGraphConfig": "mockgraph.config",
    "Tenant": "mockgraph.config",
    "UserAccount": "mockgraph.config",
    "AuthorizationDenied": "mockgraph.errors",
    "BadRequest": "mockgraph.errors",
    "GraphError": "mockgraph.errors",
    "InvalidAuthenticationToken": "mockgraph.errors",
    "InvalidRequestBody": "mockgraph.errors",
    "MissingApplicationPermission": "mockgraph.errors",
    "ResourceNotFound": "mockgraph.errors",
    "Faults": "mockgraph.faults",
    "BadToken": "mockgraph.identity",
    "Gatekeeper": "mockgraph.identity",
    "TokenFactory": "mockgraph.identity",
    "mint_token": "mockgraph.identity",
    "Journal": "mockgraph.journal",
    "JournalEntry": "mockgraph.journal",
    "LiveServer": "mockgraph.live",
    "Operation": "mockgraph.operations",
    "AuthMode": "mockgraph.principal",
    "Principal": "mockgraph.principal",
    "ContractViolation": "mockgraph.request_contracts",
    "assert_requests_match_contracts": "mockgraph.request_contracts",
    "check_requests": "mockgraph.request_contracts",
    "MemoryStore": "mockgraph.store",
    "Store": "mockgraph.store",
}

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TENANT_ID",
    "AppRegistration",
    "AuthMode",
    "AuthorizationDenied",
    "BadRequest",
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
    "InvalidRequestBody",
    "Journal",
    "JournalEntry",
    "LiveServer",
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
