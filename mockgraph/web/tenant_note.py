"""The note on a read that found nothing in the caller's tenant while other tenants hold that collection.

Objects are per tenant, as in Graph, and seeds and fixtures fill the default tenant unless told otherwise: a
client that signs in to a tenant of its own then lists ``[]`` and nothing says why. mockgraph says why, in the
answer's ``x-mockgraph-reason`` header and the journal entry's reason (never in the body, which stays Graph's):
``0 apiConnectors in the caller's tenant X; 3 in tenant Y``.
"""

from __future__ import annotations

from mockgraph.core.operations import Operation, Route
from mockgraph.core.principal import Principal
from mockgraph.identity.directory import DIRECTORY_TENANT
from mockgraph.storage.store import Store

# Other tenants named in a note; the rest are counted.
TENANTS_SHOWN = 2
HINT = "objects are per tenant: seed the caller's tenant, or call with a token for one that holds them"


def collection_of(operation: Operation) -> str | None:
    """The store collection an operation reads: the last literal segment before its first key parameter.

    Resources name their collection after the Graph segment (``identity/apiConnectors/{id}`` reads
    ``apiConnectors``); ``$count``-style segments are not collections."""
    found: str | None = None
    for segment in operation.segments:
        if segment.parameter is not None:
            break
        if not segment.text.startswith("$"):
            found = segment.text
    return found


def _reads_nothing(route: Route, method: str, status: int) -> bool:
    """A list or count answered 200, or any read answered 404: the answers an empty tenant gives."""
    if method not in ("GET", "HEAD"):
        return False
    return status == 404 or (status == 200 and not route.parameters)


def tenant_note(
    store: Store, principal: Principal | None, route: Route | None, method: str, status: int
) -> str | None:
    """The note for this answer, or None when the caller's tenant holds the collection or no other does."""
    if principal is None or route is None or not _reads_nothing(route, method, status):
        return None
    collection = collection_of(route.operation)
    tenant = principal.tenant_id
    if collection is None or store.count(tenant, collection):
        return None
    others = sorted(
        (
            (held, name)
            for name, held in store.tenant_counts(collection).items()
            if name not in (tenant, DIRECTORY_TENANT)
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not others:
        return None
    shown = ", ".join(f"{held} in tenant {name}" for held, name in others[:TENANTS_SHOWN])
    more = len(others) - TENANTS_SHOWN
    rest = (
        f" and {sum(held for held, _ in others[TENANTS_SHOWN:])} in {more} more tenant(s)" if more > 0 else ""
    )
    return f"0 {collection} in the caller's tenant {tenant}; {shown}{rest} ({HINT})"
