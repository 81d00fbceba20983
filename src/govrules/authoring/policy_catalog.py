"""The catalogue of the bundled policies, generated from the policy files themselves.

For each policy: its id and version, its title in Chinese and English, the question it answers
(its description), where and since when it applies, the documents it cites, its inputs, its
outputs and its outcomes. ``docs/policies.md`` is this module's output, and
``tests/test_policy_catalog.py`` fails when the file differs from what it generates:

    python -m govrules.authoring.policy_catalog --write docs/policies.md
    python -m govrules.authoring.policy_catalog --check docs/policies.md
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from govrules.compiler.loading import bundled_policy_directory, load_policies
from govrules.compiler.policy import CompiledPolicy
from govrules.language.expr.types import Type
from govrules.language.sources import SourceLibrary

__all__ = ["catalog", "main"]

_COMMAND = "python -m govrules.authoring.policy_catalog --write docs/policies.md"


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _type(kind: Type) -> str:
    return _cell(str(kind.as_optional(False)))


def _section(policy: CompiledPolicy, sources: SourceLibrary) -> list[str]:
    model = policy.model
    period = model.effective
    since = "unknown (the text states no date)" if period.undated else period.start.isoformat()
    until = f" to {period.to.isoformat()}" if period.to else ""
    lines = [
        f"## `{policy.id}` {policy.version}",
        "",
        f"**{_cell(model.title.zh)}** — {_cell(model.title.en)}",
        "",
    ]
    if model.description:
        lines += [_cell(model.description), ""]
    lines += [f"Jurisdiction `{model.jurisdiction}`; in force from {since}{until}.", ""]
    cited = []
    for document_id in dict.fromkeys(model.sources.values()):
        document = sources.get(document_id)
        title = f" {_cell(document.model.title.zh)}" if document is not None else ""
        cited.append(f"`{document_id}`{title}")
    lines.append("Sources: " + "; ".join(cited) + ".")
    lines += ["", "| input | type | | meaning |", "|---|---|---|---|"]
    for item in policy.inputs:
        need = (
            "required"
            if item.required
            else ("when " + _cell(item.required_when_text) if item.required_when_text else "")
        )
        label = " / ".join(t for t in (item.title_zh, item.title_en) if t)
        lines.append(f"| `{item.name}` | {_type(item.type)} | {need} | {_cell(label)} |")
    lines += ["", "| output | type | meaning |", "|---|---|---|"]
    for output in policy.outputs:
        if output.internal:
            continue
        label = " / ".join(t for t in (output.title_zh, output.title_en) if t)
        lines.append(f"| `{output.name}` | {_type(output.type)} | {_cell(label)} |")
    titles = model.outcome.titles
    outcomes = ", ".join(
        f"`{value}`"
        + (f" ({_cell(titles[value].zh)} / {_cell(titles[value].en)})" if value in titles else "")
        for value in model.outcome.values
    )
    lines += ["", f"Outcomes: {outcomes}; by default `{model.outcome.default}`.", ""]
    return lines


def catalog(folder: Path | None = None) -> str:
    """The catalogue of the policies in ``folder`` (the bundled ones by default), as Markdown."""
    policies, sources, problems = load_policies([folder or bundled_policy_directory()])
    if problems:
        raise ValueError("the policies do not load: " + "; ".join(str(p) for p in problems[:3]))
    latest: dict[str, CompiledPolicy] = {}
    for policy in policies:
        known = latest.get(policy.id)
        if known is None or policy.model.effective.start > known.model.effective.start:
            latest[policy.id] = policy
    lines = [
        "# The bundled policies",
        "",
        f"<!-- generated from the policy files by `{_COMMAND}`: edit the policies, not this -->",
        "",
        f"{len(latest)} policies, each with its latest version. The author's guide explains the "
        "format (`policy-authors.md`); `govrules schema ID` prints the JSON Schema of a case.",
        "",
    ]
    for policy_id in sorted(latest):
        lines += _section(latest[policy_id], sources)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m govrules.authoring.policy_catalog",
        description="Print the catalogue of the bundled policies, or write or check a file.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", type=Path, metavar="FILE", help="write it to FILE")
    action.add_argument("--check", type=Path, metavar="FILE", help="fail if FILE is stale")
    args = parser.parse_args(argv)
    try:
        text = catalog()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if args.write is None and args.check is None:
        sys.stdout.write(text)
        return 0
    if args.check is not None:
        current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
        if current != text:
            print(f"{args.check}: the catalogue is out of date; run {_COMMAND}", file=sys.stderr)
            return 1
        return 0
    args.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
