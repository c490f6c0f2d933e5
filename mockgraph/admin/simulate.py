"""``POST /_mockgraph/simulate``: simulate a sign-up through a stored user flow, calling the connectors' real URLs.

``POST /_mockgraph/simulate/extension``: call a custom authentication extension as Entra does (one call, or a
whole sign-up or sign-in through an events flow), with a token this emulator's key signs.
"""

from __future__ import annotations

from flask import Response

from mockgraph.callouts import ExtensionSimulator
from mockgraph.callouts.documents import read_request
from mockgraph.core.errors import InvalidRequest
from mockgraph.signup import HttpTransport, Simulator
from mockgraph.signup.documents import read_simulation
from mockgraph.web.http import json_response, read_json_body
from mockgraph.web.state import current_state

SIMULATE_PATH = "/_mockgraph/simulate"  # served by the admin blueprint (mockgraph.admin.routes)
EXTENSION_PATH = "/_mockgraph/simulate/extension"  # likewise


def simulate() -> Response:
    """One step (``step`` given) or the whole sign-up; the answer is the outcome, or every step's outcome."""
    state = current_state()
    simulation = read_simulation(read_json_body(state.config.max_body_bytes))
    tenant = simulation.tenant_id or state.gatekeeper.directory.default_tenant_id
    simulator = Simulator(
        state.store,
        tenant_id=tenant.lower(),
        transport=HttpTransport(verify=simulation.verify_tls),
        clock=state.now,
    )
    if simulation.step is None:
        return json_response(
            simulator.sign_up(simulation.user_flow_id, simulation.user, simulation.settings).to_json()
        )
    outcome = simulator.simulate_step(
        simulation.user_flow_id, simulation.step, simulation.user, simulation.settings
    )
    return json_response(outcome.to_json())


def simulate_extension() -> Response:
    """One callout (``target``) or a walk (``flow``); the answer is the outcome or the walk, and the journal."""
    state = current_state()
    wanted = read_request(read_json_body(state.config.max_body_bytes))
    simulator = ExtensionSimulator(
        state.gatekeeper.tokens,
        transport=HttpTransport(verify=wanted.verify_tls),
        settings=wanted.settings,
        clock=state.now,
    )
    try:
        if wanted.target is not None:
            document = simulator.call(wanted.target, wanted.session).to_json()
        else:
            assert wanted.flow is not None
            assert wanted.journey is not None
            document = simulator.run(wanted.flow, wanted.journey).to_json()
    except ValueError as error:  # the session lacks what the event sends, or the flow refuses the journey
        raise InvalidRequest(str(error), reason=f"callout simulation: {error}") from None
    return json_response({**document, "journal": simulator.journal.export()})
