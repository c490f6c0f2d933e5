"""The contract verifier: run the contract scenarios against any Graph base URL and report each divergence.

A :class:`Probe` makes one scenario's requests with ``requests`` and checks every response: status, Graph
error code, the JSON-Schema contract of the body, Graph's headers (``request-id``, ``client-request-id``,
``Content-Type``) and that no secret sent comes back. It keeps a redacted transcript and deletes what the
scenario created. The scenarios themselves live in :mod:`mockgraph.verify.scenarios`.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import requests
from jsonschema.exceptions import best_match

from mockgraph.core.contracts import Contracts, shared_contracts
from mockgraph.core.redaction import MASKED_PASSWORD, REDACTED, redact, redact_tokens

Outcome = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class Target:
    """Where to verify and with which credentials (tokens are never printed)."""

    base_url: str
    token: str = field(repr=False)
    low_privilege_token: str | None = field(default=None, repr=False)
    version: str = "beta"
    timeout: float = 30.0

    @property
    def collection(self) -> str:
        return self.collection_of("apiConnectors")

    def collection_of(self, segment: str) -> str:
        """The URL of ``/identity/{segment}`` on this target and version."""
        return f"{self.base_url.rstrip('/')}/{self.version}/identity/{segment}"


@dataclass(frozen=True)
class Divergence:
    """One way the endpoint differs from the contract, at one step of one scenario."""

    scenario: str
    step: str
    kind: str  # status, error-code, schema, header, content-type, secret, value, transport, cleanup
    expected: str
    actual: str

    def describe(self) -> str:
        return f"{self.step}: {self.kind}: expected {self.expected}, got {self.actual}"


@dataclass
class ScenarioResult:
    """How one scenario went: its divergences, its redacted transcript, or why it did not run."""

    name: str
    outcome: Outcome
    divergences: list[Divergence] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    skip_reason: str | None = None
    seconds: float = 0.0


class ScenarioSkipped(Exception):
    """Raise inside a scenario that cannot run with what it was given (e.g. no low-privilege token)."""


@dataclass
class Reply:
    """What a step got back: status, parsed JSON (None if not JSON) and headers."""

    status: int
    document: Any
    headers: dict[str, str]
    text: str


class Probe:
    """Makes one scenario's requests, checks every answer, and remembers what to clean up."""

    def __init__(
        self, target: Target, scenario: str, *, session: requests.Session, contracts: Contracts
    ) -> None:
        self.target = target
        self.scenario = scenario
        self.session = session
        self.contracts = contracts
        self.divergences: list[Divergence] = []
        self.transcript: list[str] = []
        self.created: list[str] = []
        self.secrets: set[str] = {
            target.token,
            *([target.low_privilege_token] if target.low_privilege_token else []),
        }
        self.run_id = uuid.uuid4().hex[:8]

    # -- helpers for scenarios ---------------------------------------------------------------------

    def name(self, label: str) -> str:
        """A display name that says who made the connector (so strays are easy to find)."""
        return f"mockgraph-verify {label} {self.run_id}"

    def secret(self, *values: str) -> None:
        """Treat these values as secrets: redact them and flag them if a response shows them."""
        self.secrets.update(value for value in values if value and value != MASKED_PASSWORD)

    def diverge(self, step: str, kind: str, expected: str, actual: str) -> None:
        self.divergences.append(Divergence(self.scenario, step, kind, expected, _short(actual)))

    def expect_equal(self, step: str, what: str, expected: Any, actual: Any) -> None:
        if expected != actual:
            self.diverge(step, "value", f"{what} = {_short(repr(expected))}", repr(actual))

    def url(self, suffix: str = "") -> str:
        return self.target.collection + suffix

    # -- the request ---------------------------------------------------------------------------------

    def call(
        self,
        method: str,
        suffix: str = "",
        *,
        status: int,
        json_body: Any = None,
        raw_body: bytes | None = None,
        code: str | Iterable[str] | None = None,
        contract: str | None = None,
        token: str | Literal["default"] | None = "default",
        step: str | None = None,
    ) -> Reply | None:
        """Send one request and check the answer; None if the endpoint could not be reached."""
        url = self.url(suffix) if not suffix.startswith("http") else suffix
        step = step or f"{method} {url.removeprefix(self.target.base_url.rstrip('/'))}"
        client_request_id = str(uuid.uuid4())
        headers = {"client-request-id": client_request_id, "Accept": "application/json"}
        bearer = self.target.token if token == "default" else token
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        data = raw_body
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
        if data is not None:
            headers["Content-Type"] = "application/json"
        self.transcript.append(
            f">>> {step}" + (f" {self.redact_text(data.decode('utf-8', 'replace'))}" if data else "")
        )
        try:
            response = self.session.request(
                method, url, data=data, headers=headers, timeout=self.target.timeout
            )
        except requests.RequestException as error:
            self.diverge(step, "transport", "an HTTP response", type(error).__name__)
            return None
        reply = _reply(response)
        self.transcript.append(f"<<< {reply.status} {self.redact_text(reply.text[:2000])}")
        self._check(step, reply, status, code, contract, client_request_id)
        return reply

    def _check(
        self,
        step: str,
        reply: Reply,
        status: int,
        code: str | Iterable[str] | None,
        contract: str | None,
        client_request_id: str,
    ) -> None:
        if reply.status != status:
            detail = f"{reply.status} {_error_code(reply.document) or ''}".strip()
            self.diverge(step, "status", str(status), detail)
        for header in ("request-id", "client-request-id"):
            if not reply.headers.get(header):
                self.diverge(step, "header", f"a {header} header", "none")
        sent_back = reply.headers.get("client-request-id")
        if sent_back and sent_back != client_request_id:
            self.diverge(step, "header", f"client-request-id echoed as {client_request_id}", sent_back)
        leaked = [secret for secret in self.secrets if secret in reply.text]
        if leaked:
            self.diverge(
                step, "secret", "no secret sent in the request echoed back", f"{len(leaked)} echoed in clear"
            )
        if reply.status == 204:
            if reply.text:
                self.diverge(step, "value", "no body with 204", f"{len(reply.text)} characters")
            return
        media = reply.headers.get("content-type", "").split(";")[0].strip().lower()
        if reply.status >= 400:
            self._check_json(step, reply, media, "odataError")
            found = _error_code(reply.document)
            accepted = {code} if isinstance(code, str) else set(code or ())
            if accepted and found not in accepted:
                self.diverge(step, "error-code", " or ".join(sorted(accepted)), str(found))
        elif contract == "count":
            if media != "text/plain" or not reply.text.strip().isdigit():
                self.diverge(
                    step, "content-type", "text/plain with an integer", f"{media} {reply.text[:40]!r}"
                )
        elif contract is not None and reply.status == status:
            self._check_json(step, reply, media, contract)

    def _check_json(self, step: str, reply: Reply, media: str, contract: str) -> None:
        if media != "application/json":
            self.diverge(step, "content-type", "application/json", media or "none")
        if reply.document is None:
            self.diverge(step, "schema", f"a JSON body ({contract})", "a body that is not JSON")
            return
        error = self.contracts.first_error(contract, reply.document)
        # For oneOf/anyOf, "not valid under any of the given schemas" says little: name the likeliest cause.
        while error is not None and error.context:
            error = best_match(error.context)
        if error is not None:
            self.diverge(step, "schema", f"{contract} at {error.json_path}", error.message)

    # -- redaction and cleanup ------------------------------------------------------------------------

    def redact_text(self, text: str) -> str:
        """A body for the transcript: secret-named values, the secrets this probe knows and any token out."""
        with contextlib.suppress(ValueError, RecursionError):
            text = json.dumps(redact(json.loads(text)))
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return redact_tokens(text)

    def cleanup(self) -> None:
        # An entry is a connector id, or the absolute URL of an object of another collection.
        for object_id in list(self.created):
            # A connector id, or the whole URL of anything else a scenario created (a listener, a flow).
            suffix = object_id if object_id.startswith("http") else f"/{object_id}"
            reply = self.call("DELETE", suffix, status=204, step=f"cleanup DELETE {object_id}")
            if reply is not None and reply.status in (204, 404):
                self.created.remove(object_id)
        # Divergences found while cleaning are still divergences, but name them as cleanup.
        self.divergences = [
            Divergence(d.scenario, d.step, "cleanup", d.expected, d.actual)
            if d.step.startswith("cleanup")
            else d
            for d in self.divergences
        ]


def _reply(response: requests.Response) -> Reply:
    try:
        document = response.json() if response.content else None
    except ValueError:
        document = None
    headers = {name.lower(): value for name, value in response.headers.items()}
    return Reply(response.status_code, document, headers, response.text)


def _error_code(document: Any) -> str | None:
    if isinstance(document, dict) and isinstance(document.get("error"), dict):
        code = document["error"].get("code")
        return code if isinstance(code, str) else None
    return None


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


Scenario = Callable[[Probe], None]


def run_scenarios(
    target: Target,
    scenarios: Iterable[tuple[str, Scenario] | tuple[str, Scenario, tuple[str, ...]]],
    *,
    session: requests.Session | None = None,
) -> list[ScenarioResult]:
    """Run each named scenario with its own probe; every scenario cleans up after itself."""
    contracts = shared_contracts()
    http = session or requests.Session()
    results = []
    for item in scenarios:
        name, scenario = item[0], item[1]
        probe = Probe(target, name, session=http, contracts=contracts)
        started = time.monotonic()
        skip_reason = None
        try:
            scenario(probe)
        except ScenarioSkipped as skipped:
            skip_reason = str(skipped)
        finally:
            probe.cleanup()
        outcome: Outcome = "skipped" if skip_reason else ("failed" if probe.divergences else "passed")
        results.append(
            ScenarioResult(
                name, outcome, probe.divergences, probe.transcript, skip_reason, time.monotonic() - started
            )
        )
    return results


def fetch_token(
    *, authority: str, tenant: str, client_id: str, client_secret: str, timeout: float = 30.0
) -> str:
    """An app-only Graph token by the client-credentials grant (the secret is sent, never printed)."""
    response = requests.post(
        f"{authority.rstrip('/')}/{tenant}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": "https://graph.microsoft.com/.default",
        },
        timeout=timeout,
    )
    document = (
        response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    )
    token = document.get("access_token") if isinstance(document, dict) else None
    if response.status_code != 200 or not isinstance(token, str):
        error = document.get("error", "") if isinstance(document, dict) else ""
        raise RuntimeError(f"the token endpoint answered {response.status_code} {error}".strip())
    return token
