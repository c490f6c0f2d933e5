"""The Graph views: one dispatcher for ``/beta`` and ``/v1.0`` and a thin handler per connector operation.

Each handler follows the same shape: read options and body, call the domain, store, render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from mockgraph.core import query
from mockgraph.core.errors import ResourceNotFound
from mockgraph.core.operations import Operation
from mockgraph.core.principal import Principal
from mockgraph.resources.connectors import model as connectors
from mockgraph.resources.connectors.model import COLLECTION
from mockgraph.resources.userflows import views as userflows_api
from mockgraph.web.context import request_context
from mockgraph.web.http import json_response, no_content, read_json_body
from mockgraph.web.routing import Route, resolve
from mockgraph.web.state import EmulatorState, current_state

GRAPH_ROOT = "https://graph.microsoft.com"


@dataclass(frozen=True)
class Call:
    """One authorised Graph call: the state it acts on, where it goes, and who makes it."""

    state: EmulatorState
    route: Route
    principal: Principal

    @property
    def tenant(self) -> str:
        return self.principal.tenant_id

    def options(self, allowed: frozenset[str]) -> dict[str, str]:
        return query.read_options(
            request.args,
            request.args.getlist,
            version=self.route.version,
            allowed=allowed,
        )

    def context(self, fragment: str) -> str:
        return f"{GRAPH_ROOT}/{self.route.version}/$metadata#{fragment}"

    def existing(self) -> dict[str, Any]:
        assert self.route.object_id is not None
        record = self.state.store.get(self.tenant, COLLECTION, self.route.object_id)
        if record is None:
            raise ResourceNotFound(self.route.object_id)
        return record

    def body(self, contract: str) -> dict[str, Any]:
        document = read_json_body(self.state.config.max_body_bytes)
        return connectors.validate(self.state.contracts, contract, document)

    def entity(self, record: dict[str, Any], select: tuple[str, ...] | None = None) -> dict[str, Any]:
        shape = f"({','.join(select)})" if select else ""
        return {
            "@odata.context": self.context(f"identity/apiConnectors{shape}/$entity"),
            **connectors.render(record, self.state.now(), select),
        }


def dispatch(path: str = "") -> Response:
    """Resolve, authenticate, authorise, then run the operation's handler."""
    state = current_state()
    # The journal hook resolved the path already when it could (kit_wiring._start); resolve it here otherwise.
    context = request_context()
    route = context.route or resolve(request.method, request.path)
    context.route = route
    principal = state.gatekeeper.authenticate(request.headers.get("Authorization"))
    context.principal = principal
    state.gatekeeper.authorize(principal, route.operation)
    return HANDLERS[route.operation](Call(state, route, principal))


def list_connectors(call: Call) -> Response:
    options = query.parse_collection_query(call.options(query.LIST_OPTIONS))
    records = call.state.store.list(call.tenant, COLLECTION)
    page, total, next_offset = query.apply(records, options)
    shape = f"({','.join(options.select)})" if options.select else ""
    document: dict[str, Any] = {"@odata.context": call.context(f"identity/apiConnectors{shape}")}
    if options.count:
        document["@odata.count"] = total
    now = call.state.now()
    document["value"] = [connectors.render(dict(r), now, options.select) for r in page]
    if next_offset is not None:
        document["@odata.nextLink"] = next_link(call, next_offset - options.skip)
    return json_response(document)


def next_link(call: Call, offset: int) -> str:
    kept = [(k, v) for k, v in request.args.items(multi=True) if k.lower().lstrip("$") != "skiptoken"]
    kept.append(("$skiptoken", query.encode_skiptoken(offset)))
    return f"{request.host_url}{call.route.version}/identity/apiConnectors?{urlencode(kept, safe='$,()')}"


def count_connectors(call: Call) -> Response:
    options = query.parse_collection_query(call.options(query.COUNT_OPTIONS))
    _, total, _ = query.apply(call.state.store.list(call.tenant, COLLECTION), options)
    response = Response(str(total), status=200, content_type="text/plain;charset=utf-8")
    return response


def create_connector(call: Call) -> Response:
    body = call.body("identityApiConnectorCreate")
    record = connectors.new_record(body)
    stored = call.state.store.insert(call.tenant, COLLECTION, record, limit=call.state.config.connector_limit)
    location = f"{request.host_url}{call.route.version}/identity/apiConnectors/{stored['id']}"
    return json_response(call.entity(stored), 201, {"Location": location})


def get_connector(call: Call) -> Response:
    options = call.options(query.GET_OPTIONS)
    if "expand" in options:
        query.check_expand(options["expand"])
    select = query.parse_select(options["select"]) if "select" in options else None
    return json_response(call.entity(call.existing(), select))


def update_connector(call: Call) -> Response:
    call.existing()  # an unknown id is 404 before the body is judged
    # Certificates are parsed before the store is touched, so a bad blob changes nothing.
    changes = connectors.changes_from_patch(call.body("identityApiConnectorUpdate"))
    object_id = call.route.object_id or ""
    if call.state.store.update(call.tenant, COLLECTION, object_id, lambda r: {**r, **changes}) is None:
        raise ResourceNotFound(call.route.object_id or "")
    return no_content()


def delete_connector(call: Call) -> Response:
    if not call.state.store.delete(call.tenant, COLLECTION, call.route.object_id or ""):
        raise ResourceNotFound(call.route.object_id or "")
    return no_content()


def upload_certificate(call: Call) -> Response:
    call.existing()
    body = call.body("uploadClientCertificate")
    certificate = connectors.stored_certificate(body["pkcs12Value"], body["password"])
    updated = call.state.store.update(
        call.tenant,
        COLLECTION,
        call.route.object_id or "",
        lambda record: connectors.with_uploaded_certificate(record, certificate),
    )
    if updated is None:
        raise ResourceNotFound(call.route.object_id or "")
    return json_response(call.entity(updated))


HANDLERS: dict[Operation, Callable[[Call], Response]] = {
    Operation.LIST_CONNECTORS: list_connectors,
    Operation.COUNT_CONNECTORS: count_connectors,
    Operation.CREATE_CONNECTOR: create_connector,
    Operation.GET_CONNECTOR: get_connector,
    Operation.UPDATE_CONNECTOR: update_connector,
    Operation.DELETE_CONNECTOR: delete_connector,
    Operation.UPLOAD_CERTIFICATE: upload_certificate,
    # User flows register their own handlers (mockgraph.resources.userflows.views).
    **userflows_api.HANDLERS,
}
