"""The ``conditions/applications/includeApplications`` sub-collection, one set of handlers for every owner.

Listeners and External ID user flows both carry it; they differ only in where the owner is stored, its Graph
path, the 404 reason and the rule for adding an app (a flow also refuses an app linked to another flow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockgraph.core.errors import ResourceNotFound
from mockgraph.resources.listeners.model import find_application, without_application
from mockgraph.storage.store import Record
from mockgraph.web.call import Call, Reply, json_reply, no_content

SUB_PATH = "conditions/applications/includeApplications"
# Given the call, the owner and the app id: the change that adds the app (raising Graph's error if it may not).
Adding = Callable[[Call, Record, str], Callable[[Record], Record]]


@dataclass(frozen=True)
class IncludedApplications:
    """The sub-collection of the owners stored in ``collection`` and addressed at ``path``."""

    collection: str
    path: str
    missing: str  # the 404's reason when the app is not in the list
    adding: Adding

    def owner(self, call: Call) -> Record:
        owner_id = call.parameter("id")
        record = call.store.get(call.tenant, self.collection, owner_id)
        if record is None:
            raise ResourceNotFound(owner_id)
        return record

    def updated(self, call: Call, owner_id: str, change: Any) -> Record:
        updated = call.store.update(call.tenant, self.collection, owner_id, change)
        if updated is None:
            raise ResourceNotFound(owner_id)
        return updated

    def context(self, call: Call, record: Record, suffix: str = "") -> str:
        return call.context(f"{self.path}('{record['id']}')/{SUB_PATH}{suffix}")

    def list(self, call: Call) -> Reply:
        record = self.owner(call)
        value = [dict(item) for item in record["conditions"]["applications"]["includeApplications"]]
        return json_reply({"@odata.context": self.context(call, record), "value": value})

    def add(self, call: Call) -> Reply:
        record = self.owner(call)
        app_id = str(call.body()["appId"])
        self.updated(call, record["id"], self.adding(call, record, app_id))
        document = {"@odata.context": self.context(call, record, "/$entity"), "appId": app_id}
        location = call.url(f"{self.path}/{record['id']}/{SUB_PATH}/{app_id}")
        return json_reply(document, 201, {"Location": location})

    def get(self, call: Call) -> Reply:
        record = self.owner(call)
        found = find_application(record, call.parameter("appId"))
        if found is None:
            raise ResourceNotFound(call.parameter("appId"), reason=self.missing)
        return json_reply({"@odata.context": self.context(call, record, "/$entity"), **found})

    def remove(self, call: Call) -> Reply:
        record = self.owner(call)
        app_id = call.parameter("appId")
        if find_application(record, app_id) is None:
            raise ResourceNotFound(app_id, reason=self.missing)

        def change(current: Record) -> Record:
            return without_application(current, app_id) or current

        self.updated(call, record["id"], change)
        return no_content()
