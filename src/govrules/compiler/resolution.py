"""The warm start of a command about some policies (``Engine.for_policy``): what the last load
of those ids read and produced -- which packs, their files, the compiled policies -- kept in the
compiled cache, and taken again only while every input that load read is, byte for byte, the
same. Anything else loads as before.

    resolution = take_resolution(cache, ["cn.jilin.taobei.wage_deposit"], root)
    if resolution is None:                      # no entry, or any input differs
        workspace = load_for_policies(...)
        keep_resolution(cache, ids, root, bundled_headers, workspace)

What a load about some ids reads, and so what an entry checks before it is used:

- the bundled packs' folder: which of its folders hold a ``pack.yaml`` (a new pack changes it),
  and the bytes of every one of those ``pack.yaml`` files (their ids, namespaces, requirements);
- that no installed distribution declares a pack (``packs/installed.py``): an entry is kept
  only then, and used only while it is still so;
- every file under the folder of each pack the load took (its policies, source documents,
  examples, coverage, manifest, signature): their names and bytes, hidden files included;
- the folder commands run from, the ids, and the code (every module that loads or compiles,
  and the engine's), by the entry's name.

Nothing is trusted because of a date or a size. The entry is sealed with the cache's HMAC like
every other entry (``compiler/cache.py``). Source documents are not in it: a decision reads them
through the cache's document entries, which are named by their bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govrules.compiler.policy import CompiledPolicy
from govrules.packs.bundled import PACK_FILE, bundled_policy_directory
from govrules.packs.installed import no_installed_packs
from govrules.records import record

if TYPE_CHECKING:
    from govrules.compiler.cache import PolicyCache
    from govrules.compiler.loading import Workspace
    from govrules.packs.discovery import Pack

__all__ = ["Resolution", "keep_resolution", "take_resolution"]

RESOLUTION_FORMAT = "govrules-resolution/1"
# a pack's files as (path inside its folder, sha256 hex); None: a folder that cannot be told
# exactly (it holds a link to a folder)
_Tree = tuple[tuple[str, str], ...]


@record
class Resolution:
    """What a load of some ids produced: the policies, the source folders their library reads,
    and the packs it took (root, origin, display name), to read again when asked for."""

    policies: list[CompiledPolicy]
    source_folders: tuple[str, ...]
    packs: tuple[tuple[str, str, str], ...]


def _key(cache: PolicyCache, policy_ids: Sequence[str], root: Path) -> str:
    from govrules.compiler.cache import code_digest

    engine = Path(__file__).resolve().parents[1] / "engine.py"
    digest = hashlib.sha256()
    for part in (
        RESOLUTION_FORMAT,
        code_digest(),
        hashlib.sha256(engine.read_bytes()).hexdigest(),
        str(root.resolve()),
        repr(sorted(set(policy_ids))),
    ):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def _digest(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def _bundled() -> tuple[str, tuple[tuple[str, str], ...]]:
    """The bundled packs' folder, and (folder name, sha256 of its pack.yaml) for each pack."""
    folder = bundled_policy_directory()
    found = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name, PACK_FILE)
        if os.path.isfile(path):
            found.append((name, _digest(path)))
    return str(folder), tuple(found)


def _tree(root: str) -> _Tree | None:
    """Every file under ``root`` with the digest of its bytes; ``None`` when the folder holds a
    link to a folder (what the loader finds through it is not told here)."""
    found = []
    for folder, folders, files in os.walk(root):
        if any(os.path.islink(os.path.join(folder, name)) for name in folders):
            return None
        for name in files:
            path = os.path.join(folder, name)
            found.append((os.path.relpath(path, root), _digest(path)))
    return tuple(sorted(found))


def _checks(roots: Sequence[str]) -> tuple[Any, ...] | None:
    """What must hold for a resolution to be used again; ``None``: it cannot be told."""
    if no_installed_packs() is not True:
        return None
    trees = []
    for root in roots:
        tree = _tree(root)
        if tree is None:
            return None
        trees.append((root, tree))
    return (_bundled(), tuple(trees))


def take_resolution(cache: PolicyCache, policy_ids: Sequence[str], root: Path) -> Resolution | None:
    """The resolution kept for these ids when every input it read is as it was, else ``None``."""
    try:
        kept = cache.load("resolution", _key(cache, policy_ids, root))
        if not isinstance(kept, tuple) or len(kept) != 3:
            return None
        roots, checks, payload = kept
        if _checks(roots) != checks:
            return None
        resolution = cache.load_bytes(payload)
    except OSError:
        return None
    return resolution if isinstance(resolution, Resolution) else None


def keep_resolution(
    cache: PolicyCache,
    policy_ids: Sequence[str],
    root: Path,
    headers: Sequence[Pack],
    workspace: Workspace,
) -> None:
    """Keep what a load of ``policy_ids`` from the bundled packs ``headers`` (their pack.yaml
    alone) produced, when that load found no problem and read only bundled packs."""
    if workspace.problems or any(pack.origin != "bundled" for pack in headers):
        return
    if any(pack.origin != "bundled" or pack.model is None for pack in workspace.packs):
        return
    roots = tuple(str(pack.root) for pack in workspace.packs)
    try:
        checks = _checks(roots)
        if checks is None:
            return
        resolution = Resolution(
            list(workspace.policies),
            tuple(str(folder) for folder in workspace.sources.folders),
            tuple((str(pack.root), pack.origin, pack.display) for pack in workspace.packs),
        )
        payload = cache.dump_bytes(resolution)
        if payload is None:
            return
        cache.store("resolution", _key(cache, policy_ids, root), (roots, checks, payload))
    except OSError:
        return
