"""Loading policies: find the packs (or plain folders) that paths name, with the packs they
require, then read, check and compile every policy file.

    workspace = load_workspace([Path("policies")])
    workspace.policies, workspace.selected, workspace.problems
    policies, sources, problems = load_policies([Path("my-pack")])   # the selected ones

A pack's policies cite the source documents of the pack and of the packs it requires, nothing
else. Each file is loaded on its own: its problems never hide another file's, and an exception
that is not a ``PolicyLoadError`` (a bug of govrules, never the author's) becomes an
``internal`` diagnostic located at the file, not a traceback.

A ``PolicyCache`` given to ``load_packs`` keeps each compiled policy on disk under the digest
of everything it was compiled from (``compiler/cache.py``); ``compiler/needed.py`` loads only
what some policies need.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from govrules.compiler.pack_checks import check_requirements, check_roots, outside_roots
from govrules.compiler.policy import CompiledPolicy
from govrules.errors import Diagnostic, PolicyLoadError
from govrules.language.reader import read_yaml_bytes, read_yaml_file
from govrules.language.sources import SourceDocument, SourceLibrary
from govrules.packs.discovery import (
    PACK_FILE,
    Pack,
    available_packs,
    bundled_policy_directory,
    packs_for_paths,
)
from govrules.packs.manifest import PackRef
from govrules.records import record
from govrules.spans import SourceSpan

if TYPE_CHECKING:
    from govrules.compiler.cache import PolicyCache
    from govrules.language.expr import Checked
    from govrules.language.files import PolicyModel

__all__ = [
    "Workspace",
    "bundled_policy_directory",
    "load_packs",
    "load_policies",
    "load_policy_file",
    "load_workspace",
    "policy_files",
    "with_requirements",
]


@record
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


def policy_files(pack: Pack) -> list[Path]:
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


def load_workspace(
    paths: Sequence[Path], root: Path | None = None, *, cache: PolicyCache | None = None
) -> Workspace:
    """Load the packs or folders ``paths`` name, with the packs they require (bundled or
    installed); ``selected`` holds the policies whose files are under ``paths``."""
    try:
        given = packs_for_paths(paths, root)
    except PolicyLoadError as error:
        return Workspace([], [], [], SourceLibrary([], root), list(error.diagnostics))
    packs, problems = with_requirements(given)
    workspace = load_packs(packs, root, cache=cache)
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


def with_requirements(
    given: Sequence[Pack], *, contents: bool = True
) -> tuple[list[Pack], list[Diagnostic]]:
    """``given``, and the bundled or installed packs they require (transitively) that are not
    among them; a requirement found nowhere is reported by ``load_packs``. ``contents=False``:
    the required packs as their ``pack.yaml`` alone (``read_pack``)."""
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
                    available = {p.id: p for p in available_packs(contents=contents)}
                except PolicyLoadError as error:
                    available = {}
                    problems.extend(error.diagnostics)
            found = available.get(needed)
            if found is not None:
                packs.append(found)
                queue.append(found)
                have.add(needed)
    return packs, problems


def load_packs(
    packs: Sequence[Pack],
    root: Path | None = None,
    *,
    cache: PolicyCache | None = None,
    files: Collection[Path] | None = None,
    owners: Sequence[Pack] | None = None,
    compiled: dict[Path, CompiledPolicy] | None = None,
) -> Workspace:
    """Check the packs against one another, then compile every policy of each (``files``: only
    those files, as resolved paths). ``owners``: the packs whose namespaces say which pack a
    policy id belongs to (default: ``packs``); ``compiled``: policies already loaded, by file,
    reused (and added to)."""
    problems = check_requirements(packs) + check_roots(packs)
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
        [p.source_folder for p in packs if p.source_folder.is_dir()], root, shared, cache
    )
    policies: list[CompiledPolicy] = []
    for pack in packs:
        visible = [pack] + [by_id[name] for name in pack.requires if name in by_id]
        library = SourceLibrary(
            [p.source_folder for p in visible if p.source_folder.is_dir()], root, shared, cache
        )
        library.elsewhere = {
            document: other.id for document, other in owner.items() if other not in visible
        }
        listing: list[tuple[str, tuple[tuple[str, str], ...]]] | None = None
        for path in policy_files(pack):
            resolved = path.resolve()
            if files is not None and resolved not in files:
                continue
            display = library.display(path)
            try:
                policy = compiled.get(resolved) if compiled is not None else None
                if policy is None and cache is not None:
                    if listing is None:
                        listing = _listing(visible, library)
                    policy = _load_cached(path, display, library, pack.ref, cache, listing, root)
                elif policy is None:
                    policy = _load_one(path, display, library, pack.ref)
            except PolicyLoadError as error:
                problems.extend(error.diagnostics)
                continue
            if compiled is not None:
                compiled[resolved] = policy
            outside = outside_roots(policy, pack, owners if owners is not None else packs)
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
    from govrules.compiler.other_laws import check_other_laws  # its file models: pydantic

    by_policy: dict[str, list[CompiledPolicy]] = {}
    for policy in policies:
        by_policy.setdefault(policy.id, []).append(policy)
    problems.extend(check_other_laws(policies, lambda name: by_policy.get(name, [])))
    return Workspace(list(packs), policies, policies, everything, problems)


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
    path: Path,
    display: str,
    sources: SourceLibrary,
    pack: PackRef | None,
    raw: bytes | None = None,
    conditions: dict[str, Checked] | None = None,
) -> CompiledPolicy:
    try:
        return _read_and_compile(path, display, sources, pack, raw, conditions)
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


def compile_policy(
    model: PolicyModel, path: str, sources: SourceLibrary, raw: bytes, pack: PackRef | None = None
) -> CompiledPolicy:
    """``pipeline.compile_policy``, imported when a policy is first compiled: a command whose
    policies all come from the cache imports none of the compiler's stages."""
    from govrules.compiler.pipeline import compile_policy as compile_

    return compile_(model, path, sources, raw, pack)


def _read_and_compile(
    path: Path,
    display: str,
    sources: SourceLibrary,
    pack: PackRef | None,
    raw: bytes | None = None,
    conditions: dict[str, Checked] | None = None,
) -> CompiledPolicy:
    from pydantic import ValidationError

    from govrules.language.file_errors import diagnostics_from_validation
    from govrules.language.files import PolicyModel

    data = read_yaml_file(path, display) if raw is None else read_yaml_bytes(raw, display)
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
    raw = path.read_bytes() if raw is None else raw
    if conditions is None:
        return compile_policy(model, display, sources, raw, pack)
    from govrules.compiler.pipeline import compile_policy_and_conditions

    policy, found = compile_policy_and_conditions(model, display, sources, raw, pack)
    conditions.update(found)
    return policy


def _load_cached(
    path: Path,
    display: str,
    sources: SourceLibrary,
    pack: PackRef | None,
    cache: PolicyCache,
    listing: Sequence[tuple[str, tuple[tuple[str, str], ...]]],
    root: Path | None,
) -> CompiledPolicy:
    """The policy from the cache, or compiled (and kept there)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return _load_one(path, display, sources, pack)  # which says why it cannot be read
    key = cache.policy_key(raw, display, pack, listing, root)
    policy = cache.load_policy(key)
    if policy is not None:
        return policy
    conditions: dict[str, Checked] = {}
    policy = _load_one(path, display, sources, pack, raw, conditions)
    cache.store_policy(key, policy, conditions)
    return policy


def _listing(
    visible: Sequence[Pack], library: SourceLibrary
) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The source documents ``library`` may read, for a cache key (from the packs' manifests,
    which hold their digests already)."""
    from govrules.compiler.cache import folder_listing

    by_folder = {pack.source_folder: pack for pack in visible}
    found = []
    for folder in library.folders:
        pack = by_folder.get(folder)
        known = None
        if pack is not None and pack.manifest is not None:
            known = {
                name.removeprefix("sources/"): digest
                for name, digest in pack.manifest.files.items()
                if name.startswith("sources/") and name.count("/") == 1
            }
        found.append(folder_listing(folder, library.display(folder), known))
    return found
