"""``govrules coverage``: which clause of which source document the policies encode.

Every clause of every source document gets one status:

    encoded         a policy cites it (a rule, a parameter value, an input or an interpretation),
                    or every one of its sub-clauses is accounted for and at least one is encoded
    not_computable  a coverage file next to the sources says why nothing can be computed from it
    pending         neither: nobody has encoded it or said why it cannot be

A citation encodes exactly the clause it names. It accounts for no sub-clause: a policy that
cites ``art18`` may take the article as one fact, so ``art18.item5`` stays pending until it is
cited or marked. Upwards, an article that no policy cites is encoded when each of its sub-clauses
is encoded or not computable and at least one is encoded (``basis: sub-clauses``).

A coverage file, ``<policy folder>/coverage/<document id>.yml``::

    kind: coverage
    document: cn.jilin.taobei.wage_deposit_integrity
    whole_document: null            # or a reason that covers every clause
    not_computable:
      preamble: Purpose and legal basis only.
      art10: Staff sanctions left to unnamed rules.   # covers art10.item1, art10.item2, ...

Marking a clause a policy cites (or an article with a cited sub-clause) is a contradiction,
reported like every other problem as ``file:line:col: code: message``.

    files, problems = load_coverage_files([Path("policies")], sources)
    report, contradictions = clause_coverage(policies, sources, files)
    report.document("cn.jilin.taobei.wage_deposit_integrity").totals   # {"encoded": 8, ...}
    # the text and HTML renderings are in ``coverage_render``
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import PrivateAttr, StringConstraints, ValidationError, model_validator

from govrules.compiler.policy import CompiledPolicy
from govrules.errors import Diagnostic, PolicyLoadError, suggest
from govrules.language.file_errors import diagnostics_from_validation
from govrules.language.located import LocatedModel
from govrules.language.reader import LocatedMap, read_yaml_file
from govrules.language.sources import SourceDocument, SourceLibrary
from govrules.records import record
from govrules.spans import SourceSpan

__all__ = [
    "STATUSES",
    "Citer",
    "ClauseCoverage",
    "CoverageFile",
    "CoverageFileModel",
    "CoverageReport",
    "DocumentCoverage",
    "clause_coverage",
    "load_coverage_files",
]

STATUSES = ("encoded", "not_computable", "pending")
# ``.yml``: the policy loader reads every ``.yaml`` below a policy folder as a policy.
SUFFIXES = (".yml", ".yaml")
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=160)]


class CoverageFileModel(LocatedModel):
    """What a coverage file may contain: the clauses of one document that cannot be computed."""

    kind: Literal["coverage"]
    document: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]
    whole_document: Reason | None = None
    not_computable: dict[str, Reason] = {}
    notes: str | None = None
    _key_spans: dict[str, SourceSpan] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _remember_keys(cls, data: Any, handler: Any) -> Any:
        node = handler(data)
        entries = data.get("not_computable") if isinstance(data, LocatedMap) else None
        if isinstance(entries, LocatedMap):
            node._key_spans = dict(entries.key_spans)
        return node

    def key_span(self, clause: str) -> SourceSpan | None:
        """Where the clause id ``clause`` is written as a key of ``not_computable``."""
        return self._key_spans.get(clause) or self.span_of("not_computable")


@record(slots=False)
class CoverageFile:
    """A loaded coverage file and the name positions give it."""

    model: CoverageFileModel
    path: str


@dataclass(frozen=True, order=True)
class Citer:
    """One thing in a policy that cites a clause: a rule, parameter, input or interpretation."""

    policy: str
    version: str
    kind: str  # rule | parameter | input | interpretation
    name: str

    def __str__(self) -> str:
        return f"{self.policy} {self.version} {self.kind} '{self.name}'"


@record(slots=False)
class ClauseCoverage:
    """The status of one clause, and what it rests on (``basis``)."""

    id: str
    label: str
    text: str
    depth: int  # 0 for an article; 1 for its paragraph or item; ...
    status: str  # one of STATUSES
    basis: str | None  # cited | marked | sub-clauses | None (pending)
    citers: tuple[Citer, ...] = ()
    policies: tuple[str, ...] = ()  # cited directly, or through the sub-clauses
    reason: str | None = None
    reason_at: str | None = None  # the entry the reason is written under: a clause id, or "*"
    cited_above: str | None = None  # the nearest enclosing clause a policy cites, if any

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "status": self.status,
            "basis": self.basis,
            "policies": list(self.policies),
            "rules": sorted({f"{c.policy}:{c.name}" for c in self.citers if c.kind == "rule"}),
            "cited_by": [asdict(c) for c in self.citers],
            "reason": self.reason,
            "reason_at": self.reason_at,
            "cited_above": self.cited_above,
        }


def _totals(clauses: Iterable[ClauseCoverage]) -> dict[str, int]:
    totals = dict.fromkeys(STATUSES, 0)
    for clause in clauses:
        totals[clause.status] += 1
    return totals


@record(slots=False)
class DocumentCoverage:
    id: str
    title: str
    title_en: str
    clauses: tuple[ClauseCoverage, ...]

    @property
    def totals(self) -> dict[str, int]:
        return _totals(self.clauses)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "title_en": self.title_en,
            "clauses": [clause.to_dict() for clause in self.clauses],
            "totals": self.totals,
        }


@record(slots=False)
class CoverageReport:
    documents: tuple[DocumentCoverage, ...]

    @property
    def totals(self) -> dict[str, int]:
        return _totals(clause for document in self.documents for clause in document.clauses)

    def document(self, document_id: str) -> DocumentCoverage | None:
        return next((d for d in self.documents if d.id == document_id), None)

    def to_dict(self) -> dict[str, object]:
        return {"documents": [d.to_dict() for d in self.documents], "totals": self.totals}


# --------------------------------------------------------------------------- reading


def load_coverage_files(
    folders: Sequence[Path], sources: SourceLibrary
) -> tuple[list[CoverageFile], list[Diagnostic]]:
    """Read every ``coverage/<document id>.yml`` of ``folders``; return the good files and
    every problem (shape, unknown documents or clauses, a file named after another document)."""
    files: list[CoverageFile] = []
    problems: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for folder in folders:
        paths = sorted(p for p in (folder / "coverage").glob("*") if p.suffix in SUFFIXES)
        for path in paths:
            display = sources.display(path)
            try:
                loaded = _read(path, display)
            except PolicyLoadError as error:
                problems.extend(error.diagnostics)
                continue
            found = list(_check_names(loaded, path, sources))
            document = loaded.model.document
            if document in seen:
                found.append(
                    Diagnostic(
                        "coverage-duplicate",
                        f"{document} already has a coverage file: {seen[document]}",
                        loaded.model.span_of("document"),
                        "keep one file per document",
                    )
                )
            problems.extend(found)
            if not found:
                seen[document] = display
                files.append(loaded)
    return files, problems


def _read(path: Path, display: str) -> CoverageFile:
    data = read_yaml_file(path, display)
    try:
        model = CoverageFileModel.model_validate(data)
    except ValidationError as error:
        raise PolicyLoadError(diagnostics_from_validation(error, data, display)) from None
    return CoverageFile(model, display)


def _check_names(loaded: CoverageFile, path: Path, sources: SourceLibrary) -> Iterable[Diagnostic]:
    model = loaded.model
    if path.stem != model.document:
        yield Diagnostic(
            "coverage-file-name",
            f"the file is about '{model.document}' but is named '{path.name}'",
            model.span_of("document"),
            f"rename the file to {model.document}{path.suffix}",
        )
    try:
        document = sources.get(model.document)
    except PolicyLoadError:
        return  # a broken source file: its own loader reports why
    if document is None:
        yield Diagnostic(
            "coverage-unknown-document",
            f"there is no source document '{model.document}'",
            model.span_of("document"),
            suggest(model.document, sources.ids()),
        )
        return
    clauses = document.model.clauses
    for clause in model.not_computable:
        if clause not in clauses:
            yield Diagnostic(
                "coverage-unknown-clause",
                f"{model.document} has no clause '{clause}'",
                model.key_span(clause),
                suggest(clause, clauses),
            )


# --------------------------------------------------------------------------- computing


def _citers(policies: Sequence[CompiledPolicy]) -> dict[str, set[Citer]]:
    """Every clause reference (``document#clause``) with what cites it."""
    found: dict[str, set[Citer]] = {}

    def add(policy: CompiledPolicy, kind: str, name: str, refs: Iterable[str]) -> None:
        for ref in refs:
            found.setdefault(ref, set()).add(Citer(policy.id, policy.version, kind, name))

    for policy in policies:
        for rule in policy.rules:
            add(policy, "rule", rule.id, (c.ref for c in rule.citations))
        for parameter in policy.parameters:
            refs = (c.ref for value in parameter.values for c in value.citations)
            add(policy, "parameter", parameter.name, refs)
        for item in policy.inputs:
            add(policy, "input", item.name, (c.ref for c in item.citations))
        for note in policy.interpretations:
            add(policy, "interpretation", note.id, (c.ref for c in note.citations))
    return found


def _ancestors(clause: str, ids: Iterable[str]) -> list[str]:
    """The clauses above ``clause`` in its document, nearest first: ``art4`` for ``art4.item1``."""
    present = set(ids)
    parts = clause.split(".")
    prefixes = (".".join(parts[:n]) for n in range(len(parts) - 1, 0, -1))
    return [prefix for prefix in prefixes if prefix in present]


def clause_coverage(
    policies: Sequence[CompiledPolicy], sources: SourceLibrary, files: Sequence[CoverageFile]
) -> tuple[CoverageReport, list[Diagnostic]]:
    """The status of every clause of every source document, and every contradiction between a
    coverage file and the citations of ``policies``."""
    cited = _citers(policies)
    by_document = {f.model.document: f for f in files}
    documents: list[DocumentCoverage] = []
    problems: list[Diagnostic] = []
    for document in sources.documents():
        marks = by_document.get(document.id)
        problems.extend(_contradictions(document, marks, cited))
        documents.append(_document_coverage(document, marks, cited))
    return CoverageReport(tuple(documents)), problems


def _contradictions(
    document: SourceDocument, marks: CoverageFile | None, cited: dict[str, set[Citer]]
) -> Iterable[Diagnostic]:
    if marks is None:
        return
    clauses = list(document.model.clauses)

    def first_citation(prefix: str | None) -> tuple[str, Citer] | None:
        for clause in clauses:
            if prefix is None or clause == prefix or clause.startswith(prefix + "."):
                ref = f"{document.id}#{clause}"
                if ref in cited:
                    return clause, min(cited[ref], key=lambda c: (c.kind != "rule", c))
        return None

    model = marks.model
    if model.whole_document is not None:
        found = first_citation(None)
        if found is not None:
            yield Diagnostic(
                "coverage-contradiction",
                f"the whole of {document.id} is marked not computable, but {found[1]} "
                f"cites {found[0]}",
                model.span_of("whole_document"),
                "mark the clauses no policy cites one by one instead",
            )
    for clause in model.not_computable:
        found = first_citation(clause)
        if found is None:
            continue
        where = "it" if found[0] == clause else found[0]
        yield Diagnostic(
            "coverage-contradiction",
            f"{document.id}#{clause} is marked not computable, but {found[1]} cites {where}",
            model.key_span(clause),
            "remove the entry"
            if found[0] == clause
            else "mark only the sub-clauses no policy cites",
        )


def _document_coverage(
    document: SourceDocument, marks: CoverageFile | None, cited: dict[str, set[Citer]]
) -> DocumentCoverage:
    clauses = document.model.clauses
    ancestors = {clause: _ancestors(clause, clauses) for clause in clauses}
    children: dict[str, list[str]] = {clause: [] for clause in clauses}
    for clause, above in ancestors.items():
        if above:
            children[above[0]].append(clause)
    entries = marks.model.not_computable if marks is not None else {}
    whole = marks.model.whole_document if marks is not None else None
    done: dict[str, ClauseCoverage] = {}
    # deepest first, so that an article is decided after its sub-clauses
    for clause in sorted(clauses, key=lambda c: -len(ancestors[c])):
        citers = tuple(sorted(cited.get(f"{document.id}#{clause}", ())))
        marked_at = next((c for c in (clause, *ancestors[clause]) if c in entries), None)
        below = [done[child] for child in children[clause]]
        encoded = [c for c in below if c.status == "encoded"]
        status, basis, reason, policies = "pending", None, None, set[str]()
        if citers:
            status, basis, policies = "encoded", "cited", {c.policy for c in citers}
        elif marked_at is not None or whole is not None:
            status, basis = "not_computable", "marked"
            reason = entries[marked_at] if marked_at is not None else whole
        elif below and all(c.status != "pending" for c in below):
            status = "encoded" if encoded else "not_computable"
            basis, policies = "sub-clauses", {p for c in encoded for p in c.policies}
            reason = None if encoded else "every sub-clause is not computable"
        done[clause] = ClauseCoverage(
            clause,
            clauses[clause].label,
            clauses[clause].text,
            len(ancestors[clause]),
            status,
            basis,
            citers,
            tuple(sorted(policies)),
            reason,
            (marked_at or "*") if basis == "marked" else None,
            next((a for a in ancestors[clause] if f"{document.id}#{a}" in cited), None),
        )
    title = document.model.title
    return DocumentCoverage(
        document.id, title.zh, title.en, tuple(done[clause] for clause in clauses)
    )
