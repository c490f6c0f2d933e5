"""Figure 6: valid create bodies per second from ``mockgraph.strategies``, with and without certificates.

Baseline: a naive Hypothesis strategy of the same shape (text fields, random base64 for the blob) with
no domain knowledge, so the ratio shows what real URLs, type spellings and real PKCS#12 files cost.
Every generated body of the mockgraph strategies is checked against the create contract afterwards.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from benchmarks.harness import Figure, Settings, median_of
from mockgraph.core.contracts import shared_contracts
from mockgraph.strategies import create_bodies

NAME = "strategies"
TITLE = "6. Strategy speed: valid create bodies per second (Hypothesis, generate phase only)"


def naive_bodies(certificate: bool) -> st.SearchStrategy[dict[str, Any]]:
    if certificate:
        authentication = st.fixed_dictionaries(
            {
                "@odata.type": st.just("#microsoft.graph.pkcs12Certificate"),
                "pkcs12Value": st.binary(min_size=1, max_size=2048).map(
                    lambda b: base64.b64encode(b).decode()
                ),
                "password": st.text(),
            }
        )
    else:
        authentication = st.fixed_dictionaries(
            {
                "@odata.type": st.just("#microsoft.graph.basicAuthentication"),
                "username": st.text(),
                "password": st.text(),
            }
        )
    return st.fixed_dictionaries(
        {"displayName": st.text(), "targetUrl": st.text(), "authenticationConfiguration": authentication}
    )


def bodies_per_second(strategy: st.SearchStrategy[dict[str, Any]], examples: int) -> tuple[float, list[Any]]:
    seen: list[Any] = []

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(body: dict[str, Any]) -> None:
        seen.append(body)

    started = time.perf_counter()
    collect()
    return len(seen) / (time.perf_counter() - started), seen


def run(settings_: Settings) -> list[Figure]:
    examples = settings_.size(300, 100)
    runs = settings_.repeats(5)
    contracts = shared_contracts()
    figures: list[Figure] = []
    for label, kinds, certificate in (
        ("without certificates (basic)", ("basic",), False),
        ("with certificates (PKCS#12)", ("pkcs12",), True),
    ):
        rates: list[float] = []
        baseline_rates: list[float] = []
        for _ in range(runs):
            rate, bodies = bodies_per_second(create_bodies(authentication_kinds=kinds), examples)
            invalid = [b for b in bodies if not contracts.is_valid("identityApiConnectorCreate", b)]
            assert not invalid, invalid[:1]
            rates.append(rate)
            baseline_rates.append(bodies_per_second(naive_bodies(certificate), examples)[0])
        figures.append(
            Figure(
                TITLE,
                label,
                "bodies/s",
                median_of(rates),
                "naive same-shape strategy",
                median_of(baseline_rates),
                better="higher",
                note=f"{examples} examples per run, {runs} runs",
            )
        )
    return figures
