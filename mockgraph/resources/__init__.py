"""The Graph resources: one package per resource, each with its operation table, and the registry of them all.

Adding a resource is a new package (``table.py`` with its ``ResourceTable``, ``model.py``, ``views.py``) and one
line below; routing, dispatch, authorisation, the served OpenAPI, the request checker and the docs' permission
table all read ``CATALOG``.
"""

from __future__ import annotations

from mockgraph.core.operations import Catalog
from mockgraph.resources.connectors.table import TABLE as CONNECTORS
from mockgraph.resources.eventsflows.table import TABLE as EVENTS_FLOWS
from mockgraph.resources.extensions.table import TABLE as EXTENSIONS
from mockgraph.resources.listeners.table import TABLE as LISTENERS
from mockgraph.resources.userflows.table import TABLES as USER_FLOWS

CATALOG = Catalog((CONNECTORS, *USER_FLOWS, EXTENSIONS, LISTENERS, EVENTS_FLOWS))

__all__ = ["CATALOG"]
