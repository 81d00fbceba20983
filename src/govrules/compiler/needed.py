"""Loading only what some policies need, so that a command about one policy does not read,
hash and compile every pack: the files that define each id -- in the pack whose namespace holds
it, and in any plain folder -- the packs those require, and the same again for the policies
they compare themselves with (``superior``, ``related``).

    workspace = load_for_policies(packs, ["cn.jilin.taobei.wage_deposit"], root, cache)

The packs given may be their ``pack.yaml`` alone (``read_pack(..., contents=False)``); those
needed are completed (manifest, signature) as a full load completes them. A file whose id
cannot be told from its first keys is read all, so that its problems are reported as a full
load reports them; problems of files that define other ids are not looked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from govrules.compiler.loading import Workspace, load_packs, policy_files
from govrules.compiler.pack_checks import owner_of
from govrules.compiler.policy import CompiledPolicy
from govrules.language.events import top_level_text
from govrules.packs.discovery import Pack, with_contents

if TYPE_CHECKING:
    from govrules.compiler.cache import PolicyCache

__all__ = ["load_for_policies"]


def load_for_policies(
    candidates: Sequence[Pack],
    policy_ids: Iterable[str],
    root: Path | None = None,
    cache: PolicyCache | None = None,
) -> Workspace | None:
    """Load what the policies ``policy_ids`` need, among the ``candidates`` packs (those of
    ``pack.yaml`` alone are completed when needed): the files that define each id in the pack
    whose namespace holds it and in every plain folder, the packs those require, and the
    same for the policies they name as ``superior`` or ``related``.

    ``None`` when an id is defined nowhere: the caller loads everything, so that the error
    (with its did-you-mean) is the one a full load gives."""
    by_id = {pack.id: pack for pack in candidates}
    chosen: dict[str, Pack] = {}
    files: set[Path] = set()
    wanted: set[str] = set()
    queue = list(policy_ids)
    compiled: dict[Path, CompiledPolicy] = {}
    while True:
        while queue:
            policy_id = queue.pop()
            if policy_id in wanted:
                continue
            wanted.add(policy_id)
            if not _find_files(policy_id, candidates, by_id, chosen, files):
                return None
        packs = list(chosen.values())
        workspace = load_packs(
            packs, root, cache=cache, files=files, owners=candidates, compiled=compiled
        )
        for policy in workspace.policies:
            for entry in (*policy.model.superior, *policy.model.related):
                if entry.policy not in wanted:
                    queue.append(entry.policy)
        if not queue:  # else load again with them (a missing one is then no problem)
            return workspace


def _find_files(
    policy_id: str,
    candidates: Sequence[Pack],
    by_id: dict[str, Pack],
    chosen: dict[str, Pack],
    files: set[Path],
) -> bool:
    """Add the files that may define ``policy_id`` (and their packs, complete, with the packs
    they require) to ``files`` and ``chosen``; whether there is any."""
    owner = owner_of(policy_id, candidates)
    holders = [owner] if owner is not None else []
    holders += [pack for pack in candidates if not pack.is_pack]
    found = False
    for holder in holders:
        for path in policy_files(holder):
            try:
                raw = path.read_bytes()
            except OSError:
                raw = b""  # read again by the loader, which says why it cannot be
            defined = top_level_text(raw, "id")
            # a file whose id cannot be told without reading it all is read all (and so its
            # problems are reported, as by a full load)
            if defined is not None and defined != policy_id:
                continue
            files.add(path.resolve())
            found = found or defined == policy_id
            _choose(holder, by_id, chosen)
    return found


def _choose(pack: Pack, by_id: dict[str, Pack], chosen: dict[str, Pack]) -> None:
    """``pack``, complete, and the packs it requires (transitively), into ``chosen``."""
    queue = [pack]
    while queue:
        current = queue.pop()
        if current.id in chosen:
            continue
        chosen[current.id] = with_contents(current)
        queue.extend(by_id[name] for name in current.requires if name in by_id)
