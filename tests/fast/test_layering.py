"""Imports point one way (docs/ARCHITECTURE.md, "Layers"), and no module imports itself back.

Each module of `app/` belongs to one layer; it may import its own layer and the layers below,
never a layer above. The check reads every import statement, inside functions too: an import
deferred to run time is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"

# Lowest first. A module belongs to the layer of the longest prefix that names it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("rules", ("app.rules",)),
    ("foundation", ("app.clock", "app.config", "app.token_cipher", "app.logs", "app.outside_http")),
    ("charts", ("app.charts",)),  # trend charts drawn as PNG (matplotlib, headless)
    ("store", ("app.db", "app.deps", "app.observability")),
    ("services", ("app.services",)),
    ("recorder", ("app.recorder",)),  # the call recorder (Gong): read into the database
    ("crm", ("app.crm",)),  # the CRM (Salesforce, HubSpot): deals in, the drill written back
    ("slack", ("app.slack",)),
    ("delivery", ("app.delivery",)),
    ("runtime", ("app.slack.runtime",)),
    ("listeners", ("app.slack.listeners",)),
    ("assembly", ("app.slack.bolt_app",)),
    ("process", ("app", "app.web", "app.server")),
    ("stand-ins", ("app.sandbox", "app.demo")),  # the local Slack and `coach demo`
    ("entry", ("app.cli", "app.__main__")),  # the `coach` command runs any of the above
)
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}

# Narrower rules inside a layer: these modules may import only what is listed.
ONLY = {
    # pure rules: nothing from the app but other rules
    "app.rules": ("app.rules",),
    # charts draw plain data: rules in, PNG bytes out
    "app.charts": ("app.rules", "app.charts"),
    # the routing table is pure: kinds and ids in, whatever a route holds out
    "app.slack.routes": ("app.slack.routes",),
    # renderers draw plain data: no database, no settings, no Slack calls
    "app.slack.render": (
        "app.rules",
        "app.services",
        "app.slack.render",
        "app.slack.ids",
        "app.slack.metadata",
    ),
}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> str:
    matches = [
        (len(prefix), name)
        for name, prefixes in LAYERS
        for prefix in prefixes
        if within(module, prefix)
    ]
    return max(matches)[1]


def imports_of(path: Path, known: Iterable[str]) -> set[str]:
    """The app modules `path` imports, anywhere in it (`from app.x import y` names `app.x.y`
    when that is a module)."""
    names = set(known)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in names else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if within(name, "app")}


def import_graph(app: Path = APP, root: Path = ROOT) -> dict[str, set[str]]:
    paths = {module_name(p, root): p for p in sorted(app.rglob("*.py"))}
    return {name: imports_of(path, paths) & set(paths) for name, path in paths.items()}


def back_edges(graph: Mapping[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            if RANK[layer_of(target)] > RANK[layer_of(module)]:
                found.append(f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})")
            for prefix, allowed in ONLY.items():
                if within(module, prefix) and not any(within(target, a) for a in allowed):
                    found.append(f"{module} may import only {', '.join(allowed)}: not {target}")
    return found


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), and self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_module_has_a_layer() -> None:
    assert all(layer_of(module) for module in import_graph())


def test_imports_point_down_the_layers() -> None:
    assert back_edges(import_graph()) == []


def test_no_import_cycle_in_app() -> None:
    assert cycles(import_graph()) == []


def write(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "app"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (  # a rule that reaches for the store
            {"app/rules/x.py": "from app.db.store import Store\n", "app/db/store.py": ""},
            ["app.rules.x (rules) imports app.db.store (store)", "app.rules.x may import only"],
        ),
        (  # a service that imports Slack inside a function
            {
                "app/services/s.py": "def f():\n    from app.slack import client\n",
                "app/slack/client.py": "",
            },
            ["app.services.s (services) imports app.slack.client (slack)"],
        ),
        (  # a renderer that reads settings
            {"app/slack/render/r.py": "import app.config\n", "app/config.py": ""},
            ["app.slack.render.r may import only"],
        ),
    ],
)
def test_the_checker_sees_a_back_edge(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    found = back_edges(import_graph(write(tmp_path, files), tmp_path))
    assert len(found) == len(expected)
    assert all(line.startswith(start) for line, start in zip(found, expected, strict=True))


def test_the_checker_sees_a_cycle(tmp_path: Path) -> None:
    app = write(
        tmp_path,
        {
            "app/services/a.py": "from app.services import b\n",
            "app/services/b.py": "def f():\n    from app.services.a import g\n",
            "app/services/c.py": "from app.services import a\n",
        },
    )
    assert cycles(import_graph(app, tmp_path)) == [["app.services.a", "app.services.b"]]
