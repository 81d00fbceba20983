"""Compile a policy file, stage by stage, top to bottom.

    names → declarations → rules → defaults → conflicts → order → freeze

Each stage adds diagnostics to the shared ``Compilation`` instead of stopping, so that an
author sees every problem of a file in one run. The result is a ``CompiledPolicy`` or a
``PolicyLoadError`` listing them all.

    compiled = compile_policy(model, path="policies/x.yaml", sources=library, raw=b"...")
"""

from __future__ import annotations

from govrules.compiler import conflicts, declarations, defaults, freeze, names, order, rules
from govrules.compiler.context import Compilation
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import PolicyLoadError
from govrules.language.files import PolicyModel
from govrules.language.sources import SourceLibrary
from govrules.packs.manifest import PackRef

__all__ = ["compile_policy"]


def compile_policy(
    model: PolicyModel, path: str, sources: SourceLibrary, raw: bytes, pack: PackRef | None = None
) -> CompiledPolicy:
    """Check and compile ``model`` (read from ``path``, in ``pack``); raise ``PolicyLoadError``
    on problems."""
    work = Compilation(model, path, sources, pack)

    names.resolve_sources(work)
    declared = names.declare(work)
    names.check_outcomes(work)
    interpretations = names.interpretations(work)
    names.check_report_missing(work)
    names.check_test_outcomes(work)
    names.check_other_laws(work)
    declarations.check_effective(work)

    inputs = declarations.compile_inputs(work, declared.inputs)
    parameters = declarations.compile_parameters(work, declared.parameters)
    drafts = rules.compile_rules(work, interpretations)
    drafts += defaults.else_branches(work, drafts)
    drafts += defaults.default_values(work, declared)
    conflicts.check_conflicts(work, drafts)
    ordered = order.order(work, drafts)
    if work.problems:
        raise PolicyLoadError(work.problems)

    return freeze.freeze(work, declared, inputs, parameters, ordered, interpretations, raw)
