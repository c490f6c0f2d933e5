"""New object ids (mockgraph.core.ids): the string ``str(uuid.uuid4())`` gives for the same random bytes."""

from __future__ import annotations

import os
import uuid

import pytest

from mockgraph.core import ids
from mockgraph.core.ids import new_object_id


def test_an_id_is_what_uuid4_writes_for_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw in [bytes(16), b"\xff" * 16, bytes(range(16)), *(os.urandom(16) for _ in range(200))]:
        monkeypatch.setattr(ids.os, "urandom", lambda size, raw=raw: raw[:size])
        assert new_object_id() == str(uuid.UUID(bytes=raw, version=4))


def test_ids_are_canonical_random_version_4_guids() -> None:
    made = [new_object_id() for _ in range(2000)]
    assert len(set(made)) == len(made)
    for text in made[:200]:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
