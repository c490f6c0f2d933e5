"""The sign-up simulator: call a connector's target exactly as Entra or Azure AD B2C would, and judge the answer.

``try_connector(app_or_url, user)`` tests one endpoint; ``Simulator.for_app(app)`` runs the user flows stored in
an emulator (``simulate_step``, ``sign_up``); transports reach real URLs (``HttpTransport``, each attempt within a
total deadline kept by ``DeadlineTransport``) or WSGI apps in-process (``WsgiTransport``) or ASGI apps
(``AsgiTransport``).
"""

from __future__ import annotations

from mockgraph.signup.asgi_transport import AsgiTransport
from mockgraph.signup.caller import basic_credentials
from mockgraph.signup.deadline import DeadlineTransport
from mockgraph.signup.model import (
    DEFAULT_EXTENSIONS_APP_ID,
    FlowSettings,
    Identity,
    Product,
    SignUpUser,
    Step,
)
from mockgraph.signup.request_body import build_request_body
from mockgraph.signup.simulator import SignUpResult, Simulator, call_step, try_connector, walk
from mockgraph.signup.transport import (
    ClientCertificate,
    HttpTransport,
    InboundResponse,
    OutboundRequest,
    Transport,
    TransportFailure,
    WsgiTransport,
)
from mockgraph.signup.verdicts import FailureKind, Outcome, OutcomeKind

__all__ = [
    "DEFAULT_EXTENSIONS_APP_ID",
    "AsgiTransport",
    "ClientCertificate",
    "DeadlineTransport",
    "FailureKind",
    "FlowSettings",
    "HttpTransport",
    "Identity",
    "InboundResponse",
    "OutboundRequest",
    "Outcome",
    "OutcomeKind",
    "Product",
    "SignUpResult",
    "SignUpUser",
    "Simulator",
    "Step",
    "Transport",
    "TransportFailure",
    "WsgiTransport",
    "basic_credentials",
    "build_request_body",
    "call_step",
    "try_connector",
    "walk",
]
