"""What a compiled policy says about itself in plain values: the facts of its file that the
engine reads when it decides (dates in force, the other norms it compares itself with, the
bounds its inputs declare) and that an explanation prints (titles, each rule's expressions as
written), so that deciding and explaining never need the file model -- nor pydantic, which a
policy taken from the compiled cache does not import until its file model is first read.

    header = PolicyHeader.of(model)        # from a validated PolicyModel
    header.effective_start, header.other_laws[0].policy, header.input_limits["amount"].ge
    header.set_texts["first_deposit"]      # {'rate_min': '0.04', ...}, as the file writes them
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from govrules.records import record

if TYPE_CHECKING:
    from govrules.language.files import PolicyModel

__all__ = ["InputLimits", "OtherLaw", "PolicyHeader"]


@record
class OtherLaw:
    """A policy of another norm that computes the same question (``superior:``/``related:``),
    as the file declares it: the engine evaluates it beside this one."""

    relation: str  # 'superior' or 'related'
    policy: str
    inputs: dict[str, str]  # the other policy's input -> this policy's input
    outputs: dict[str, str]  # this policy's output -> the other policy's output
    when: dict[str, Any]  # only for cases whose inputs have these values
    facts_date: str | None


@record
class InputLimits:
    """The bounds an input (or one field of a record input) declares, and a list's length."""

    gt: Any = None
    ge: Any = None
    lt: Any = None
    le: Any = None
    max_items: int | None = None
    fields: dict[str, InputLimits] | None = None  # a record's fields, by name


@record
class PolicyHeader:
    """The plain facts of a policy file that deciding and printing a decision read."""

    id: str
    version: str
    title_zh: str
    title_en: str
    jurisdiction: str
    effective_from: dt.date | str  # a date, or 'unknown' for a text that states no date
    effective_to: dt.date | None
    effective_start: dt.date  # the first day in force (the earliest date when undated)
    undated: bool
    default_outcome: str
    first_source: str  # the document id of the policy's first source
    declared_inputs: tuple[str, ...]  # the inputs, in the order the file declares them
    input_limits: dict[str, InputLimits]
    other_laws: tuple[OtherLaw, ...]  # superior ones first, then related ones
    outcome_titles: dict[str, tuple[str, str]]  # an outcome's title (zh, en), where it has one
    # the expressions each rule sets, as written, by the id the trace names it with (``r``,
    # ``r:else``, ``default:name``): what an explanation shows a value was computed by
    set_texts: dict[str, dict[str, str]]

    @classmethod
    def of(cls, model: PolicyModel) -> PolicyHeader:
        period = model.effective
        other_laws = tuple(
            OtherLaw(
                relation,
                entry.policy,
                dict(entry.inputs),
                dict(entry.outputs),
                dict(entry.when),
                entry.facts_date,
            )
            for relation in ("superior", "related")
            for entry in getattr(model, relation)
        )
        return cls(
            id=model.id,
            version=model.version,
            title_zh=model.title.zh,
            title_en=model.title.en,
            jurisdiction=model.jurisdiction,
            effective_from=period.from_,
            effective_to=period.to,
            effective_start=period.start,
            undated=period.undated,
            default_outcome=model.outcome.default,
            first_source=next(iter(model.sources.values())),
            declared_inputs=tuple(model.inputs),
            input_limits={name: _limits(spec) for name, spec in model.inputs.items()},
            other_laws=other_laws,
            outcome_titles={
                outcome: (title.zh, title.en) for outcome, title in model.outcome.titles.items()
            },
            set_texts=_set_texts(model),
        )


def _limits(spec: Any) -> InputLimits:
    fields = getattr(spec, "fields", None)
    return InputLimits(
        getattr(spec, "gt", None),
        getattr(spec, "ge", None),
        getattr(spec, "lt", None),
        getattr(spec, "le", None),
        getattr(spec, "max_items", None),
        None if fields is None else {name: _limits(field) for name, field in fields.items()},
    )


def _set_texts(model: PolicyModel) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for rule in model.rules:
        found[rule.id] = dict(rule.set)
        if rule.otherwise is not None:
            found[f"{rule.id}:else"] = dict(rule.otherwise.set)
    for owner in (model.inputs, model.outputs):
        for name, spec in owner.items():
            default = getattr(spec, "default", None)
            if default is not None:
                value = default.value
                text = ("true" if value else "false") if isinstance(value, bool) else str(value)
                found[f"default:{name}"] = {name: text}
    return found
