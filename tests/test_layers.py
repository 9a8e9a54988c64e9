"""The package's folders are the pipeline's steps, and imports only go down.

Every module's imports are read from its source — at module level, inside functions and under
``TYPE_CHECKING`` alike — and checked against the layer order of DESIGN.md:

    foundations (errors, atomic, units, stats, kpis, queueing, dists) < scenario < model
    < experiment < decide < present, io < study, calibration < cli

An import from a lower layer to a higher one fails, and so does any import loop, even one that
only closes through a lazy (in-function) import. The allow-list is empty and must stay so.
"""

from __future__ import annotations

import ast
from pathlib import Path

import autosim

PACKAGE = Path(autosim.__file__).parent

#: Layer of each top-level name under ``autosim`` (a module or a sub-package).
LAYERS = {
    "errors": 0,
    "atomic": 0,
    "units": 0,
    "stats": 0,
    "kpis": 0,
    "queueing": 0,
    "dists": 0,
    "scenario": 1,
    "model": 2,
    "experiment": 3,
    "decide": 4,
    "present": 5,
    "io": 5,
    "study": 6,
    "calibration": 6,
    "cli": 7,
}
TOP = 8  # autosim/__init__.py re-exports the public API from every layer

#: Imports that break the rules on purpose. Empty: keep it so.
ALLOWED: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return TOP
    return LAYERS[parts[1]]


def imports_of(module: str) -> set[str]:
    """Every autosim module that ``module`` imports, wherever the import statement sits."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import: resolve against this module's package
                package = module.split(".")
                if MODULES[module].name != "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *([base] if base else [])])
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES and "." in name:
                name = name.rsplit(".", 1)[0]
            if name in MODULES and name != module:
                found.add(name)
    return found


GRAPH = {m: imports_of(m) for m in MODULES}


def test_every_top_level_name_has_a_layer():
    tops = {m.split(".")[1] for m in MODULES if m.count(".") >= 1}
    assert tops <= set(LAYERS), f"modules outside the layer map: {sorted(tops - set(LAYERS))}"


def test_imports_only_go_down():
    upward = sorted(
        f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)})"
        for a, targets in GRAPH.items()
        for b in targets
        if layer(b) > layer(a) and (a, b) not in ALLOWED
    )
    assert not upward, "imports from a lower layer to a higher one:\n" + "\n".join(upward)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; returns the components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_no_import_loops():
    loops = strongly_connected(GRAPH)
    assert not loops, "import loops:\n" + "\n".join(" <-> ".join(c) for c in loops)


def test_loop_finder_finds_a_loop():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_modules_stay_small():
    big = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > 500}
    assert not big, f"modules over 500 lines (split them by responsibility): {big}"
