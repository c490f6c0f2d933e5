"""``POST /_mockgraph/simulate``: simulate a sign-up through a stored user flow, calling the connectors' real URLs."""

from __future__ import annotations

from flask import Response

from mockgraph.signup import HttpTransport, Simulator
from mockgraph.signup.documents import read_simulation
from mockgraph.web.http import json_response, read_json_body
from mockgraph.web.state import current_state

SIMULATE_PATH = "/_mockgraph/simulate"  # served by the admin blueprint (mockgraph.admin.routes)


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
