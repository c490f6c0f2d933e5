"""The Python API: an ``ExtensionSimulator`` (tokens from an emulator, a transport, a journal) and ``try_extension``."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockgraph.callouts.caller import CalloutSettings, call_extension
from mockgraph.callouts.events import Event
from mockgraph.callouts.journal import CalloutJournal
from mockgraph.callouts.outcome import CalloutOutcome
from mockgraph.callouts.payloads import Session
from mockgraph.callouts.target import ExtensionTarget
from mockgraph.callouts.tokens import CalloutTokens
from mockgraph.identity.keys import process_signing_key
from mockgraph.identity.tokens import TokenFactory
from mockgraph.signup.asgi_transport import AsgiTransport
from mockgraph.signup.transport import HttpTransport, Transport, WsgiTransport

if TYPE_CHECKING:
    from flask import Flask

    from mockgraph.callouts.flow import EventsFlow, FlowResult, Journey

# Where an in-process target is "called": the path and query string reach the app; the host never resolves.
DEFAULT_URL = "https://extension.test/api/callout"
DEFAULT_RESOURCE_ID = "api://extension.test/00000000-0000-4000-8000-00000000e0a1"


def transport_for(target: Any, *, verify: bool | str = True) -> Transport:
    """Real HTTP for a URL; an ASGI app (a coroutine function taking scope, receive, send); else WSGI."""
    if isinstance(target, str):
        return HttpTransport(verify=verify)
    call = getattr(target, "__call__", target)  # noqa: B004 - ASGI apps are often instances
    if inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(call):
        return AsgiTransport(target)
    return WsgiTransport(target)


class ExtensionSimulator:
    """Calls custom authentication extensions as Entra does, with tokens the emulator's key signs.

    ``ExtensionSimulator.for_app(app)`` signs with an emulator's key and clock, so an endpoint validating
    against that emulator's discovery document and key set accepts the token; without an app the
    process's development key signs (every emulator without a key file trusts it). ``transport`` defaults to
    real HTTP; every call is recorded in ``journal``.
    """

    def __init__(
        self,
        factory: TokenFactory | None = None,
        *,
        transport: Transport | None = None,
        settings: CalloutSettings | None = None,
        clock: Callable[[], float] = time.time,
        journal: CalloutJournal | None = None,
    ) -> None:
        self.tokens = CalloutTokens(factory or TokenFactory(process_signing_key(), clock=clock), clock=clock)
        self.transport: Transport = transport or HttpTransport()
        self.settings = settings or CalloutSettings()
        self.clock = clock
        self.journal = journal if journal is not None else CalloutJournal()

    @classmethod
    def for_app(cls, app: Flask, **options: Any) -> ExtensionSimulator:
        """The simulator signing with ``app``'s key (an app made by ``mockgraph.create_app``) on its clock."""
        from mockgraph.web.state import state_of

        state = state_of(app)
        return cls(state.gatekeeper.tokens, clock=state.now, **options)

    @classmethod
    def target_in(cls, app: Flask, extension_id: str, **options: Any) -> ExtensionTarget:
        """The target of an extension stored in ``app`` (see ``mockgraph.callouts.stored.stored_target``)."""
        from mockgraph.callouts.stored import stored_target
        from mockgraph.web.state import state_of

        state = state_of(app)
        return stored_target(state.store, state.gatekeeper.directory, extension_id, **options)

    def call(
        self,
        target: ExtensionTarget,
        session: Session | None = None,
        *,
        settings: CalloutSettings | None = None,
        transport: Transport | None = None,
    ) -> CalloutOutcome:
        """Call ``target`` for ``session`` (a default session when None) and judge the answer."""
        return call_extension(
            target,
            session or Session(),
            transport=transport or self.transport,
            tokens=self.tokens,
            settings=settings or self.settings,
            journal=self.journal,
            now=self.clock,
        )

    def run(
        self, flow: EventsFlow, journey: Journey, *, settings: CalloutSettings | None = None
    ) -> FlowResult:
        """Walk a whole sign-up or sign-in through ``flow`` (see ``mockgraph.callouts.flow``)."""
        from mockgraph.callouts.flow import walk

        return walk(flow, journey, lambda target, session: self.call(target, session, settings=settings))


def try_extension(
    endpoint: Any,
    event: Event | str,
    session: Session | None = None,
    *,
    url: str = DEFAULT_URL,
    resource_id: str = DEFAULT_RESOURCE_ID,
    app: Flask | None = None,
    settings: CalloutSettings | None = None,
    transport: Transport | None = None,
    **target_options: Any,
) -> CalloutOutcome:
    """Call an endpoint the way Entra calls a custom authentication extension for ``event``, with no Graph state.

    ``endpoint`` is a WSGI or ASGI app (called in-process at ``url``) or a URL string (called over HTTP).
    ``app`` is the emulator whose key signs the token (default: the process's development key, which every
    emulator without a key file trusts). ``target_options`` are ``ExtensionTarget`` fields (``tenant_kind``,
    ``access_token_version``, ``timeout_ms``, ``password_encryption``...).
    """
    target = ExtensionTarget(
        event=Event.parse(event),
        target_url=endpoint if isinstance(endpoint, str) else url,
        resource_id=resource_id,
        **target_options,
    )
    simulator = ExtensionSimulator.for_app(app) if app is not None else ExtensionSimulator()
    return simulator.call(target, session, settings=settings, transport=transport or transport_for(endpoint))
