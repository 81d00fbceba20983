"""Loading policies: find the packs (or plain folders) that paths name, with the packs they
require, then read, check and compile every policy file.

    workspace = load_workspace([Path("policies")])
    workspace.policies, workspace.selected, workspace.problems
    policies, sources, problems = load_policies([Path("my-pack")])   # the selected ones

A pack's policies cite the source documents of the pack and of the packs it requires, nothing
else. Each file is loaded on its own: its problems never hide another file's, and an exception
that is not a ``PolicyLoadError`` (a bug of govrules, never the author's) becomes an
``internal`` diagnostic located at the file, not a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from govrules.compiler.other_laws import check_other_laws
from govrules.compiler.pipeline import compile_policy
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import Diagnostic, PolicyLoadError
from govrules.language.file_errors import diagnostics_from_validation
from govrules.language.files import PolicyModel
from govrules.language.reader import read_yaml_file
from govrules.language.sources import SourceDocument, SourceLibrary
from govrules.packs.discovery import (
    PACK_FILE,
    Pack,
    available_packs,
    bundled_policy_directory,
    packs_for_paths,
)
from govrules.packs.manifest import PackRef
from govrules.spans import SourceSpan
from govrules.versions import Version

__all__ = [
    "Workspace",
    "bundled_policy_directory",
    "load_packs",
    "load_policies",
    "load_policy_file",
    "load_workspace",
    "with_requirements",
]


@dataclass(frozen=True, slots=True)
class Workspace:
    """What was loaded: the packs, every good policy, those under the paths asked about, the
    source documents of every pack, and every problem found."""

    packs: list[Pack]
    policies: list[CompiledPolicy]
    selected: list[CompiledPolicy]
    sources: SourceLibrary
    problems: list[Diagnostic]

    def raise_problems(self) -> None:
        if self.problems:
            raise PolicyLoadError(self.problems)


def _policy_files(pack: Pack) -> list[Path]:
    folder = pack.policy_folder
    if not folder.is_dir():
        return []
    if pack.is_pack:
        return sorted(folder.rglob("*.yaml"))
    return sorted(
        path
        for path in folder.rglob("*.yaml")
        if "sources" not in path.relative_to(folder).parts[:-1]
    )


def load_workspace(paths: Sequence[Path], root: Path | None = None) -> Workspace:
    """Load the packs or folders ``paths`` name, with the packs they require (bundled or
    installed); ``selected`` holds the policies whose files are under ``paths``."""
    try:
        given = packs_for_paths(paths, root)
    except PolicyLoadError as error:
        return Workspace([], [], [], SourceLibrary([], root), list(error.diagnostics))
    packs, problems = with_requirements(given)
    workspace = load_packs(packs, root)
    under = [path.resolve() for path in paths]
    selected = [
        policy
        for policy in workspace.policies
        if any(_is_under(Path(policy.path), folder, root) for folder in under)
    ]
    return Workspace(
        workspace.packs,
        workspace.policies,
        selected,
        workspace.sources,
        problems + workspace.problems,
    )


def _is_under(display: Path, folder: Path, root: Path | None) -> bool:
    path = display if display.is_absolute() or root is None else root / display
    path = path.resolve()
    return path == folder or folder in path.parents


def with_requirements(given: Sequence[Pack]) -> tuple[list[Pack], list[Diagnostic]]:
    """``given``, and the bundled or installed packs they require (transitively) that are not
    among them; a requirement found nowhere is reported by ``load_packs``."""
    packs = list(given)
    have = {pack.id for pack in packs}
    available: dict[str, Pack] | None = None
    problems: list[Diagnostic] = []
    queue = list(packs)
    while queue:
        pack = queue.pop()
        for needed in pack.requires:
            if needed in have:
                continue
            if available is None:
                try:
                    available = {p.id: p for p in available_packs()}
                except PolicyLoadError as error:
                    available = {}
                    problems.extend(error.diagnostics)
            found = available.get(needed)
            if found is not None:
                packs.append(found)
                queue.append(found)
                have.add(needed)
    return packs, problems


def load_packs(packs: Sequence[Pack], root: Path | None = None) -> Workspace:
    """Check the packs against one another, then compile every policy of each."""
    problems = _check_requirements(packs) + _check_roots(packs)
    by_id = {pack.id: pack for pack in packs}
    shared: dict[Path, SourceDocument] = {}
    owner: dict[str, Pack] = {}
    for pack in packs:
        for path in SourceLibrary([pack.source_folder]).paths():
            first = owner.setdefault(path.stem, pack)
            if first is not pack:
                problems.append(
                    Diagnostic(
                        "duplicate-source",
                        f"source document {path.stem} is in both {first.id} "
                        f"({first.display}) and {pack.id} ({pack.display})",
                        hint="a document belongs to one pack; the other pack requires it",
                    )
                )
    everything = SourceLibrary(
        [p.source_folder for p in packs if p.source_folder.is_dir()], root, shared
    )
    policies: list[CompiledPolicy] = []
    for pack in packs:
        visible = [pack] + [by_id[name] for name in pack.requires if name in by_id]
        library = SourceLibrary(
            [p.source_folder for p in visible if p.source_folder.is_dir()], root, shared
        )
        library.elsewhere = {
            document: other.id for document, other in owner.items() if other not in visible
        }
        for path in _policy_files(pack):
            display = library.display(path)
            try:
                policy = _load_one(path, display, library, pack.ref)
            except PolicyLoadError as error:
                problems.extend(error.diagnostics)
                continue
            outside = _outside_roots(policy, pack, packs)
            if outside is not None:
                problems.append(outside)
                continue
            policies.append(policy)
    seen: dict[tuple[str, str], CompiledPolicy] = {}
    for policy in policies:
        key = (policy.id, policy.version)
        if key in seen:
            problems.append(
                Diagnostic(
                    "duplicate-policy",
                    f"{policy.id} version {policy.version} is also defined in {seen[key].path}",
                    policy.model.span_of("id"),
                )
            )
        seen[key] = policy
    by_policy: dict[str, list[CompiledPolicy]] = {}
    for policy in policies:
        by_policy.setdefault(policy.id, []).append(policy)
    problems.extend(check_other_laws(policies, lambda name: by_policy.get(name, [])))
    return Workspace(list(packs), policies, policies, everything, problems)


def _check_requirements(packs: Sequence[Pack]) -> list[Diagnostic]:
    by_id = {pack.id: pack for pack in packs}
    problems = []
    for pack in packs:
        for name, wanted in pack.requires.items():
            span = (
                pack.model.entry_span("requires", name) if pack.model is not None else None
            ) or SourceSpan(f"{pack.display}/{PACK_FILE}", 1, 1)
            other = by_id.get(name)
            if other is None:
                problems.append(
                    Diagnostic(
                        "pack-missing",
                        f"pack {pack.id} {pack.version} requires {name} {wanted}, "
                        "which is neither bundled nor installed",
                        span,
                        f"install the distribution that provides {name}, or add it "
                        "with --pack PATH",
                    )
                )
            elif Version.parse(other.version) not in wanted:
                problems.append(
                    Diagnostic(
                        "pack-version-conflict",
                        f"pack {pack.id} {pack.version} requires {name} {wanted}, but "
                        f"{name} {other.version} is loaded ({other.origin}, {other.display})",
                        span,
                    )
                )
    return problems


def _check_roots(packs: Sequence[Pack]) -> list[Diagnostic]:
    """No two packs claim the same namespace of policy ids. Namespaces may nest (a pack may
    own one policy id inside another pack's namespace): a policy id belongs to the pack of the
    longest namespace it falls in."""
    problems = []
    claimed: dict[str, Pack] = {}
    for pack in packs:
        for root in pack.roots:
            other = claimed.setdefault(root, pack)
            if other is not pack:
                problems.append(
                    Diagnostic(
                        "pack-roots",
                        f"packs {other.id} and {pack.id} both claim the policy ids under '{root}'",
                        SourceSpan(f"{pack.display}/{PACK_FILE}", 1, 1),
                        "give each pack its own 'roots'",
                    )
                )
    return problems


def _within(name: str, root: str) -> bool:
    return name == root or name.startswith(root + ".")


def _owner(policy_id: str, packs: Sequence[Pack]) -> Pack | None:
    """The pack whose longest namespace holds the policy id."""
    best: tuple[int, Pack] | None = None
    for pack in packs:
        for root in pack.roots:
            if _within(policy_id, root) and (best is None or len(root) > best[0]):
                best = (len(root), pack)
    return best[1] if best is not None else None


def _outside_roots(policy: CompiledPolicy, pack: Pack, packs: Sequence[Pack]) -> Diagnostic | None:
    if not pack.is_pack:
        return None
    owner = _owner(policy.id, packs)
    if owner is pack:
        return None
    where = f"; its namespace belongs to pack {owner.id}" if owner is not None else ""
    return Diagnostic(
        "policy-outside-pack",
        f"policy id '{policy.id}' is outside the ids pack {pack.id} defines "
        f"({', '.join(pack.roots)}){where}",
        policy.model.span_of("id") or SourceSpan(policy.path, 1, 1),
        "rename the policy, or add its namespace to 'roots' in pack.yaml",
    )


def load_policies(
    folders: Sequence[Path],
    root: Path | None = None,
) -> tuple[list[CompiledPolicy], SourceLibrary, list[Diagnostic]]:
    """Compile the policies under ``folders`` (and what their packs require); return the good
    ones under ``folders``, the sources, and every problem found."""
    workspace = load_workspace(folders, root)
    return workspace.selected, workspace.sources, workspace.problems


def load_policy_file(
    path: Path, sources: SourceLibrary, display: str | None = None, pack: PackRef | None = None
) -> CompiledPolicy:
    """Read, check and compile one policy file; ``PolicyLoadError`` lists every problem."""
    return _load_one(path, display or path.as_posix(), sources, pack)


def _load_one(
    path: Path, display: str, sources: SourceLibrary, pack: PackRef | None
) -> CompiledPolicy:
    try:
        return _read_and_compile(path, display, sources, pack)
    except PolicyLoadError:
        raise
    except Exception as error:  # any bug must still leave a report located at its file
        raise PolicyLoadError(
            [
                Diagnostic(
                    "internal",
                    f"govrules failed on this file: {type(error).__name__}: {str(error)[:200]}",
                    SourceSpan(display, 1, 1),
                    "this is a bug in govrules, not in the file: please report it with the file",
                )
            ]
        ) from error


def _read_and_compile(
    path: Path, display: str, sources: SourceLibrary, pack: PackRef | None
) -> CompiledPolicy:
    data = read_yaml_file(path, display)
    if not isinstance(data, dict) or data.get("kind") != "policy":
        raise PolicyLoadError(
            [
                Diagnostic(
                    "not-a-policy",
                    "a policy file starts with 'kind: policy'",
                    getattr(data, "span", None) or SourceSpan(display, 1, 1),
                    "source documents belong in a 'sources' folder, a pack's description "
                    f"in its {PACK_FILE}",
                )
            ]
        )
    try:
        model = PolicyModel.model_validate(data)
    except ValidationError as error:
        raise PolicyLoadError(diagnostics_from_validation(error, data, display)) from None
    return compile_policy(model, display, sources, path.read_bytes(), pack)
