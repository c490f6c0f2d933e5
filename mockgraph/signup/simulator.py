"""Simulating sign-ups: one step against one connector, or a whole sign-up walked step by step.

``call_step`` and ``walk`` work on connector records directly; ``Simulator`` reads the flow and its connectors
from an emulator's store (per tenant), and ``try_connector`` tests an endpoint with no Graph state at all.
"""

from __future__ import annotations

import inspect
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.core.errors import InvalidRequest, ResourceNotFound
from mockgraph.core.odata_types import BASIC_AUTHENTICATION
from mockgraph.resources.connectors import model as connectors
from mockgraph.resources.userflows import model as userflows
from mockgraph.signup.asgi_transport import AsgiTransport
from mockgraph.signup.caller import outbound_request, send_with_retry
from mockgraph.signup.model import FlowSettings, Product, SignUpUser, Step
from mockgraph.signup.request_body import build_request_body, directory_claims
from mockgraph.signup.transport import HttpTransport, Transport, TransportFailure, WsgiApp, WsgiTransport
from mockgraph.signup.verdicts import Outcome, OutcomeKind, evaluate, failure
from mockgraph.storage.store import Record, Store

if TYPE_CHECKING:
    from flask import Flask


@dataclass(frozen=True)
class SignUpResult:
    """A walked sign-up: every step's outcome, whether the account was created (and the token issued), and claims."""

    outcomes: tuple[Outcome, ...]
    completed: bool
    claims: Mapping[str, Any] = field(default_factory=dict)
    token_claims: Mapping[str, Any] = field(default_factory=dict)

    @property
    def last(self) -> Outcome | None:
        return self.outcomes[-1] if self.outcomes else None

    def to_json(self) -> dict[str, Any]:
        return {
            "completed": self.completed,
            "claims": dict(self.claims),
            "tokenClaims": dict(self.token_claims),
            "steps": [outcome.to_json() for outcome in self.outcomes],
        }


def call_step(
    connector: Record,
    step: Step,
    user: SignUpUser,
    settings: FlowSettings,
    *,
    transport: Transport,
    now: float | None = None,
    claims: Mapping[str, Any] | None = None,
) -> Outcome:
    """Call ``connector`` for ``step`` as the identity service would and apply the response contract."""
    body = build_request_body(step, user, settings, claims)
    moment = time.time() if now is None else now
    try:
        request = outbound_request(connector, body, now=moment, timeout=settings.timeout_seconds)
    except TransportFailure as problem:
        outcome = failure(step, problem.kind, problem.detail, connector=connector.get("displayName", ""))
        return replace(outcome, request_body=body)
    answer, attempts = send_with_retry(transport, request, retries=settings.retries)
    if isinstance(answer, TransportFailure):
        outcome = failure(step, answer.kind, answer.detail)
    else:
        outcome = evaluate(step, answer.status, answer.body, user, settings)
    return replace(outcome, request_body=body, attempts=attempts)


def walk(
    step_connectors: Mapping[Step, Record | None],
    user: SignUpUser,
    settings: FlowSettings,
    *,
    transport: Transport,
    now: float | None = None,
) -> SignUpResult:
    """Post-federation (federated users only), the attribute page, post-attribute-collection, then (B2C) the token.

    Prefilled claims fill the page unless the user entered their own value; overwritten claims replace the page's.
    A step without a connector is skipped; anything but Continue ends the walk there.
    """
    outcomes: list[Outcome] = []
    provided = directory_claims(replace(user, entered={}), settings)
    prefilled: dict[str, Any] = {}

    def run(step: Step, claims: Mapping[str, Any]) -> Outcome | None:
        connector = step_connectors.get(step)
        if connector is None:
            return None
        outcome = call_step(connector, step, user, settings, transport=transport, now=now, claims=claims)
        outcomes.append(outcome)
        return outcome

    federation = None if user.local_account else run(Step.POST_FEDERATION_SIGNUP, provided)
    if federation is not None:
        if federation.kind is not OutcomeKind.CONTINUE:
            return SignUpResult(tuple(outcomes), False)
        prefilled = dict(federation.prefilled)
    page = {**provided, **prefilled, **directory_claims(replace(user, provided={}), settings)}
    collection = run(Step.POST_ATTRIBUTE_COLLECTION, page)
    if collection is not None:
        if collection.kind is not OutcomeKind.CONTINUE:
            return SignUpResult(tuple(outcomes), False)
        page.update(collection.overwritten)
    token_names = settings.token_claims(user)
    token = {name: value for name, value in page.items() if name in token_names}
    if settings.product is Product.B2C:
        issuance = run(Step.PRE_TOKEN_ISSUANCE, page)
        if issuance is not None:
            if issuance.kind is not OutcomeKind.CONTINUE:
                return SignUpResult(tuple(outcomes), False, page)
            token.update(issuance.overwritten)
    return SignUpResult(tuple(outcomes), True, page, token)


class Simulator:
    """Simulates sign-ups through the user flows and connectors stored in an emulator (one tenant).

    ``Simulator.for_app(app)`` reads an app made by ``mockgraph.create_app``; ``transport`` defaults to real HTTP.
    """

    def __init__(
        self,
        store: Store,
        *,
        tenant_id: str = DEFAULT_TENANT_ID,
        transport: Transport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.tenant_id = tenant_id
        self.transport: Transport = transport or HttpTransport()
        self.clock = clock

    @classmethod
    def for_app(cls, app: Flask, **options: Any) -> Simulator:
        """The simulator over ``app``'s store and clock (an app made by ``mockgraph.create_app``)."""
        # Imported here: the rest of the simulator runs without Flask (against a URL or a WSGI callable).
        from mockgraph.web.state import state_of

        state = state_of(app)
        return cls(state.store, clock=state.now, **options)

    def flow(self, flow_id: str) -> tuple[userflows.FlowKind, Record]:
        """The stored flow named ``flow_id`` (B2X_1_... or B2C_1_...)."""
        for kind in (userflows.B2X, userflows.B2C):
            record = self.store.get(self.tenant_id, kind.collection, flow_id)
            if record is not None:
                return kind, record
        raise ResourceNotFound(flow_id, reason="no such user flow in the tenant")

    def connectors_of(self, flow_id: str) -> tuple[Product, dict[Step, Record | None]]:
        kind, record = self.flow(flow_id)
        found: dict[Step, Record | None] = {}
        for name, connector_id in userflows.step_connectors(record).items():
            connector = (
                None
                if connector_id is None
                else self.store.get(self.tenant_id, connectors.COLLECTION, connector_id)
            )
            found[Step.parse(name)] = connector  # a deleted connector reads as none
        return Product(kind.product), found

    def settings_for(self, product: Product, settings: FlowSettings | None) -> FlowSettings:
        return replace(settings or FlowSettings(), product=product)

    def simulate_step(
        self, flow_id: str, step: Step | str, user: SignUpUser, settings: FlowSettings | None = None
    ) -> Outcome:
        """One step of ``flow_id`` for ``user``; the step must have a connector."""
        product, found = self.connectors_of(flow_id)
        parsed = Step.parse(step)
        connector = found.get(parsed)
        if connector is None:
            raise InvalidRequest(
                f"The user flow '{flow_id}' has no API connector for the step '{parsed.graph_name}'.",
                reason="step without a connector",
            )
        return call_step(
            connector,
            parsed,
            user,
            self.settings_for(product, settings),
            transport=self.transport,
            now=self.clock(),
        )

    def sign_up(self, flow_id: str, user: SignUpUser, settings: FlowSettings | None = None) -> SignUpResult:
        """Walk a whole sign-up through ``flow_id``."""
        product, found = self.connectors_of(flow_id)
        return walk(
            found, user, self.settings_for(product, settings), transport=self.transport, now=self.clock()
        )


def try_connector(
    target: WsgiApp | Any | str,
    user: SignUpUser,
    *,
    step: Step | str = Step.POST_ATTRIBUTE_COLLECTION,
    product: Product | str = Product.ENTRA,
    url: str = "https://connector.test/api/endpoint",
    username: str = "mockgraph",
    password: str = "mockgraph",
    settings: FlowSettings | None = None,
    transport: Transport | None = None,
) -> Outcome:
    """Call a connector endpoint the way Entra (or B2C) would, without any Graph state.

    ``target`` is a WSGI or ASGI app (called in-process at ``url``) or a real URL; the call carries Basic
    credentials ``username``/``password``.
    """
    chosen = transport or _transport_for(target)
    connector = {
        "id": str(uuid.uuid4()),
        "displayName": "connector under test",
        "targetUrl": target if isinstance(target, str) else url,
        "authenticationConfiguration": {
            "@odata.type": BASIC_AUTHENTICATION,
            "username": username,
            "password": password,
        },
    }
    flow = replace(settings or FlowSettings(), product=Product(product))
    return call_step(connector, Step.parse(step), user, flow, transport=chosen)


def _transport_for(target: Any) -> Transport:
    """Real HTTP for a URL; an ASGI app is a coroutine function taking (scope, receive, send); else WSGI."""
    if isinstance(target, str):
        return HttpTransport()
    call = getattr(target, "__call__", target)  # noqa: B004 - ASGI apps are often instances
    if inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(call):
        return AsgiTransport(target)
    return WsgiTransport(target)
