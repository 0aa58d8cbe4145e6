"""The import graph of app/, sync/ and ui/ has no cycles: a module that needs another's code imports it, never
the other way round as well. Two graphs are checked. The module-level one must be acyclic, full stop. The one
that also counts imports inside functions (deferred for start-up time) may keep only the few cycles listed in
DEFERRED, each with why; a new one fails, and so does a listed one that is gone (so the list stays true)."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "sync", "ui")

# Cycles only through imports inside functions, kept on purpose:
DEFERRED = {
    # the plaintext-store upgrade reuses the store's open/export helpers; the store calls the upgrade on first open
    ("app.storage.db", "app.storage.plaintext"),
    # migrate.py autogenerates from storage.py's tables; storage's create_schema runs the migrations
    ("sync.server.migrate", "sync.server.storage"),
    # the duty check raises the op layer's refusal; the op layer applies it
    ("sync.server.duties", "sync.server.ops"),
}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "__pycache__" in parts or "migrations" in parts:
                continue
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported(tree: ast.Module, module_level: bool, modules: dict[str, Path]) -> Iterator[str]:
    """Absolute names imported; ``module_level`` skips imports inside functions and ``if TYPE_CHECKING``.
    ``from package import submodule`` counts as an import of the submodule only (a package is always loaded
    before its modules; that edge is no cycle of the code's making)."""
    nodes = [n for n in tree.body if not isinstance(n, ast.If)] if module_level else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            if not all(name in modules for name in names):
                yield node.module
            yield from names


@functools.cache
def _graph(module_level: bool) -> dict[str, set[str]]:
    """Parsed once per kind for the whole module (the callers only read it)."""
    modules = _modules()

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = {m for m in map(owner, _imported(tree, module_level, modules)) if m and m != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """Strongly connected components of more than one module (Tarjan), each as a sorted tuple."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.add(tuple(sorted(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_scan_sees_the_packages() -> None:
    graph = _graph(module_level=True)
    assert len(graph) > 100
    assert "ui.cli.parsing" in graph["ui.cli.cases"]
    assert "ui.actions" in graph["ui.views.queues"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {("a", "b", "c")}


def test_module_level_imports_have_no_cycles() -> None:
    assert _cycles(_graph(module_level=True)) == set()


def test_deferred_imports_add_only_the_known_cycles() -> None:
    assert _cycles(_graph(module_level=False)) == DEFERRED
