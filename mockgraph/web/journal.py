"""The request journal: every request an app answered, secrets redacted, and assertions that read like tests.

Pure data and logic (no Flask): ``mockgraph.web.hooks`` builds a ``JournalEntry`` per request and
``record``\\ s it; users read it back through ``export()``, ``calls(...)`` and the ``assert_*`` helpers, whose
failure messages list the nearest requests that did not match and why (near misses).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

# REDACTED and redact are re-exported: they were this module's before redaction moved to the core.
from mockgraph.core.redaction import REDACTED as REDACTED
from mockgraph.core.redaction import redact as redact
from mockgraph.core.redaction import redact_fields, redact_query, redact_text, redact_tokens

# A retry this much earlier than Retry-After allows is still on time: sleeps may wake a tick early.
RETRY_TOLERANCE_SECONDS = 0.05
NEAR_MISSES_SHOWN = 3


@dataclass
class JournalEntry:
    """One request and what the emulator answered. A journal keeps it sanitised (``Journal.record``): bodies and
    query values redacted, tokens never kept."""

    method: str
    path: str
    host: str = ""
    query: dict[str, list[str]] = field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None
    body_bytes: int = 0
    principal: dict[str, object] | None = None
    operation: str | None = None
    status: int = 0
    error_code: str | None = None
    # Graph's error message, as the caller read it (never a secret: error messages go to callers too).
    message: str | None = None
    reason: str | None = None
    request_id: str | None = None
    retry_after: float | None = None
    unroutable: bool = False
    time: float = 0.0  # wall clock, seconds since the epoch
    started: float = 0.0  # monotonic, for the Retry-After check
    finished: float = 0.0
    # The test's own clock when the entry was recorded, if it shared one (``Journal.use_clock``).
    client_time: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready, camelCase form that ``export()`` and the admin API publish."""
        return {
            "method": self.method,
            "host": self.host,
            "path": self.path,
            "query": self.query,
            "json": self.json,
            "form": self.form,
            "bodyBytes": self.body_bytes,
            "principal": self.principal,
            "operation": self.operation,
            "status": self.status,
            "errorCode": self.error_code,
            "message": self.message,
            "reason": self.reason,
            "requestId": self.request_id,
            "retryAfter": self.retry_after,
            "unroutable": self.unroutable,
            "time": self.time,
            "durationMs": round((self.finished - self.started) * 1000, 3),
            "clientTime": self.client_time,
        }

    def describe(self) -> str:
        """``POST /beta/identity/apiConnectors -> 201`` (plus the error code and reason of a refusal)."""
        query = "&".join(f"{k}={v}" for k, values in self.query.items() for v in values)
        text = f"{self.method} {self.path}{'?' + query if query else ''} -> {self.status}"
        if self.error_code:
            text += f" {self.error_code}"
        if self.reason:
            text += f" ({self.reason})"
        return text


@dataclass(frozen=True)
class EarlyRetry:
    """A client that repeated a request before the ``Retry-After`` of the refusal had passed."""

    refused: JournalEntry
    retry: JournalEntry
    waited: float

    def describe(self) -> str:
        return (
            f"{self.retry.method} {self.retry.path} was retried after {self.waited:.3f}s, "
            f"but the {self.refused.status} said Retry-After: {self.refused.retry_after:g}"
        )


# Matching ---------------------------------------------------------------------------------------------


def normalise_path(path: str) -> str:
    """Lower case, no empty segments, no trailing slash: the SDK's ``/beta//identity`` is ``/beta/identity``."""
    return "/" + "/".join(s for s in path.lower().split("/") if s)


def _path_matches(pattern: str, path: str) -> bool:
    """Segments compare case-insensitively; ``*`` or ``{name}`` matches any one segment."""
    wanted = normalise_path(pattern).split("/")
    actual = normalise_path(path).split("/")
    if len(wanted) != len(actual):
        return False
    return all(
        w == a or w == "*" or (w.startswith("{") and w.endswith("}"))
        for w, a in zip(wanted, actual, strict=True)
    )


def json_differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Why ``expected`` is not a subset of ``actual``: objects may hold more keys, lists must match in length."""
    label = where or "(body)"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{label}: expected an object, got {_short(actual)}"]
        problems: list[str] = []
        for key, value in expected.items():
            child = f"{where}.{key}" if where else str(key)
            if key not in actual:
                problems.append(f"{child}: missing")
            else:
                problems.extend(json_differences(value, actual[key], child))
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{label}: expected {_short(expected)}, got {_short(actual)}"]
        problems = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            problems.extend(json_differences(want, got, f"{where}[{index}]"))
        return problems
    if expected != actual or type(expected) is not type(actual):
        return [f"{label}: expected {_short(expected)}, got {_short(actual)}"]
    return []


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Expectation:
    """What an assertion looks for: a method, a path pattern, and optional JSON/query subsets and status."""

    method: str | None = None
    path: str | None = None
    json: Any = None
    query: Mapping[str, str | list[str]] | None = None
    status: int | None = None

    @classmethod
    def build(
        cls,
        method: str | None,
        path: str | None,
        *,
        json: Any = None,
        query: Mapping[str, str | list[str]] | None = None,
        status: int | None = None,
    ) -> Expectation:
        """Accept a full URL or a path with a query string as ``path``; the query becomes a subset to match."""
        if path is not None and "://" in path:
            path = urlsplit(path).path + ("?" + urlsplit(path).query if urlsplit(path).query else "")
        if path is not None and "?" in path:
            path, _, text = path.partition("?")
            query = {**{k: v for k, v in parse_qs(text, keep_blank_values=True).items()}, **(query or {})}
        wanted_method = None if method in (None, "*") else str(method).upper()
        return cls(wanted_method, path, json, query, status)

    def mismatches(self, entry: JournalEntry) -> list[str]:
        """Each way ``entry`` fails this expectation (empty when it matches)."""
        problems: list[str] = []
        if self.method is not None and entry.method.upper() != self.method:
            problems.append(f"method is {entry.method}, not {self.method}")
        if self.path is not None and not _path_matches(self.path, entry.path):
            problems.append(f"path is {entry.path}, not {self.path}")
        for key, value in (self.query or {}).items():
            wanted = [value] if isinstance(value, str) else list(value)
            got = entry.query.get(key)
            if got != wanted:
                problems.append(f"query {key} is {got!r}, not {wanted!r}")
        if self.status is not None and entry.status != self.status:
            problems.append(f"status is {entry.status}, not {self.status}")
        if self.json is not None:
            problems.extend(f"json {p}" for p in json_differences(self.json, entry.json))
        return problems

    def describe(self) -> str:
        parts = [self.method or "any method", self.path or "any path"]
        if self.query:
            parts.append(f"query {dict(self.query)}")
        if self.json is not None:
            parts.append(f"json containing {_short(self.json)}")
        if self.status is not None:
            parts.append(f"answered {self.status}")
        return " ".join(parts)


# The journal ------------------------------------------------------------------------------------------


DEFAULT_MAX_ENTRIES = 10_000


class Journal:
    """Thread-safe record of one app's requests (a live server answers from several threads)."""

    def __init__(
        self, *, clock: Callable[[], float] = time.time, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._lock = threading.Lock()
        # Bounded: a server left running for days must not grow without limit; the oldest entries go first.
        self._entries: deque[JournalEntry] = deque(maxlen=max_entries)
        self.max_entries = max_entries
        self.dropped = 0
        self.clock = clock
        self.client_clock: Callable[[], float] | None = None

    def use_clock(self, clock: Callable[[], float] | None) -> None:
        """Judge ``Retry-After`` by ``clock``, the one the client's (fake) sleep advances; None: real time again.

        Each entry recorded from now on is stamped with ``clock()``; ``early_retries`` measures the wait
        between two stamped entries on it. ``clear()`` (so every test's reset) goes back to real time.
        """
        with self._lock:
            self.client_clock = clock

    def record(self, entry: JournalEntry) -> None:
        """Keep ``entry``, sanitised in place first: secrets redacted (``mockgraph.core.redaction``) and
        the body made JSON-safe, so that ``export()`` never fails whatever the request held."""
        entry.json = redact(entry.json)
        if entry.form is not None:
            entry.form = redact_fields(entry.form)
        if entry.query:
            entry.query = redact_query(entry.query)
        if entry.reason is not None:
            entry.reason = redact_text(entry.reason)
        if entry.message is not None:  # Graph's message may quote what the caller sent
            entry.message = redact_text(entry.message)
        # Only token-shaped text in a path: ids (which assertions match) are never mistaken for one.
        entry.path = redact_tokens(entry.path)
        with self._lock:
            if self.client_clock is not None:
                entry.client_time = self.client_clock()
            if len(self._entries) == self.max_entries:
                self.dropped += 1
            self._entries.append(entry)

    def entries(self) -> list[JournalEntry]:
        """Every entry, oldest first (a copy of the list; the entries themselves are shared)."""
        with self._lock:
            return list(self._entries)

    def export(self) -> list[dict[str, Any]]:
        """Every entry as a JSON-ready dict, oldest first."""
        return [entry.to_dict() for entry in self.entries()]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.dropped = 0
            self.client_clock = None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def unroutable(self) -> list[JournalEntry]:
        """Requests the emulator could not route: unknown Graph segments, unsupported methods, foreign hosts."""
        return [entry for entry in self.entries() if entry.unroutable]

    def calls(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        json: Any = None,
        query: Mapping[str, str | list[str]] | None = None,
        status: int | None = None,
    ) -> list[JournalEntry]:
        """The entries matching a method, a path pattern (``*``/``{id}`` match a segment) and subsets."""
        wanted = Expectation.build(method, path, json=json, query=query, status=status)
        return self._matching(wanted, self.entries())

    # Assertions -----------------------------------------------------------------------------------

    def assert_called(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        json: Any = None,
        query: Mapping[str, str | list[str]] | None = None,
        status: int | None = None,
        times: int | None = None,
    ) -> list[JournalEntry]:
        """Assert a matching request was made (exactly ``times`` times if given); return the matches."""
        wanted = Expectation.build(method, path, json=json, query=query, status=status)
        entries = self.entries()
        matches = self._matching(wanted, entries)
        if times is None and matches:
            return matches
        if times is not None and len(matches) == times:
            return matches
        expected = f"exactly {times} time(s)" if times is not None else "at least once"
        message = (
            f"expected {wanted.describe()} to be called {expected}, but it was called {len(matches)} time(s)"
        )
        raise AssertionError(message + self._explain(wanted, entries, matches))

    def assert_called_once(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        json: Any = None,
        query: Mapping[str, str | list[str]] | None = None,
        status: int | None = None,
    ) -> JournalEntry:
        """Assert exactly one matching request; return it."""
        return self.assert_called(method, path, json=json, query=query, status=status, times=1)[0]

    def assert_not_called(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        json: Any = None,
        query: Mapping[str, str | list[str]] | None = None,
        status: int | None = None,
    ) -> None:
        """Assert no matching request was made; the message lists the ones that were."""
        wanted = Expectation.build(method, path, json=json, query=query, status=status)
        matches = self._matching(wanted, self.entries())
        if matches:
            listed = "\n".join(f"  - {entry.describe()}" for entry in matches)
            raise AssertionError(
                f"expected {wanted.describe()} not to be called, but it was called {len(matches)} time(s):\n{listed}"
            )

    @staticmethod
    def _matching(wanted: Expectation, entries: list[JournalEntry]) -> list[JournalEntry]:
        return [entry for entry in entries if not wanted.mismatches(entry)]

    def _explain(self, wanted: Expectation, entries: list[JournalEntry], matches: list[JournalEntry]) -> str:
        if not entries:
            return "\nno requests were made."
        lines = [f"\n{len(entries)} request(s) were made."]
        if matches:
            lines.append("matching:")
            lines.extend(f"  - {entry.describe()}" for entry in matches)
        misses = [(wanted.mismatches(entry), index, entry) for index, entry in enumerate(entries)]
        nearest = sorted((m for m in misses if m[0]), key=lambda m: (len(m[0]), -m[1]))[:NEAR_MISSES_SHOWN]
        if nearest:
            lines.append("nearest that did not match:")
            for problems, _, entry in nearest:
                lines.append(f"  - {entry.describe()}")
                lines.extend(f"      {problem}" for problem in problems)
        return "\n".join(lines)

    # Retry-After ----------------------------------------------------------------------------------

    def early_retries(self) -> list[EarlyRetry]:
        """Each time a client repeated a refused request (same method and path) before ``Retry-After``.

        The wait is measured on the client's clock when the test shared it (``use_clock``) for both
        requests: a client whose sleep is faked waits on that clock, not in real time. Otherwise it is
        real (monotonic) time from the refusal's answer to the retry's arrival.
        """
        found: list[EarlyRetry] = []
        entries = self.entries()
        for index, refused in enumerate(entries):
            if refused.retry_after is None:
                continue
            key = (refused.method, normalise_path(refused.path))
            retry = next((e for e in entries[index + 1 :] if (e.method, normalise_path(e.path)) == key), None)
            if retry is None:
                continue
            if refused.client_time is not None and retry.client_time is not None:
                waited = retry.client_time - refused.client_time
            else:
                waited = retry.started - refused.finished
            if waited + RETRY_TOLERANCE_SECONDS < refused.retry_after:
                found.append(EarlyRetry(refused, retry, waited))
        return found

    def assert_retries_honoured(self) -> None:
        """Assert that no client retried a throttled or refused request before its ``Retry-After`` passed."""
        early = self.early_retries()
        if early:
            listed = "\n".join(f"  - {item.describe()}" for item in early)
            raise AssertionError(f"{len(early)} retry(ies) came before Retry-After had passed:\n{listed}")
