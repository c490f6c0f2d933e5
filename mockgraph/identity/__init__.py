"""Identity: an offline Entra token issuer, and Graph's authentication, permission, role and tenant decisions.

``Gatekeeper(config)`` decides who is calling (``authenticate``) and whether they may
(``authorize``); ``mockgraph.web.entra`` serves Entra's discovery, key-set and
token endpoints; ``mint_token(...)`` / ``TokenFactory`` mint tokens directly, including ``BadToken`` kinds.
"""

from __future__ import annotations

from mockgraph.identity.directory import Directory
from mockgraph.identity.gatekeeper import Gatekeeper, principal_from_claims
from mockgraph.identity.issuer import TokenIssuer, TokenResponse
from mockgraph.identity.keys import SigningKey, load_or_create_key, process_signing_key
from mockgraph.identity.oauth_errors import EntraError
from mockgraph.identity.permissions import render_markdown
from mockgraph.identity.tokens import BadToken, TokenFactory, mint_token

__all__ = [
    "BadToken",
    "Directory",
    "EntraError",
    "Gatekeeper",
    "SigningKey",
    "TokenFactory",
    "TokenIssuer",
    "TokenResponse",
    "load_or_create_key",
    "mint_token",
    "principal_from_claims",
    "process_signing_key",
    "render_markdown",
]
