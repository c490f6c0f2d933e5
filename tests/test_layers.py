"""The package's layers, as enforced: imports run one way, no cycles, no Flask in the domain layers.

Layers, low to high (a module may import its own layer and the layers below it):

    0 core                      errors, config, contracts, certificates, operation types, query options
    1 storage, identity         the Store protocol and its stores; tokens, keys, verification, decisions
    2 web                       per-app state, routing, dispatch, HTTP helpers, hooks, journal, faults, Entra
    3 resources                 one package per Graph resource: table, model, views
    4 signup, callouts          the sign-up simulator; custom authentication extension callouts
    5 admin                     the /_mockgraph API, seed and snapshot, the served OpenAPI
    6 app                       create_app, the composition root
    7 testing, server, verify, cli, and the top-level entry points

The verifier must be able to judge a real tenant, so it may import only core and the resource tables.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mockgraph"
RANKS = {
    "core": 0,
    "storage": 1,
    "identity": 1,
    "web": 2,
    "resources": 3,
    "signup": 4,
    "callouts": 4,
    "admin": 5,
    "app": 6,
    "testing": 7,
    "server": 7,
    "verify": 7,
    "cli": 7,
    "pytest_plugin": 7,
    "strategies": 7,
    "__init__": 7,
    "__main__": 7,
}
DOMAIN = ("core", "storage", "identity", "resources")
FRAMEWORKS = ("flask", "werkzeug")
VERIFY_MAY_IMPORT = ("mockgraph.core", "mockgraph.resources", "mockgraph.verify")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path, *, module_level_only: bool = False) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in ``path``; relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.If) and module_level_only:
            continue  # ``if TYPE_CHECKING:`` blocks do not run
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            base = node.module
            if node.level:
                anchor = module_name(path).split(".")
                base = ".".join([*anchor[: len(anchor) - node.level + (path.name == "__init__.py")], base])
            yield base, node.lineno
            for alias in node.names:  # ``from mockgraph.x import y`` may name a module y
                candidate = f"{base}.{alias.name}"
                if _is_module(candidate):
                    yield candidate, node.lineno


def _is_module(name: str) -> bool:
    if not name.startswith("mockgraph"):
        return False
    relative = Path(*name.split("."))
    return (PACKAGE.parent / relative).with_suffix(".py").is_file() or (PACKAGE.parent / relative).is_dir()


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_known_layer() -> None:
    unknown = {layer_of(module_name(path)) for path in SOURCES} - set(RANKS)
    assert not unknown, f"add these to the layer table (and the docstring): {unknown}"


def test_at_most_twelve_modules_stay_at_the_top() -> None:
    top = [path.name for path in PACKAGE.glob("*.py")]
    assert len(top) <= 12, top


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_downwards(path: Path) -> None:
    here = module_name(path)
    rank = RANKS[layer_of(here)]
    upward = [
        f"line {line}: {target}"
        for target, line in imports(path)
        if target.startswith("mockgraph.") and RANKS[layer_of(target)] > rank
    ]
    assert not upward, f"{here} (layer {layer_of(here)}) imports a higher layer: {upward}"


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if layer_of(module_name(p)) in DOMAIN],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_domain_layers_never_name_the_web_framework(path: Path) -> None:
    named = [f"line {line}: {target}" for target, line in imports(path) if target.split(".")[0] in FRAMEWORKS]
    assert not named, f"{module_name(path)} imports {named}"


@pytest.mark.parametrize(
    "path", sorted((PACKAGE / "verify").rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_the_verifier_imports_only_core_and_the_tables(path: Path) -> None:
    outside = [
        f"line {line}: {target}"
        for target, line in imports(path)
        if target.startswith("mockgraph.") and not target.startswith(VERIFY_MAY_IMPORT)
    ]
    assert not outside, f"{module_name(path)} imports {outside}"


def test_no_import_cycle_at_module_level() -> None:
    graph: dict[str, set[str]] = {}
    for path in SOURCES:
        graph[module_name(path)] = {
            target for target, _ in imports(path, module_level_only=True) if target.startswith("mockgraph.")
        }
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            # importing a package runs its __init__: a cycle through a parent package is a cycle too
            if state.get(target) == 1 and not node.startswith(target + "."):
                return [*stack[stack.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            assert cycle is None, " -> ".join(cycle or [])


def test_the_domain_and_the_tables_load_without_flask() -> None:
    # Transitive: a module that imports no framework itself could still load one through another.
    code = (
        "import sys\n"
        "import mockgraph.core.operations, mockgraph.core.contracts, mockgraph.storage.sqlite\n"
        "import mockgraph.identity, mockgraph.resources, mockgraph.verify.scenarios\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
