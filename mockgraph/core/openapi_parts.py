"""Building blocks of the served OpenAPI document: references, JSON bodies, query parameters, operations.

Used by ``mockgraph.admin.openapi`` (which assembles the document from the operation tables) and by each resource's
``openapi.py`` (its parameter components).
Every operation lists the refusals every Graph request can get (400/401/403, and 413/415 when it takes a body)
with the ``odataError`` schema, plus its own (404, 409).
"""

from __future__ import annotations

from typing import Any

ERROR_RESPONSES = (
    ("400", "Bad request: a path, query option or body Graph does not accept."),
    ("401", "Missing or invalid access token."),
    ("403", "The token lacks the permission or directory role the operation needs."),
)
BODY_REFUSALS = (
    ("413", "The body is over the size limit."),
    ("415", "The body is not sent as application/json."),
)
NO_BODY = {"description": "Success (no body)"}
# The schema no value satisfies: a parameter Graph has and the emulator refuses whatever its value. Listed
# for the record (its description gives Graph's type); a generator of valid requests leaves it out.
NO_VALUE: dict[str, Any] = {"not": {}}


def array_of(values: list[str]) -> dict[str, Any]:
    """A comma-separated list of distinct values from ``values`` (with ``style: form, explode: false``)."""
    # minItems: an empty list (``$select=``) names nothing and is refused
    return {"uniqueItems": True, "minItems": 1, "type": "array", "items": {"enum": values, "type": "string"}}


def query_parameter(
    name: str, description: str, schema: dict[str, Any], refused: str | None = None
) -> dict[str, Any]:
    """A query parameter; ``refused`` says which values the emulator answers with a 400."""
    parameter: dict[str, Any] = {
        "name": name,
        "in": "query",
        "description": description,
        "style": "form",
        "explode": False,
        "schema": schema,
    }
    if refused:
        parameter["description"] = f"{description}. mockgraph answers 400 for {refused}."
        parameter["x-mockgraph-refuses"] = refused
    return parameter


def ref(kind: str, name: str) -> dict[str, str]:
    """A reference into ``components`` (``kind`` is ``schemas``, ``parameters`` or ``responses``)."""
    return {"$ref": f"#/components/{kind}/{name}"}


def json_body(schema_name: str, description: str) -> dict[str, Any]:
    """A response whose JSON body has the named component schema."""
    return {
        "description": description,
        "content": {"application/json": {"schema": ref("schemas", schema_name)}},
    }


def operation(
    operation_id: str,
    summary: str,
    success: tuple[str, dict[str, Any]],
    *,
    tag: str,
    parameters: tuple[str, ...] = (),
    body: str | None = None,
    refusals: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    """An operation object: its success response, the documented refusals, parameters by component name."""
    documented = dict((*ERROR_RESPONSES, *(BODY_REFUSALS if body is not None else ()), *refusals))
    responses: dict[str, Any] = {success[0]: success[1]}
    for status, text in sorted(documented.items()):
        responses[status] = {
            "description": text,
            "content": {"application/json": {"schema": ref("schemas", "odataError")}},
        }
    responses["default"] = ref("responses", "error")
    document: dict[str, Any] = {
        "tags": [tag],
        "summary": summary,
        "operationId": str(operation_id),  # a plain str even when given an Operation
        "parameters": [ref("parameters", name) for name in parameters],
        "responses": responses,
    }
    if body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref("schemas", body)}},
        }
    return document
