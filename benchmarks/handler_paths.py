"""``python -m benchmarks.handler_paths``: the lifecycle's work below the web pipeline, without Flask.

Per request: route resolution, the ``Call``, its query options, the handler (body parse and validation, the
store, rendering) and ``Journal.record`` with the body redacted. No WSGI, no test client, no headers: what
is left is the handlers', validation's, the store's and the journal's own cost, so a change there shows up
undiluted. Prints the best of 9 runs, in µs per request.
"""

from __future__ import annotations

import json
import timeit
from collections.abc import Callable
from typing import Any

from benchmarks.inprocess import emulator_app
from benchmarks.lifecycle import CONNECTORS, LARGE, PATCH_BODY, create_body
from mockgraph.core.json_limits import parse_json
from mockgraph.web.call import Call, parse_query
from mockgraph.web.journal import JournalEntry
from mockgraph.web.state import state_of

COLLECTION = "/beta/identity/apiConnectors"


def main() -> int:
    app, headers = emulator_app()
    state = state_of(app)
    principal = state.gatekeeper.authenticate(headers["Authorization"])

    def serve(method: str, path: str, body: dict[str, Any] | None, status: int) -> Any:
        text = json.dumps(body) if body is not None else None
        route = state.router.resolve(method, path)
        call = Call(
            route=route,
            principal=principal,
            store=state.store,
            contracts=state.contracts,
            config=state.config,
            clock=state.clock,
            args={},
            base_url=lambda: "http://localhost/",
            read_body=lambda: parse_json(text or ""),
            query=parse_query(route.operation, {}, route.version),
            directory=state.gatekeeper.directory,
        )
        reply = route.operation.handler(call)
        document = parse_json(text) if text is not None else None
        state.journal.record(JournalEntry(method=method, path=path, json=document, status=status))
        return reply.document

    ids: list[str] = []

    def create() -> None:
        state.store.reset()
        ids[:] = [serve("POST", COLLECTION, create_body(i), 201)["id"] for i in range(CONNECTORS)]

    def get() -> None:
        for object_id in ids:
            serve("GET", f"{COLLECTION}/{object_id}", None, 200)

    def patch() -> None:
        for object_id in ids:
            serve("PATCH", f"{COLLECTION}/{object_id}", PATCH_BODY, 204)

    def listing() -> None:
        for _ in range(CONNECTORS):
            serve("GET", COLLECTION, None, 200)

    def best(step: Callable[[], None], number: int) -> float:
        return min(timeit.repeat(step, number=number, repeat=9)) / number / CONNECTORS * 1e6

    print(f"create  {best(create, 20):8.1f} µs")
    print(f"get     {best(get, 20):8.1f} µs")
    print(f"patch   {best(patch, 20):8.1f} µs")
    print(f"list20  {best(listing, 10):8.1f} µs")
    for index in range(CONNECTORS, LARGE):
        serve("POST", COLLECTION, create_body(index), 201)
    print(f"list100 {best(listing, 5):8.1f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
