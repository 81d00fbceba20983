"""The other side of a policy's ``superior:`` and ``related:`` entries, checked once every
policy is loaded: the other policy exists, and the inputs and outputs named exist there with
the same types. (This policy's side is checked with the policy, ``names.check_other_laws``.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from govrules.compiler.policy import CompiledPolicy
from govrules.errors import Diagnostic
from govrules.language.files import OtherLawModel
from govrules.spans import SourceSpan

__all__ = ["check_other_laws"]


def check_other_laws(
    policies: Sequence[CompiledPolicy], lookup: Callable[[str], list[CompiledPolicy]]
) -> list[Diagnostic]:
    """The other side of every ``superior:``/``related:`` entry: the policy is loaded, and the
    inputs and outputs named exist there with the same types."""
    problems: list[Diagnostic] = []
    for policy in policies:
        for group in ("superior", "related"):
            for entry in getattr(policy.model, group):
                at = entry.span_of("policy") or SourceSpan(policy.path, 1, 1)
                versions = lookup(entry.policy)
                if not versions:
                    problems.append(
                        Diagnostic(
                            "unknown-policy",
                            f"{group}: no policy '{entry.policy}' is loaded",
                            at,
                            "require the pack that holds it in pack.yaml",
                        )
                    )
                    continue
                for other in versions:
                    problems.extend(_match(policy, entry, other, group))
    return problems


def _match(
    policy: CompiledPolicy, entry: OtherLawModel, other: CompiledPolicy, group: str
) -> list[Diagnostic]:
    problems = []
    mine_in, theirs_in = policy.model.inputs, other.model.inputs
    pairs = entry.inputs or {n: n for n in theirs_in if n in mine_in}
    for their_name, my_name in pairs.items():
        at = (
            entry.entry_span("inputs", their_name)
            or entry.span_of()
            or SourceSpan(policy.path, 1, 1)
        )
        if their_name not in theirs_in:
            problems.append(
                Diagnostic(
                    "unknown-input",
                    f"{group}: {other.id} {other.version} has no input '{their_name}'",
                    at,
                )
            )
        elif my_name in mine_in and mine_in[my_name].type != theirs_in[their_name].type:
            problems.append(
                Diagnostic(
                    "type-mismatch",
                    f"{group}: input '{my_name}' is {mine_in[my_name].type} here but "
                    f"'{their_name}' of {other.id} is {theirs_in[their_name].type}",
                    at,
                )
            )
    for my_name, their_name in entry.outputs.items():
        at = (
            entry.entry_span("outputs", my_name) or entry.span_of() or SourceSpan(policy.path, 1, 1)
        )
        theirs = other.model.outputs.get(their_name)
        mine = policy.model.outputs.get(my_name)
        if theirs is None:
            problems.append(
                Diagnostic(
                    "unknown-output",
                    f"{group}: {other.id} {other.version} has no output '{their_name}'",
                    at,
                )
            )
        elif mine is not None and mine.type != theirs.type:
            problems.append(
                Diagnostic(
                    "type-mismatch",
                    f"{group}: output '{my_name}' is {mine.type} here but '{their_name}' of "
                    f"{other.id} is {theirs.type}: they cannot be compared",
                    at,
                )
            )
    return problems
