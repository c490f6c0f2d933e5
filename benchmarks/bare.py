"""The baseline: a bare Flask app doing the emulator's dict operations on the same URLs, with no checks.

No token check, no request validation, no contracts, no journal, no Graph headers: a JSON body in, a
uuid, a dict write, JSON out. Whatever the emulator costs beyond this app is its own overhead.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, Response, jsonify, request

COLLECTION_PATH = "/beta/identity/apiConnectors"


def create_bare_app() -> Flask:
    app = Flask("bare")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    records: dict[str, dict[str, Any]] = {}
    app.extensions["bare_records"] = records

    @app.post(COLLECTION_PATH)
    def create() -> tuple[Response, int]:
        record = dict(request.get_json(force=True))
        record["id"] = str(uuid.uuid4())
        records[record["id"]] = record
        return jsonify(record), 201

    @app.get(COLLECTION_PATH)
    def list_all() -> Response:
        return jsonify({"value": list(records.values())})

    @app.get(f"{COLLECTION_PATH}/<object_id>")
    def get(object_id: str) -> Response | tuple[Response, int]:
        record = records.get(object_id)
        if record is None:
            return jsonify({"error": {"code": "NotFound"}}), 404
        return jsonify(record)

    @app.patch(f"{COLLECTION_PATH}/<object_id>")
    def patch(object_id: str) -> Response | tuple[str, int]:
        records[object_id].update(request.get_json(force=True))
        return "", 204

    @app.delete(f"{COLLECTION_PATH}/<object_id>")
    def delete(object_id: str) -> tuple[str, int]:
        records.pop(object_id, None)
        return "", 204

    return app


def reset_bare(app: Flask) -> None:
    app.extensions["bare_records"].clear()
