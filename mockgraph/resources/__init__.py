"""The Graph resources: one package per resource, each with its operation table, and the registry of them all.

Adding a resource is a new package (``table.py`` with its ``ResourceTable``, ``model.py``, ``views.py``) and one
line below; routing, dispatch, authorisation, the served OpenAPI, the request checker and the docs' permission
table all read ``CATALOG``.
"""

from __future__ import annotations

from mockgraph.core.operations import Catalog
from mockgraph.resources.connectors.table import TABLE as CONNECTORS
from mockgraph.resources.extensions.table import TABLE as EXTENSIONS
from mockgraph.resources.userflows.table import TABLES as USER_FLOWS

CATALOG = Catalog((CONNECTORS, *USER_FLOWS, EXTENSIONS))

__all__ = ["CATALOG"]
