"""Figure 5: get and list latency and memory with 10, 1,000 and 100,000 connectors spread over tenants.

The store is seeded directly (``store.load``) with 20 connectors per tenant (Graph's per-tenant limit);
requests go through the Flask test client in ``enforce`` mode with real tokens for a sample of tenants.
The baseline of each latency is the same measurement at 10 connectors; the baseline of memory per
connector is the size of that connector's JSON text.
"""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from benchmarks.harness import Figure, Settings, median_of
from benchmarks.lifecycle import create_body
from mockgraph import create_app
from mockgraph.core.config import DEFAULT_TENANT_ID, MockGraphConfig, Tenant, default_tenants
from mockgraph.resources.connectors import model as connectors
from mockgraph.resources.connectors.model import COLLECTION
from mockgraph.storage.store import MemoryStore
from mockgraph.testing.testkit import Tokens
from mockgraph.web.state import state_of

NAME = "scale"
TITLE = "5. Scale: connectors spread over tenants (20 per tenant), Flask test client, enforce"
PER_TENANT = 20
SAMPLED_TENANTS = 25


def tenant_id(index: int) -> str:
    return DEFAULT_TENANT_ID if index == 0 else f"{index:08x}-0000-4000-8000-00000000b0b0"


def snapshot(total: int) -> dict[str, dict[str, list[dict[str, Any]]]]:
    tenants: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for index in range(total):
        record = connectors.new_record(create_body(index))
        tenants.setdefault(tenant_id(index // PER_TENANT), {}).setdefault(COLLECTION, []).append(record)
    return tenants


def rss_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def rss_growth_per_connector(total: int) -> float:
    """Resident-set growth per connector of a store loaded with ``total``, in a fresh process (in this
    one, memory freed by earlier sizes would be reused and hide the growth)."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--rss", str(total)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip().splitlines()[-1]) / total


def _rss_growth(total: int) -> int:
    gc.collect()
    before = rss_bytes()
    store = MemoryStore()
    seeded = snapshot(total)
    store.load(seeded)
    del seeded  # the store keeps its own copies; the freed seed may stay in the process (an upper bound)
    gc.collect()
    return rss_bytes() - before


def sample_tenants(total: int) -> list[str]:
    tenant_count = -(-total // PER_TENANT)
    picked = random.Random(total).sample(range(tenant_count), min(SAMPLED_TENANTS, tenant_count))
    return [tenant_id(index) for index in picked]


def config_for(sampled: list[str], state_path: Path | None = None) -> MockGraphConfig:
    tenants = (*default_tenants(), *(Tenant(t) for t in sampled if t != DEFAULT_TENANT_ID))
    return MockGraphConfig(tenants=tenants, state_path=state_path)


@dataclass
class Seeded:
    """One seeded app, the ids of its sampled tenants' connectors, and those tenants' request headers."""

    app: Flask
    kept: dict[str, list[str]]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.headers = {t: Tokens(self.app, tenant_id=t).headers() for t in self.kept}
        self.targets = [(t, object_id) for t in self.kept for object_id in self.kept[t]]
        random.Random(0).shuffle(self.targets)
        self.client = self.app.test_client()
        for tenant in self.kept:  # warm-up: the first verification of each token
            self.client.get("/beta/identity/apiConnectors", headers=self.headers[tenant])

    def gets(self, count: int, offset: int) -> list[float]:
        timings: list[float] = []
        for index in range(offset, offset + count):
            tenant, object_id = self.targets[index % len(self.targets)]
            started = time.perf_counter()
            response = self.client.get(
                f"/beta/identity/apiConnectors/{object_id}", headers=self.headers[tenant]
            )
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.get_json()
        return timings

    def lists(self, count: int, offset: int) -> list[float]:
        timings: list[float] = []
        tenants = sorted(self.kept)
        for index in range(offset, offset + count):
            tenant = tenants[index % len(tenants)]
            started = time.perf_counter()
            response = self.client.get("/beta/identity/apiConnectors", headers=self.headers[tenant])
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
            assert len(response.get_json()["value"]) == len(self.kept[tenant])
        return timings


def latencies(seeded: dict[int, Seeded], samples: int, rounds: int = 6) -> dict[int, dict[str, float]]:
    """Median get and list seconds per size, the sizes taking turns in rounds so drift hits them alike."""
    gets: dict[int, list[float]] = {size: [] for size in seeded}
    lists: dict[int, list[float]] = {size: [] for size in seeded}
    per_round = max(samples // rounds, 1)
    for number in range(rounds):
        for size, one in seeded.items():
            gets[size] += one.gets(per_round, number * per_round)
            lists[size] += one.lists(max(per_round // 4, 1), number * per_round)
    return {size: {"get": median_of(gets[size]), "list": median_of(lists[size])} for size in seeded}


def measure(total: int) -> tuple[Seeded, dict[str, float]]:
    """The in-memory store: latencies, traced memory and RSS growth per connector."""
    sampled = sample_tenants(total)
    rss_growth = rss_growth_per_connector(total)
    app = create_app(config_for(sampled))
    # Traced from before the records exist to after the seed is dropped: what the store retains.
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    seeded = snapshot(total)
    kept = {t: [record["id"] for record in seeded[t][COLLECTION]] for t in sampled}
    record_json = json.dumps(seeded[sampled[0]][COLLECTION][0], separators=(",", ":"))
    state_of(app).store.load(seeded)
    del seeded
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Seeded(app, kept), {
        "traced_per_connector": (after - before) / total,
        "rss_per_connector": rss_growth,
        "json_bytes": len(record_json),
    }


def measure_sqlite(total: int, folder: Path) -> tuple[Seeded, dict[str, float]]:
    """The SQLite state file (``mockgraph serve --state``) in ``folder``: the seeded app and file size per connector."""
    sampled = sample_tenants(total)
    app = create_app(config_for(sampled, folder / "state.db"))
    seeded = snapshot(total)
    kept = {t: [record["id"] for record in seeded[t][COLLECTION]] for t in sampled}
    state_of(app).store.load(seeded)
    del seeded
    on_disk = sum(path.stat().st_size for path in folder.glob("state.db*"))
    return Seeded(app, kept), {"disk_per_connector": on_disk / total}


def run(settings: Settings) -> list[Figure]:
    sizes = [10, 1_000, settings.size(100_000, 10_000)]
    samples = settings.size(600, 200)
    in_memory = {size: measure(size) for size in sizes}
    with tempfile.TemporaryDirectory() as folder:
        folders = {size: Path(folder) / str(size) for size in sizes}
        for path in folders.values():
            path.mkdir()
        filed = {size: measure_sqlite(size, folders[size]) for size in sizes}
        memory_times = latencies({size: seeded for size, (seeded, _) in in_memory.items()}, samples)
        file_times = latencies({size: seeded for size, (seeded, _) in filed.items()}, samples)
    results = {size: {**memory_times[size], **in_memory[size][1]} for size in sizes}
    on_file = {size: {**file_times[size], **filed[size][1]} for size in sizes}
    base, file_base = results[sizes[0]], on_file[sizes[0]]
    figures: list[Figure] = []
    for size in sizes:
        result, file_result = results[size], on_file[size]
        listed = f"a tenant's {min(size, PER_TENANT)}"
        figures += [
            Figure(TITLE, f"get @ {size:,} connectors", "s", result["get"], "get @ 10", base["get"]),
            Figure(
                TITLE,
                f"list ({listed}) @ {size:,} connectors",
                "s",
                result["list"],
                "list @ 10",
                base["list"],
            ),
            Figure(
                TITLE,
                f"memory per connector @ {size:,} (tracemalloc)",
                "B",
                result["traced_per_connector"],
                "its JSON text",
                result["json_bytes"],
                note=f"RSS growth per connector: {result['rss_per_connector']:.0f} B" if size >= 1000 else "",
            ),
            Figure(
                TITLE,
                f"SQLite state: get @ {size:,}",
                "s",
                file_result["get"],
                "SQLite get @ 10",
                file_base["get"],
            ),
            Figure(
                TITLE,
                f"SQLite state: list ({listed}) @ {size:,}",
                "s",
                file_result["list"],
                "SQLite list @ 10",
                file_base["list"],
            ),
            Figure(
                TITLE,
                f"SQLite state: file bytes per connector @ {size:,}",
                "B",
                file_result["disk_per_connector"],
                "its JSON text",
                result["json_bytes"],
            ),
        ]
    return figures


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--rss":
        print(_rss_growth(int(sys.argv[2])))
