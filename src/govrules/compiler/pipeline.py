"""Compile a policy file, stage by stage, top to bottom.

    names → declarations → rules → defaults → conflicts → order → freeze

Each stage adds diagnostics to the shared ``Compilation`` instead of stopping, so that an
author sees every problem of a file in one run. The result is a ``CompiledPolicy`` or a
``PolicyLoadError`` listing them all.

    compiled = compile_policy(model, path="policies/x.yaml", sources=library, raw=b"...")
    compiled, conditions = compile_policy_and_conditions(model, path, library, raw)

The second form also gives the checked ``required_when`` condition of each input, the one part
of a compiled policy held as a closure (``CompiledInput.required_when``): the compiled cache
keeps the tree and compiles it again when it restores the policy (``compiler/cache.py``).
"""

from __future__ import annotations

from govrules.compiler import conflicts, declarations, defaults, freeze, names, order, rules
from govrules.compiler.context import Compilation, InputsOnly
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import PolicyLoadError
from govrules.language.collector import collector_paused
from govrules.language.expr import Checked
from govrules.language.files import PolicyModel
from govrules.language.sources import SourceLibrary
from govrules.packs.manifest import PackRef

__all__ = ["compile_policy", "compile_policy_and_conditions"]


def compile_policy(
    model: PolicyModel, path: str, sources: SourceLibrary, raw: bytes, pack: PackRef | None = None
) -> CompiledPolicy:
    """Check and compile ``model`` (read from ``path``, in ``pack``); raise ``PolicyLoadError``
    on problems."""
    with collector_paused():  # what it builds all lives on: nothing for the collector to free
        return _compile(Compilation(model, path, sources, pack), raw)


def compile_policy_and_conditions(
    model: PolicyModel, path: str, sources: SourceLibrary, raw: bytes, pack: PackRef | None = None
) -> tuple[CompiledPolicy, dict[str, Checked]]:
    """``compile_policy``, and the checked ``required_when`` of each input that has one (by
    input name), checked again in the same scope as ``declarations.compile_inputs`` did."""
    work = Compilation(model, path, sources, pack)
    with collector_paused():
        policy = _compile(work, raw)
    scope = InputsOnly(work.scope)
    conditions: dict[str, Checked] = {}
    for item in policy.inputs:
        if item.required_when is None:
            continue
        spec = model.inputs[item.name]
        assert spec.required_when is not None
        checked = work.expression(spec.required_when, work.where(spec, "required_when"), scope)
        assert checked is not None, "it compiled a moment ago"
        conditions[item.name] = checked
    return policy, conditions


def _compile(work: Compilation, raw: bytes) -> CompiledPolicy:
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
