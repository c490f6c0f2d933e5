"""The listener strategies: valid bodies pass each version's rule, each mistake breaks it, options are checked early.

Judged by the operation table's own body rule (what the emulator and the request checker run), without HTTP; the
HTTP round trips are in test_listeners_api.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mockgraph import strategies as mgst
from mockgraph.core.contracts import shared_contracts
from mockgraph.core.errors import InvalidRequestBody
from mockgraph.resources.listeners.table import TABLE
from mockgraph.testing.strategies.listeners import LISTENER_TYPE_NAMES

RULE = TABLE["CREATE_LISTENER"].body
assert RULE is not None
V1_TYPES = [name for name in LISTENER_TYPE_NAMES if name != "onPhoneMethodLoadStartListener"]


def check(version: str, body: dict[str, Any]) -> dict[str, Any]:
    assert RULE is not None
    return RULE.on(version).check(shared_contracts(), body)


@pytest.mark.parametrize(
    ("version", "listener_type"),
    [("v1.0", name) for name in V1_TYPES] + [("beta", name) for name in LISTENER_TYPE_NAMES],
)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_valid_bodies_pass_the_versions_rule(version: str, listener_type: str, data: st.DataObject) -> None:
    body = data.draw(mgst.listener_bodies(version=version, listener_types=[listener_type]))
    assert body["@odata.type"].lstrip("#") == f"microsoft.graph.{listener_type}"
    assert check(version, body) is body


@pytest.mark.parametrize(
    ("version", "kind"),
    [("v1.0", kind) for kind in mgst.InvalidListenerKind]
    + [("beta", kind) for kind in mgst.InvalidListenerKind if kind != "beta-only-on-v1"],
)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_each_mistake_breaks_the_versions_rule(
    version: str, kind: mgst.InvalidListenerKind, data: st.DataObject
) -> None:
    body = data.draw(mgst.invalid_listener_bodies(kind=kind, version=version))
    with pytest.raises(InvalidRequestBody):
        check(version, body)


def test_extension_ids_are_used_and_extension_reference_reads_them() -> None:
    ids = {"onOtpSendCustomExtension": "otp-id"}

    @settings(max_examples=10)
    @given(mgst.listener_bodies(listener_types=["onEmailOtpSendListener"], extension_ids=ids))
    def named(body: dict[str, Any]) -> None:
        assert mgst.extension_reference(body) == ("#microsoft.graph.onOtpSendCustomExtension", "otp-id")

    @settings(max_examples=10)
    @given(
        mgst.listener_bodies(
            listener_types=["onInteractiveAuthFlowStartListener", "onUserCreateStartListener"]
        )
    )
    def none(body: dict[str, Any]) -> None:
        assert mgst.extension_reference(body) is None

    named()
    none()


@pytest.mark.parametrize(
    "options",
    [
        {"version": "v2.0"},
        {"listener_types": []},
        {"listener_types": "onTokenIssuanceStartListener"},
        {"listener_types": ["onNothingListener"]},
        {"listener_types": ["onPhoneMethodLoadStartListener"]},  # beta only
    ],
    ids=["version", "no types", "a string", "unknown type", "beta type on v1.0"],
)
def test_bad_options_are_refused_when_the_strategy_is_built(options: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        mgst.listener_bodies(**options)


@pytest.mark.parametrize(
    "options",
    [
        {"kind": "nope"},
        {"kind": "beta-only-on-v1", "version": "beta"},
        {"kind": "out-of-range", "listener_types": ["onUserCreateStartListener"]},
    ],
    ids=["unknown kind", "beta-only on beta", "nothing out of range"],
)
def test_kinds_that_cannot_be_made_are_refused_when_the_strategy_is_built(options: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        mgst.invalid_listener_bodies(**options)
