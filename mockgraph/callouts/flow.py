"""A whole sign-up or sign-in through an External ID events flow, each callout at its place in Entra's order.

Sign-up: the email one-time code (``emailOtpSend``), the attribute page (``attributeCollectionStart``
before it renders, ``attributeCollectionSubmit`` when the user submits), the user is created, then the
token (``tokenIssuanceStart``). Sign-in: the password (``passwordSubmit``, for users still to migrate),
the one-time code (email OTP sign-in), then the token. An event without an extension is skipped; an
outcome that does not proceed ends the walk there. The flow is explicit configuration (``EventsFlow``):
the Graph flow and listener resources map onto it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mockgraph.callouts.events import Event
from mockgraph.callouts.outcome import Action, CalloutOutcome
from mockgraph.callouts.payloads import DEFAULT_APP, ServicePrincipal, Session
from mockgraph.callouts.target import ExtensionTarget, IssuerHost, TenantKind
from mockgraph.callouts.tokens import LIFETIME_SECONDS, tenant_issuer
from mockgraph.core.config import DEFAULT_TENANT_DOMAIN, DEFAULT_TENANT_ID
from mockgraph.signup.model import Identity

# Built-in attributes that become properties of the created user, by the same name.
USER_PROPERTIES = (
    "displayName",
    "givenName",
    "surname",
    "jobTitle",
    "city",
    "country",
    "postalCode",
    "state",
)


@dataclass(frozen=True)
class EventsFlow:
    """One user flow: its extension per event, the app signing users in, the tenant, the token's claims.

    ``claims_mapping`` maps a claim the token-issuance extension returns to the token claim it becomes (the
    app's claims mapping policy); None maps each of the extension's ``claims_for_token`` (all returned
    claims when it lists none) to itself.
    """

    extensions: Mapping[Event, ExtensionTarget] = field(default_factory=dict)
    client: ServicePrincipal = DEFAULT_APP
    tenant_id: str = DEFAULT_TENANT_ID
    tenant_kind: TenantKind = TenantKind.EXTERNAL
    tenant_domain: str = DEFAULT_TENANT_DOMAIN
    issuer_host: IssuerHost = IssuerHost.DOMAIN
    sign_up_allowed: bool = True
    claims_mapping: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tenant_kind", TenantKind(self.tenant_kind))
        object.__setattr__(self, "issuer_host", IssuerHost(self.issuer_host))

    def extension(self, event: Event) -> ExtensionTarget | None:
        return self.extensions.get(event)


@dataclass(frozen=True)
class Journey:
    """One person's way through the flow.

    Sign-up (``sign_up=True``): ``email``, the page's attributes with their ``defaults`` and what the user
    ``entered``. Sign-in: the existing ``user`` (Graph properties), the ``password`` they type, and whether
    they are still to ``migrate`` (the migration flag that makes Entra call password submit).
    ``email_otp``: the email is verified (sign-up) or the user signs in with a one-time code.
    """

    sign_up: bool = True
    email: str = "someone@example.com"
    defaults: Mapping[str, Any] = field(default_factory=dict)
    entered: Mapping[str, Any] = field(default_factory=dict)
    user: Mapping[str, Any] = field(default_factory=dict)
    password: str | None = None
    migrate: bool = False
    email_otp: bool = True
    one_time_code: str = "12345678"


@dataclass(frozen=True)
class FlowStep:
    """One step: a callout (``outcome``) or the service's own work (``detail`` says what it did)."""

    name: str
    outcome: CalloutOutcome | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.name,
            "outcome": None if self.outcome is None else self.outcome.to_json(),
            "detail": dict(self.detail),
        }


@dataclass(frozen=True)
class FlowResult:
    """The walk: each step in order, whether a token was issued, its claims, the user."""

    steps: tuple[FlowStep, ...]
    completed: bool
    token_claims: Mapping[str, Any] = field(default_factory=dict)
    user: Mapping[str, Any] = field(default_factory=dict)

    @property
    def outcomes(self) -> tuple[CalloutOutcome, ...]:
        return tuple(step.outcome for step in self.steps if step.outcome is not None)

    @property
    def last(self) -> CalloutOutcome | None:
        return self.outcomes[-1] if self.outcomes else None

    def to_json(self) -> dict[str, Any]:
        return {
            "completed": self.completed,
            "tokenClaims": dict(self.token_claims),
            "user": dict(self.user),
            "steps": [step.to_json() for step in self.steps],
        }


Call = Callable[[ExtensionTarget, Session], CalloutOutcome]


class _Walk:
    def __init__(self, flow: EventsFlow, journey: Journey, call: Call) -> None:
        self.flow, self.journey, self.call = flow, journey, call
        self.steps: list[FlowStep] = []
        self.session = Session(client=flow.client, identifier=journey.email)

    def run(self, event: Event, **session: Any) -> CalloutOutcome | None:
        target = self.flow.extension(event)
        if target is None:
            return None
        outcome = self.call(target, replace(self.session, **session))
        self.steps.append(FlowStep(event.value, outcome))
        return outcome

    def note(self, name: str, **detail: Any) -> None:
        self.steps.append(FlowStep(name, None, detail))

    def result(
        self, completed: bool, claims: Mapping[str, Any] | None = None, user: Any = None
    ) -> FlowResult:
        return FlowResult(tuple(self.steps), completed, claims or {}, user or {})


def walk(flow: EventsFlow, journey: Journey, call: Call) -> FlowResult:
    """Walk ``journey`` through ``flow``; ``call`` makes each callout (the simulator's ``call``)."""
    if journey.sign_up and not flow.sign_up_allowed:
        raise ValueError("the flow does not allow sign-up (isSignUpAllowed is false)")
    steps = _Walk(flow, journey, call)
    return _sign_up(steps) if journey.sign_up else _sign_in(steps)


def _one_time_code(steps: _Walk) -> bool:
    """The one-time code step: False when the walk ends there (no code was sent)."""
    if not steps.journey.email_otp:
        return True
    outcome = steps.run(
        Event.EMAIL_OTP_SEND, one_time_code=steps.journey.one_time_code, request_type="signUp"
        if steps.journey.sign_up else "signIn",
    )  # fmt: skip
    if outcome is not None and not outcome.proceeds:
        return False
    sender = "your extension" if outcome is not None and outcome.action is Action.CONTINUE else "Microsoft"
    steps.note("verifyOneTimeCode", sentBy=sender)
    return True


def _sign_up(steps: _Walk) -> FlowResult:
    journey = steps.journey
    if not _one_time_code(steps):
        return steps.result(False)
    identities = (Identity(steps.flow.tenant_domain, journey.email, "email"),)
    page = dict(journey.defaults)
    start = steps.run(Event.ATTRIBUTE_COLLECTION_START, attributes=page, identities=identities)
    if start is not None and not start.proceeds:
        return steps.result(False)
    prefilled = dict(start.values) if start is not None else {}
    submitted = {**page, **prefilled, **journey.entered}
    steps.note("attributeCollectionPage", prefilled=prefilled, submitted=submitted)
    submit = steps.run(Event.ATTRIBUTE_COLLECTION_SUBMIT, attributes=submitted, identities=identities)
    if submit is not None and not submit.proceeds:
        return steps.result(False)
    stored = {**submitted, **(submit.values if submit is not None else {})}
    user = _new_user(steps.flow, journey.email, stored)
    steps.note("createUser", user=user)
    return _issue_token(steps, user)


def _sign_in(steps: _Walk) -> FlowResult:
    journey = steps.journey
    user = dict(journey.user) or _new_user(steps.flow, journey.email, {})
    if journey.migrate and journey.password is not None:
        outcome = steps.run(Event.PASSWORD_SUBMIT, user=user, password=journey.password)
        if outcome is not None and not outcome.proceeds:
            return steps.result(False, user=user)
        if outcome is not None:
            steps.note("storePassword", migrationFlag=False)
    if not _one_time_code(steps):
        return steps.result(False, user=user)
    return _issue_token(steps, user)


def _new_user(flow: EventsFlow, email: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"mockgraph-user:{flow.tenant_id}/{email.lower()}"))
    user: dict[str, Any] = {
        "displayName": attributes.get("displayName") or email.partition("@")[0],
        "id": object_id,
        "mail": email,
        "userPrincipalName": f"{object_id}@{flow.tenant_domain}",
        "userType": "Member",
    }
    user.update({name: attributes[name] for name in USER_PROPERTIES if attributes.get(name) is not None})
    return dict(sorted(user.items()))


def _issue_token(steps: _Walk, user: Mapping[str, Any]) -> FlowResult:
    outcome = steps.run(Event.TOKEN_ISSUANCE_START, user=user)
    if outcome is not None and not outcome.proceeds:
        return steps.result(False, user=user)
    provided = dict(outcome.claims) if outcome is not None else {}
    target = steps.flow.extension(Event.TOKEN_ISSUANCE_START)
    mapping = steps.flow.claims_mapping
    if mapping is None:
        listed = target.claims_for_token if target is not None else ()
        mapping = {name: name for name in (listed or tuple(provided))}
    claims = _id_token(steps.flow, user, outcome.started if outcome is not None else None)
    claims.update({mapping[name]: value for name, value in provided.items() if name in mapping})
    steps.note("issueToken", claims=claims)
    return steps.result(True, claims, user)


def _id_token(flow: EventsFlow, user: Mapping[str, Any], issued: float | None) -> dict[str, Any]:
    now = int(issued if issued is not None else time.time())
    label = flow.tenant_domain.partition(".")[0] or flow.tenant_id
    return {
        "aud": flow.client.app_id,
        "iss": tenant_issuer(flow.tenant_id, flow.tenant_kind, domain_label=label, host=flow.issuer_host),
        "iat": now,
        "nbf": now,
        "exp": now + LIFETIME_SECONDS,
        "name": user.get("displayName"),
        "oid": user.get("id"),
        "preferred_username": user.get("mail"),
        "sub": user.get("id"),
        "tid": flow.tenant_id,
        "ver": "2.0",
    }
