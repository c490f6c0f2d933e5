"""Reading OData system query options from a request: names, the optional ``$`` on beta, duplicates.

What each operation then accepts and how it parses the values is the resource's business (its table's
``QueryOptions``); this module only turns the query string into options by bare name, and refuses a value
longer than Graph's documented URL limit before any parser reads it.
"""

from __future__ import annotations

from collections.abc import Mapping

from mockgraph.core.errors import InvalidRequest

# The options Graph defines for a collection (what a list may take; a resource may accept fewer).
COLLECTION_OPTIONS = frozenset(
    {"select", "top", "skip", "count", "orderby", "filter", "skiptoken", "expand", "search"}
)
KNOWN_SYSTEM_OPTIONS = COLLECTION_OPTIONS | {
    "format",
    "apply",
    "compute",
    "levels",
    "deltatoken",
    "index",
    "schemaversion",
}


# Graph's documented limit for advanced queries is "a URL length of 2,048 characters" (known issues, query
# parameters); one option's value can be no longer than that. Every parser downstream is then bounded.
MAX_OPTION_LENGTH = 2048


class UnsupportedQuery(InvalidRequest):
    """Raise if a well-formed query option asks for something this resource does not support."""

    default_code = "Request_UnsupportedQuery"


def read_options(
    args: Mapping[str, list[str]],
    *,
    version: str,
    allowed: frozenset[str],
) -> dict[str, str]:
    """System query options by bare name; on beta the ``$`` prefix is optional, as Graph documents."""
    options: dict[str, str] = {}
    for raw_name in args:
        name = raw_name.lower()
        if name.startswith("$"):
            bare = name[1:]
        elif version == "beta" and name in KNOWN_SYSTEM_OPTIONS:
            bare = name
        else:
            continue  # Graph ignores custom (non-$) query parameters
        if bare not in KNOWN_SYSTEM_OPTIONS:
            raise InvalidRequest(
                f"The query parameter '{raw_name}' is not supported.",
                reason=f"unknown option {raw_name}",
            )
        values = args[raw_name]
        if bare in options or len(values) > 1:
            raise InvalidRequest(
                f"Query option '${bare}' was specified more than once, but it must be specified at most once.",
                reason=f"duplicate ${bare}",
            )
        if len(values[0]) > MAX_OPTION_LENGTH:
            raise InvalidRequest(
                f"The value of the query option '${bare}' is too long: the limit is {MAX_OPTION_LENGTH} "
                "characters.",
                reason=f"${bare} is {len(values[0])} characters, over {MAX_OPTION_LENGTH}",
            )
        if bare not in allowed:
            raise UnsupportedQuery(
                f"The query option '${bare}' is not supported for this request.",
                reason=f"${bare} not supported here",
            )
        options[bare] = values[0]
    return options
