"""The folder list is the pipeline: language → packs → compiler → runtime → engine → the tools
around it (explanations, audits, authoring, the decision log) → batches → the faces that serve
other systems (the HTTP service, Dask) → the command line.

A module may import from its own folder, from the folders to its left, and from the ground
(the small modules every stage shares). Folders of one tier are siblings: none imports another.
This test reads every module's imports and keeps that true; ``docs/architecture.md`` draws it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import govrules

PACKAGE = Path(govrules.__file__).parent
GROUND = ("errors", "spans", "citations", "values", "calendar", "canonical", "versions", "records")
TIERS = (
    ("language",),
    ("packs",),
    ("compiler",),
    ("runtime",),
    ("engine",),
    ("explain", "audit", "authoring", "decisionlog", "columnar"),
    ("batch",),
    ("service", "dask"),
    ("cli",),
)
# The surface at the top: the public API and ``python -m govrules``; they may import anything.
SURFACE = ("__init__", "__main__")
TIER_OF = {stage: tier for tier, stages in enumerate(TIERS) for stage in stages}
# A module longer than this says why in a comment near its top (within REASON_WITHIN lines)
# that starts with REASON.
MAX_LINES = 400
REASON = "# Longer than 400 lines because"
REASON_WITHIN = 30


def _stage(path: Path) -> str:
    """The folder a module lives in, or its own name for a module at the top of the package."""
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def _imported_modules(path: Path) -> set[str]:
    """Every ``govrules.x.y`` a module imports, as the dotted path below ``govrules``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "govrules":
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith("govrules."):
            found.add(node.module.removeprefix("govrules."))
        elif isinstance(node, ast.Import):
            found.update(alias.name.removeprefix("govrules.") for alias in node.names
                         if alias.name.startswith("govrules."))
    return found


def _imported_stages(path: Path) -> set[str]:
    return {module.split(".")[0] for module in _imported_modules(path)}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_imports_point_left() -> None:
    problems = []
    for path in _modules():
        stage = _stage(path)
        if stage in SURFACE:
            continue  # the public surface gathers from every stage
        for imported in _imported_stages(path) - set(GROUND) - {stage}:
            if stage in GROUND:
                problems.append(f"{path.relative_to(PACKAGE)}: the ground imports {imported}")
            elif TIER_OF[imported] >= TIER_OF[stage]:
                problems.append(f"{path.relative_to(PACKAGE)} imports {imported}, which is not "
                                "to its left")
    assert problems == []


def test_expression_language_knows_nothing_of_policies() -> None:
    for path in (PACKAGE / "language" / "expr").rglob("*.py"):
        imported = _imported_modules(path)
        outside = {m for m in imported
                   if not m.startswith("language.expr") and m.split(".")[0] not in GROUND}
        assert outside == set(), path.name


def test_trace_knows_nothing_of_rendering() -> None:
    assert _imported_modules(PACKAGE / "runtime" / "trace.py") == set()


def test_every_module_has_a_place() -> None:
    stages = {_stage(path) for path in _modules()}
    assert stages <= set(GROUND) | set(TIER_OF) | set(SURFACE)
    for folder in (p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        assert folder.name in TIER_OF, f"the folder {folder.name}/ has no place in TIERS"


def test_long_modules_say_why() -> None:
    unexplained = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) <= MAX_LINES:
            continue
        if not any(line.startswith(REASON) for line in lines[:REASON_WITHIN]):
            unexplained.append(f"{path.relative_to(PACKAGE)}: {len(lines)} lines")
    assert unexplained == [], f"split these modules, or say why at the top ('{REASON} ...')"
