"""The callout journal: each call in the shape of the beta sign-in log's ``appliedEventListeners`` record.

A record is ``{eventType, executedListenerId, handlerResult: {"@odata.type":
"#microsoft.graph.customExtensionCalloutResult", calloutDateTime, customExtensionId, errorCode, httpStatus,
numberOfAttempts}}`` (reference §10.5), plus what the emulator saw under ``mockgraph``: the request (token,
one-time code and password context redacted; the URL's query values too, which may hold a function key),
the answer, each attempt and the verdict.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from mockgraph.callouts.outcome import CalloutOutcome
from mockgraph.callouts.target import ExtensionTarget
from mockgraph.web.journal import REDACTED, redact

RESULT_TYPE = "#microsoft.graph.customExtensionCalloutResult"
DEFAULT_MAX_RECORDS = 1000
MAX_RESPONSE_TEXT = 4096


def redacted(document: Any) -> Any:
    """The one place callout data is redacted: the project's journal redaction (secret-named keys)."""
    return redact(document)


def redacted_url(url: str) -> dict[str, Any]:
    """The URL without its query, and the query's values redacted where their names are secret (``code``)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return {"url": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), "query": redacted(query)}


def _moment(seconds: float) -> str:
    return (
        dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def sign_in_record(target: ExtensionTarget, outcome: CalloutOutcome) -> dict[str, Any]:
    """The sign-in log's record of one call (``errorCode`` 0 when it succeeded: a choice)."""
    return {
        "eventType": target.event.value,
        "executedListenerId": target.listener_id,
        "handlerResult": {
            "@odata.type": RESULT_TYPE,
            "calloutDateTime": _moment(outcome.started),
            "customExtensionId": target.extension_id,
            "errorCode": 0 if outcome.error_code is None else int(outcome.error_code),
            "httpStatus": outcome.status or 0,
            "numberOfAttempts": len(outcome.attempts),
        },
    }


def callout_record(
    target: ExtensionTarget,
    outcome: CalloutOutcome,
    headers: Mapping[str, str],
    response_headers: Mapping[str, str],
) -> dict[str, Any]:
    """A journal record: the sign-in log's shape, and the emulator's view of the exchange."""
    text = outcome.response_text
    return {
        **sign_in_record(target, outcome),
        "mockgraph": {
            "request": {
                **redacted_url(target.target_url),
                "headers": redacted(dict(headers)),
                "body": redacted(dict(outcome.request_body)),
            },
            "response": {
                "status": outcome.status,
                "headers": redacted(dict(response_headers)),
                "body": None if text is None else text[:MAX_RESPONSE_TEXT],
            },
            "attempts": [attempt.to_json() for attempt in outcome.attempts],
            "action": outcome.action.value,
            "errorName": None if outcome.error_code is None else outcome.error_code.error_name,
            "rule": outcome.rule,
            "correlationId": outcome.correlation_id,
        },
    }


class CalloutJournal:
    """Thread-safe, bounded list of callout records (oldest dropped first)."""

    def __init__(self, *, max_records: int = DEFAULT_MAX_RECORDS) -> None:
        self._lock = threading.Lock()
        self._records: deque[dict[str, Any]] = deque(maxlen=max_records)

    def record(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._records.append(record)

    def export(self) -> list[dict[str, Any]]:
        """Every record, oldest first (copies of the lists; records are never changed once written)."""
        with self._lock:
            return list(self._records)

    def sign_in_log(self) -> list[dict[str, Any]]:
        """``appliedEventListeners``: the records without the emulator's own view."""
        return [{k: v for k, v in record.items() if k != "mockgraph"} for record in self.export()]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)


__all__ = ["REDACTED", "CalloutJournal", "callout_record", "redacted", "sign_in_record"]
