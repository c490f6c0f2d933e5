"""Custom authentication extensions: call your endpoint exactly as Entra does, with a token it can verify.

``try_extension(app_or_url, event, session)`` tests one endpoint; ``ExtensionSimulator`` (``.for_app(app)``
signs with an emulator's key) calls an ``ExtensionTarget`` (typed, or read from Graph's records by
``from_records``) and walks whole sign-ups and sign-ins through an ``EventsFlow``. Each call is judged as
Entra would (``CalloutOutcome``: the action, the sign-in log's ``ErrorCode``, what the user sees) and
journaled in the sign-in log's shape (``CalloutJournal``).
"""

from __future__ import annotations

from mockgraph.callouts.caller import CalloutSettings, RetryPolicy, call_extension
from mockgraph.callouts.codes import ErrorCode, UserView
from mockgraph.callouts.events import Event
from mockgraph.callouts.flow import EventsFlow, FlowResult, FlowStep, Journey
from mockgraph.callouts.journal import CalloutJournal
from mockgraph.callouts.judge import ResponseRules
from mockgraph.callouts.outcome import Action, Attempt, CalloutOutcome
from mockgraph.callouts.payloads import BodyOptions, ServicePrincipal, Session
from mockgraph.callouts.simulator import ExtensionSimulator, transport_for, try_extension
from mockgraph.callouts.target import (
    AUTHENTICATION_EVENTS_APP_ID,
    ExtensionTarget,
    IssuerHost,
    PasswordEncryption,
    TenantKind,
    from_records,
    listener_applies,
)
from mockgraph.callouts.tokens import CalloutTokens, TokenFlaw

__all__ = [
    "AUTHENTICATION_EVENTS_APP_ID",
    "Action",
    "Attempt",
    "BodyOptions",
    "CalloutJournal",
    "CalloutOutcome",
    "CalloutSettings",
    "CalloutTokens",
    "ErrorCode",
    "Event",
    "EventsFlow",
    "ExtensionSimulator",
    "ExtensionTarget",
    "FlowResult",
    "FlowStep",
    "IssuerHost",
    "Journey",
    "PasswordEncryption",
    "ResponseRules",
    "RetryPolicy",
    "ServicePrincipal",
    "Session",
    "TenantKind",
    "TokenFlaw",
    "UserView",
    "call_extension",
    "from_records",
    "listener_applies",
    "transport_for",
    "try_extension",
]
