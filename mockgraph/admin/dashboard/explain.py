"""Why a request was answered as it was, in words: the dashboard's reading of one journal entry.

Pure (no Flask). It reads what the emulator already records: the entry's principal, error code, message and
reason; the operation's row in the catalog (its ``allow``); the app's auth mode; and, for a 404, the store
(is the object in another tenant?). Reasons have fixed shapes where they matter here: an injected fault
says ``injected fault: rule N (...)`` (``mockgraph.web.faults``), and a body that broke its contract says
``<contract>: <validator> at <dotted path>`` (the resources' ``validate``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockgraph.core.operations import Catalog, Operation, Permissions
from mockgraph.core.principal import AuthMode
from mockgraph.identity.permissions import ROLE_NAMES
from mockgraph.storage.store import Store
from mockgraph.web.journal import Expectation, JournalEntry, normalise_path

ADMIN_PREFIX = "/_mockgraph"
GRAPH_VERSIONS = ("/beta", "/v1.0")
NEAR_MISSES_SHOWN = 3
_FAULT = re.compile(r"^injected fault: rule (?P<index>\d+) \((?P<how>.*)\)$")
_CONTRACT = re.compile(r"^(?P<contract>[A-Za-z][\w.]*): (?P<validator>\w+) at (?P<path>.+)$")


@dataclass(frozen=True)
class Finding:
    """One part of the explanation: ``topic`` (caller, permission, fault, contract, refusal, near miss)."""

    topic: str
    text: str


@dataclass(frozen=True)
class Explanation:
    """What the dashboard says about one request: a one-line summary and every finding behind it."""

    verdict: str  # allowed, refused, fault, admin, other
    summary: str
    findings: tuple[Finding, ...]


def role_label(role_id: str, *, with_id: bool = False) -> str:
    """A directory role's display name where known (and its template id, with ``with_id``)."""
    name = ROLE_NAMES.get(role_id)
    if name is None:
        return role_id
    return f"{name} ({role_id})" if with_id else name


def caller_parts(principal: Mapping[str, Any] | None) -> tuple[str, str, str]:
    """(kind, who, grants): ``("app", appId, "roles: A, B")``, ``("user", name, "scp: X; wids: Y")``, or
    ``("anonymous", "", "")`` with no principal."""
    if not principal:
        return "anonymous", "", ""
    if principal.get("kind") == "app":
        roles = ", ".join(principal.get("roles") or ()) or "none"
        return "app", str(principal.get("appId") or "?"), f"roles: {roles}"
    who = str(principal.get("username") or principal.get("objectId") or "?")
    scopes = " ".join(principal.get("scp") or ()) or "none"
    roles = ", ".join(role_label(r) for r in principal.get("wids") or ()) or "none"
    return "user", who, f"scp: {scopes}; wids: {roles}"


def caller_text(principal: Mapping[str, Any] | None) -> str:
    """``app <appId>; roles: A, B`` or ``user <name>; scp: X; wids: Y``; ``anonymous`` with no principal."""
    kind, who, grants = caller_parts(principal)
    return kind if kind == "anonymous" else f"{kind} {who}; {grants}"


def accepted_text(allow: Permissions) -> str:
    """What an operation's row accepts, as the permission table in the docs says it."""
    application = ", ".join(allow.application) or "none"
    delegated = ", ".join(allow.delegated) or "none"
    roles = ", ".join(role_label(r, with_id=True) for r in allow.roles) or "none"
    return (
        f"any one application permission of {application} (in roles); or, for a user, any one scope of "
        f"{delegated} (in scp) with any one directory role of {roles} (in wids)"
    )


def json_pointer(dotted: str) -> str:
    """The RFC 6901 pointer for a dotted path from a reason (``a.b.0`` -> ``/a/b/0``; ``(body)`` -> ``""``).

    Annotation keys hold a dot of their own (``@odata.type``), so a segment ending in ``@odata`` is joined
    with the next one."""
    if dotted == "(body)":
        return ""
    parts: list[str] = []
    for part in dotted.split("."):
        if parts and parts[-1].endswith("@odata"):
            parts[-1] += "." + part
        else:
            parts.append(part)
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def fault_finding(reason: str | None, status: int) -> Finding | None:
    found = _FAULT.match(reason or "")
    if found is None:
        return None
    return Finding(
        "fault",
        f"fault rule #{found['index']} ({found['how']}) answered {status} before the operation ran",
    )


def contract_finding(reason: str | None, message: str | None) -> Finding | None:
    found = _CONTRACT.match(reason or "")
    if found is None:
        return None
    pointer = json_pointer(found["path"])
    where = f"at {pointer}" if pointer else "at the body's root"
    text = f"the body breaks the contract {found['contract']} ({found['validator']} {where})"
    return Finding("contract", text + (f": {message}" if message else ""))


def _claim(principal: Mapping[str, object], name: str) -> tuple[str, ...]:
    """A list claim of the journal's principal (``roles``, ``scp``, ``wids``)."""
    values = principal.get(name)
    return tuple(str(v) for v in values) if isinstance(values, list | tuple) else ()


def permission_finding(entry: JournalEntry, operation: Operation, mode: AuthMode) -> Finding | None:
    """Which permission or role rule allowed or refused the call (None when the check never ran)."""
    if entry.status == 401:
        return Finding("permission", f"not authenticated: {entry.reason or entry.message}")
    if _FAULT.match(entry.reason or ""):
        return Finding("permission", "not checked: a fault rule answered first")
    principal = entry.principal
    if principal is None:
        return None  # refused before authentication (the path, the version, the method)
    if mode is not AuthMode.ENFORCE:
        return Finding("permission", f"not checked: auth mode is {mode.value}")
    if entry.status == 403:
        return Finding("permission", f"refused: {entry.reason}")
    allow = operation.allow
    if principal.get("kind") == "app":
        granted = [p for p in allow.application if p in _claim(principal, "roles")]
        return Finding("permission", f"allowed: the roles claim holds {', '.join(granted)}")
    scopes = [s for s in allow.delegated if s in _claim(principal, "scp")]
    roles = [role_label(r) for r in allow.roles if r in _claim(principal, "wids")]
    return Finding("permission", f"allowed: scp holds {', '.join(scopes)} and wids holds {', '.join(roles)}")


def nearest_operations(entry: JournalEntry, catalog: Catalog) -> list[Finding]:
    """The operations a Graph path that matched none came closest to, with how each differs (the journal's
    near-miss messages: the same ``Expectation.mismatches``)."""
    candidates: list[tuple[int, float, str]] = []
    actual = normalise_path(entry.path)
    for operation in catalog:
        for version in operation.versions:
            pattern = f"/{version}/{operation.path}"
            problems = Expectation.build(operation.method, pattern).mismatches(entry)
            closeness = difflib.SequenceMatcher(None, actual, pattern.lower()).ratio()
            label = f"{operation.method} {pattern} ({operation.name}): {'; '.join(problems) or 'matches'}"
            candidates.append((len(problems), -closeness, label))
    candidates.sort()
    return [Finding("near miss", label) for _, _, label in candidates[:NEAR_MISSES_SHOWN]]


def _collections(store: Store) -> dict[str, dict[str, list[str]]]:
    """Every tenant's collections (by lower-case name) and the ids they hold."""
    found: dict[str, dict[str, list[str]]] = {}
    for tenant, collections in store.dump().items():
        for name, records in collections.items():
            found.setdefault(name.lower(), {})[tenant] = [str(r.get("id", "")) for r in records]
    return found


def missing_objects(
    entry: JournalEntry, route_parameters: Mapping[str, str], operation: Operation, store: Store
) -> list[Finding]:
    """For a 404: each object the path names that the caller's tenant lacks, and where it was found instead
    (another tenant, another spelling) or which ids the tenant does hold."""
    tenant = str((entry.principal or {}).get("tenantId") or "").lower()
    held = _collections(store)
    findings: list[Finding] = []
    segments = operation.path.split("/")
    for index, segment in enumerate(segments):
        if not (segment.startswith("{") and index > 0):
            continue
        wanted = route_parameters.get(segment[1:-1], "")
        collection = segments[index - 1]
        by_tenant = held.get(collection.lower(), {})
        if wanted in by_tenant.get(tenant, []):
            continue
        elsewhere = sorted(t for t, ids in by_tenant.items() if t != tenant and wanted in ids)
        similar = difflib.get_close_matches(
            wanted, by_tenant.get(tenant, []), n=NEAR_MISSES_SHOWN, cutoff=0.6
        )
        if elsewhere:
            text = f"{collection} '{wanted}' exists in tenant {', '.join(elsewhere)}, not in the caller's {tenant}"
        elif similar:
            text = f"no {collection} '{wanted}' in tenant {tenant}; similar ids there: {', '.join(similar)}"
        else:
            count = len(by_tenant.get(tenant, []))
            text = f"no {collection} '{wanted}' in tenant {tenant}, which holds {count} {collection}"
        findings.append(Finding("near miss", text))
    return findings


def explain(
    entry: JournalEntry,
    catalog: Catalog,
    mode: AuthMode,
    *,
    store: Store | None = None,
    route_parameters: Mapping[str, str] | None = None,
) -> Explanation:
    """The explanation of ``entry``. Pass ``store`` and the route's parameters to look for a 404's object."""
    findings: list[Finding] = [Finding("caller", caller_text(entry.principal))]
    operation = catalog.find(entry.operation) if entry.operation else None
    fault = fault_finding(entry.reason, entry.status)
    contract = contract_finding(entry.reason, entry.message)
    if operation is not None:
        findings.append(Finding("operation", f"{operation.name} ({operation.id}): {operation.summary}"))
        permission = permission_finding(entry, operation, mode)
        if permission is not None:
            findings.append(permission)
            findings.append(Finding("rule", f"{operation.name} accepts {accepted_text(operation.allow)}"))
    findings.extend(f for f in (fault, contract) if f is not None)
    refused = entry.status >= 400
    if refused and fault is None and contract is None:
        findings.append(Finding("refusal", _refusal_text(entry)))
    if entry.status == 404 and operation is not None and store is not None and route_parameters is not None:
        findings.extend(missing_objects(entry, route_parameters, operation, store))
    elif refused and operation is None and entry.path.startswith(GRAPH_VERSIONS):
        findings.extend(nearest_operations(entry, catalog))
    return Explanation(_verdict(entry, fault), _summary(entry, findings), tuple(findings))


def _refusal_text(entry: JournalEntry) -> str:
    parts = [p for p in (entry.error_code, entry.message) if p]
    text = ": ".join(parts) or f"status {entry.status}"
    return text + (f" (rule: {entry.reason})" if entry.reason else "")


def _verdict(entry: JournalEntry, fault: Finding | None) -> str:
    if fault is not None:
        return "fault"
    if entry.path.startswith(ADMIN_PREFIX):
        return "admin"
    if entry.status >= 400:
        return "refused"
    return "allowed" if entry.operation else "other"


def _summary(entry: JournalEntry, findings: Sequence[Finding]) -> str:
    """The finding that decided the answer: a fault, a contract, the permission rule of a 401 or 403, any
    other refusal, else the permission rule that allowed it."""
    order = ("fault", "contract", "permission", "refusal") if entry.status in (401, 403) else None
    for topic in order or ("fault", "contract", "refusal", "permission"):
        for finding in findings:
            if finding.topic == topic:
                # A refusal's summary is its code and rule; Graph's full message is in the finding.
                if topic == "refusal" and entry.reason:
                    return f"{entry.error_code or entry.status}: {entry.reason}"
                return finding.text
    if entry.path.startswith(ADMIN_PREFIX):
        return "admin API"
    return "answered" if entry.status < 400 else f"status {entry.status}"
