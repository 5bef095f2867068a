"""The packages of `src/zapdesk` form layers: no import cycle among them, and the database layer never imports
the HTTP layer (STYLE rule 11). Read from the source's own import statements, type-checking ones included."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import zapdesk

SOURCE = Path(zapdesk.__file__).parent


def _imported_modules(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "zapdesk":
                yield from (f"zapdesk.{alias.name}" for alias in node.names)
            else:
                yield node.module


def package_imports() -> dict[str, dict[str, set[str]]]:
    """For each top-level package (or module) of zapdesk: the others it imports, each with the files that do."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        package = relative.parts[0].removesuffix(".py")
        graph.setdefault(package, {})
        for module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            parts = module.split(".")
            if parts[0] == "zapdesk" and len(parts) > 1 and parts[1] != package:
                graph[package].setdefault(parts[1], set()).add(str(relative))
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _describe(group: list[str], graph: dict[str, dict[str, set[str]]]) -> str:
    edges = [
        f"  {source} -> {target} ({', '.join(sorted(graph[source][target]))})"
        for source in group
        for target in sorted(graph[source])
        if target in group
    ]
    return " ↔ ".join(group) + ":\n" + "\n".join(edges)


def test_no_package_imports_another_that_imports_it_back() -> None:
    graph = package_imports()
    assert {"api", "db", "tickets", "kit"} <= set(graph)  # the scan sees the packages
    assert "db" in graph["tickets"]  # and their imports
    found = cycles(graph)
    assert found == [], "import cycles between packages:\n" + "\n".join(_describe(group, graph) for group in found)


def test_the_database_layer_never_imports_the_http_layer() -> None:
    assert "api" not in package_imports()["db"]


def test_the_cycle_finder_finds_a_cycle_of_three() -> None:
    looped = {"a": {"b": {"a.py"}}, "b": {"c": {"b.py"}}, "c": {"a": {"c.py"}}, "d": {"a": {"d.py"}}}
    assert cycles(looped) == [["a", "b", "c"]]
