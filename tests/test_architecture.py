"""The data flows one way: loader → schema → compile → policy → engine → decision → render.

A module may import only from stages to its left and from the small shared modules; this test
reads every module's imports and keeps that true.
"""

from __future__ import annotations

import ast
from pathlib import Path

import govrules

PACKAGE = Path(govrules.__file__).parent
SHARED = {"errors", "spans", "citations", "values"}
# stage rank: a module may import modules of a lower or equal rank (and shared modules)
RANK = {
    "_yaml": 1, "schema": 2, "schema_errors": 2, "sources": 3,
    "expr": 3, "calendar": 2, "compile": 4, "policy": 4, "casemodel": 5, "trace": 5,
    "decision": 5, "lint": 5, "loading": 6, "evaluation": 6, "engine": 7, "testing": 8,
    "render": 8, "review": 8, "verify": 8, "whynot": 8, "cli": 9, "__init__": 10,
}


def _module(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    return relative.parts[0]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith("govrules."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("govrules."):
                    found.add(alias.name.split(".")[1])
    return found


def test_imports_point_left() -> None:
    problems = []
    for path in PACKAGE.rglob("*.py"):
        module = _module(path)
        for imported in _imports(path) - SHARED - {module}:
            if RANK[imported] > RANK[module]:
                problems.append(f"{path.relative_to(PACKAGE)} imports {imported}")
    assert problems == []


def test_expression_language_knows_nothing_of_policies() -> None:
    for path in (PACKAGE / "expr").rglob("*.py"):
        assert _imports(path) <= {"expr", "calendar", "errors", "values"}, path.name


def test_trace_knows_nothing_of_rendering() -> None:
    assert _imports(PACKAGE / "trace.py") == set()


def test_every_module_is_ranked() -> None:
    modules = {_module(path) for path in PACKAGE.rglob("*.py")} - SHARED
    assert modules <= set(RANK)
