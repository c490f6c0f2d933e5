"""Bodies whose contract their ``@odata.type`` chooses (a resource with subtypes, such as custom extensions).

``typed_body`` builds an operation's ``Body`` rule: the type is required, resolved with or without ``#``,
must name a concrete subtype (an abstract base or an unknown name is Graph's 400), and the body is then
checked against that subtype's contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from mockgraph.core.contracts import Contracts, describe_error
from mockgraph.core.errors import InvalidRequestBody
from mockgraph.core.odata_types import bare, canonical_type
from mockgraph.core.operations import Body


def typed_body(
    contract: str,
    by_type: Mapping[str, str],
    *,
    entity_type: str,
    abstract: tuple[str, ...] = (),
) -> Body:
    """A body rule choosing the contract per ``@odata.type`` (keys of ``by_type``, written with ``#``).

    ``contract`` names the document-level contract (what the OpenAPI shows, e.g. a ``oneOf``).
    """
    types = MappingProxyType({canonical_type(name): schema for name, schema in by_type.items()})
    abstract_types = frozenset(canonical_type(name) for name in abstract)

    def check(contracts: Contracts, document: Any) -> dict[str, Any]:
        if not isinstance(document, dict):
            raise InvalidRequestBody(
                "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader. "
                "A 'StartObject' node was expected.",
                reason="body is not a JSON object",
            )
        chosen = resolve_type(document.get("@odata.type"), types, abstract_types, entity_type)
        error = contracts.first_error(types[chosen], document)
        if error is not None:
            path = ".".join(str(part) for part in error.absolute_path) or "(body)"
            raise InvalidRequestBody(
                describe_error(error, root_type=bare(chosen)),
                reason=f"{types[chosen]}: {error.validator} at {path}",
            )
        return document

    return Body(contract, check, by_type=types, entity_type=entity_type)


def resolve_type(value: Any, types: Mapping[str, str], abstract: frozenset[str], entity_type: str) -> str:
    """The concrete type ``value`` names; Graph's 400 for a missing, abstract or unknown one."""
    if value is None:
        raise InvalidRequestBody(
            f"The property '@odata.type' is required: '{entity_type}' is abstract; name one of its subtypes.",
            reason="no @odata.type on a body whose type chooses its shape",
        )
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestBody(
            "The value of '@odata.type' must be a string naming a type.", reason="@odata.type is not a string"
        )
    resolved = canonical_type(value.strip())
    if resolved in types:
        return resolved
    if resolved in abstract or bare(resolved) == entity_type:
        raise InvalidRequestBody(
            f"Cannot create an instance of the abstract type '{bare(resolved)}'; name one of its subtypes.",
            reason=f"abstract @odata.type {value!r}",
        )
    raise InvalidRequestBody(
        f"A type named '{bare(value)}' could not be resolved by the model. When a model is available, "
        "each type name must resolve to a valid type.",
        reason=f"unknown @odata.type {value!r}",
    )
