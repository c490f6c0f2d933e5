"""mockgraph: a local emulator of Microsoft Graph's API-connector endpoints, and a contract-test kit."""

from __future__ import annotations

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
from mockgraph.journal import Journal, JournalEntry
from mockgraph.live import LiveServer
from mockgraph.operations import Operation
from mockgraph.principal import AuthMode, Principal
from mockgraph.request_contracts import (
    ContractViolation,
    assert_requests_match_contracts,
    check_requests,
)
from mockgraph.store import MemoryStore, Store

__version__ = "0.1.0"

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
    "ContractViolation",
    "Faults",
    "Gatekeeper",
    "GeneratedPkcs12",
    "GraphError",
    "InvalidAuthenticationToken",
    "InvalidRequestBody",
    "Journal",
    "JournalEntry",
    "LiveServer",
    "MemoryStore",
    "MissingApplicationPermission",
    "MockGraphConfig",
    "Operation",
    "Principal",
    "ResourceNotFound",
    "Store",
    "Tenant",
    "TokenFactory",
    "UserAccount",
    "__version__",
    "assert_requests_match_contracts",
    "check_requests",
    "create_app",
    "make_pkcs12",
    "mint_token",
    "read_pkcs12",
]
