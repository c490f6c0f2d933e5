"""Calling one extension as Entra does: the token, the body, POST within a deadline per attempt, one retry.

Every attempt goes through a signup ``Transport``: real HTTP(S) by ``HttpTransport`` (each attempt a
``DeadlineTransport`` deadline, connect to last byte), or a WSGI or ASGI app in-process. Which failures are
retried is a ``RetryPolicy`` (reference §10.3 leaves it open).
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from mockgraph.callouts.codes import ErrorCode, UserView, generic_error
from mockgraph.callouts.events import Event
from mockgraph.callouts.journal import CalloutJournal, callout_record
from mockgraph.callouts.judge import Broken, ResponseRules, judge
from mockgraph.callouts.outcome import Action, Attempt, CalloutOutcome
from mockgraph.callouts.payloads import BodyOptions, Session, request_body
from mockgraph.callouts.target import ExtensionTarget
from mockgraph.callouts.tokens import CalloutTokens, TokenFlaw
from mockgraph.signup.messages import InboundResponse, OutboundRequest, Transport, TransportFailure
from mockgraph.signup.verdicts import FailureKind


@dataclass(frozen=True)
class RetryPolicy:
    """What earns the one retry ``maximumRetries`` allows: by default a timeout, a connection error or a 5xx,
    never a 4xx or a 200 with a bad body. ``delay_seconds`` passes before the retry (undocumented: none)."""

    on_timeout: bool = True
    on_connection_error: bool = True
    statuses: frozenset[int] = frozenset(range(500, 600))
    delay_seconds: float = 0.0

    def retries(self, answer: InboundResponse | TransportFailure) -> bool:
        if isinstance(answer, TransportFailure):
            return self.on_timeout if answer.kind is FailureKind.TIMEOUT else self.on_connection_error
        return answer.status in self.statuses


@dataclass(frozen=True)
class CalloutSettings:
    """How to call: the retry policy, the judge's rules, the body's choices, a flawed token on request.

    ``require_https``: a non-https ``targetUrl`` fails with 1003020 without a call, as Entra's does, except
    for loopback hosts (local test servers). ``check_resource_id``: enforce 1003014/1003015 (``resourceId``
    ``api://{host}/{appId}`` with the target's host) at call time; off by default, as the docs' own
    ``api://{appId}`` example would fail it.
    """

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rules: ResponseRules = field(default_factory=ResponseRules)
    body: BodyOptions = field(default_factory=BodyOptions)
    token_flaw: TokenFlaw | None = None
    extra_token_claims: dict[str, Any] = field(default_factory=dict)
    require_https: bool = True
    check_resource_id: bool = False

    def with_options(self, **changes: Any) -> CalloutSettings:
        return replace(self, **changes)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def configuration_problem(target: ExtensionTarget, settings: CalloutSettings) -> Broken | None:
    """Why Entra would not call ``target`` at all (1003020, 1003014, 1003015), or None."""
    parts = urlsplit(target.target_url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return Broken(ErrorCode.INCORRECT_TARGET_URL_FORMAT, "targetUrl is not an http(s) URL with a host")
    if settings.require_https and parts.scheme != "https" and not _is_loopback(host):
        return Broken(ErrorCode.INCORRECT_TARGET_URL_FORMAT, "targetUrl must start with https")
    if settings.check_resource_id:
        resource = urlsplit(target.resource_id)
        if resource.scheme != "api" or not resource.hostname or resource.path.strip("/") != target.app_id:
            return Broken(ErrorCode.INCORRECT_RESOURCE_ID_FORMAT, "resourceId must be api://{host}/{appId}")
        if resource.hostname.lower() != host.lower():
            return Broken(
                ErrorCode.DOMAIN_NAME_DOES_NOT_MATCH, "resourceId and targetUrl name different hosts"
            )
    return None


def _send(
    transport: Transport, request: OutboundRequest, attempts: list[Attempt], clock: Callable[[], float]
) -> InboundResponse | TransportFailure:
    started = clock()
    try:
        answer: InboundResponse | TransportFailure = transport.send(request)
    except TransportFailure as failure:
        answer = failure
    elapsed = (clock() - started) * 1000
    if isinstance(answer, TransportFailure):
        attempts.append(Attempt(None, answer.kind.value, elapsed))
    else:
        attempts.append(Attempt(answer.status, None, elapsed))
    return answer


def _failed(
    event: Event, code: ErrorCode, rule: str, correlation_id: str, fallback: bool
) -> tuple[Action, UserView, ErrorCode, str]:
    if event is Event.EMAIL_OTP_SEND and fallback:
        return (
            Action.FALLBACK,
            UserView("oneTimeCodeEntry"),
            code,
            rule + "; the Microsoft provider sent the code",
        )
    return Action.FAILURE, generic_error(correlation_id), code, rule


def _exchange(
    target: ExtensionTarget, request: OutboundRequest, transport: Transport, settings: CalloutSettings
) -> tuple[InboundResponse | TransportFailure | Broken, list[Attempt]]:
    """The last answer (or failure, or the configuration problem that stopped the call) and every attempt."""
    problem = configuration_problem(target, settings)
    if problem is not None:
        return problem, []
    attempts: list[Attempt] = []
    answer = _send(transport, request, attempts, time.monotonic)
    if target.maximum_retries and settings.retry.retries(answer):
        if settings.retry.delay_seconds:
            time.sleep(settings.retry.delay_seconds)
        answer = _send(transport, request, attempts, time.monotonic)
    return answer, attempts


def _verdict(
    target: ExtensionTarget,
    session: Session,
    answer: InboundResponse | TransportFailure | Broken,
    settings: CalloutSettings,
    common: dict[str, Any],
) -> CalloutOutcome:
    if isinstance(answer, InboundResponse):
        try:
            verdict = judge(
                target.event, answer.status, answer.headers, answer.body, page_attributes=tuple(session.attributes),
                nonce=common["nonce"], rules=settings.rules,
            )  # fmt: skip
        except Broken as broken:
            answer = broken
        else:
            return CalloutOutcome(
                target.event, verdict.action, verdict.user_view, claims=verdict.claims, values=verdict.values,
                ignored=verdict.ignored, notes=verdict.notes, **common,
            )  # fmt: skip
    if isinstance(answer, TransportFailure):
        timeout = answer.kind is FailureKind.TIMEOUT
        answer = Broken(ErrorCode.TIMED_OUT if timeout else ErrorCode.CONNECTION_ERROR, answer.detail)
    fallback = target.fallback_to_microsoft_on_error
    action, view, code, rule = _failed(
        target.event, answer.code, answer.rule, common["correlation_id"], fallback
    )
    return CalloutOutcome(target.event, action, view, error_code=code, rule=rule, **common)


def call_extension(
    target: ExtensionTarget,
    session: Session,
    *,
    transport: Transport,
    tokens: CalloutTokens,
    settings: CalloutSettings | None = None,
    journal: CalloutJournal | None = None,
    now: Callable[[], float] = time.time,
) -> CalloutOutcome:
    """Call ``target`` for ``session`` and judge the answer; the call is journaled when ``journal`` is given.

    A fresh token is minted for each call (both attempts send it): whether Entra caches it is undocumented.

    :raises ValueError: the session lacks what the event sends (an OTP without a code, say).
    """
    settings = settings or CalloutSettings()
    correlation_id = session.correlation_id or str(uuid.uuid4())
    nonce = secrets.token_urlsafe(16) if target.event is Event.PASSWORD_SUBMIT else None
    body = request_body(target, session, correlation_id=correlation_id, nonce=nonce, options=settings.body)
    token = tokens.mint(target, flaw=settings.token_flaw, extra_claims=settings.extra_token_claims)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    started = now()
    answer, attempts = _exchange(
        target,
        OutboundRequest(target.target_url, headers, payload, target.timeout_seconds),
        transport,
        settings,
    )
    received = answer if isinstance(answer, InboundResponse) else None
    common: dict[str, Any] = {
        "correlation_id": correlation_id,
        "status": None if received is None else received.status,
        "response_text": None if received is None else received.body.decode("utf-8", errors="replace"),
        "attempts": tuple(attempts),
        "request_body": body,
        "nonce": nonce,
        "started": started,
    }
    outcome = _verdict(target, session, answer, settings, common)
    if journal is not None:
        journal.record(callout_record(target, outcome, headers, {} if received is None else received.headers))
    return outcome
