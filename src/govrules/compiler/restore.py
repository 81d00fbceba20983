"""Compiled policies by content hash, so that a policy -- and a decision, which names its
policy -- can be pickled by reference and restored in another process.

    pickle.loads(pickle.dumps(policy)) is policy      # the live one, in the same process
    restore_policy(content_hash, path, policy_id, version)   # another process: loads its pack

A compiled policy's rules are closures, which do not pickle; its content hash names exactly the
text it was compiled from (with the sources it cites), so the receiving process takes the live
policy of that hash, or compiles the pack (or plain folder) that holds the file again and checks
the hash. A file that now holds other content is refused: a decision never re-attaches to law
it was not made under.
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govrules.compiler.policy import CompiledPolicy

__all__ = ["PolicyNotRestored", "register", "restore_policy"]


# Every compiled policy of this process by content hash, for unpickling; and the policies loaded
# to restore one that was not live here (kept, so that the next decision finds them).
_LIVE: weakref.WeakValueDictionary[str, CompiledPolicy] = weakref.WeakValueDictionary()
_RESTORED: dict[str, list[CompiledPolicy]] = {}
_LOCK = threading.RLock()


class PolicyNotRestored(Exception):
    """A pickled policy (or decision) whose exact policy cannot be had in this process."""


def restore_policy(content_hash: str, path: str, policy_id: str, version: str) -> CompiledPolicy:
    """The policy of ``content_hash``: the live one, or the one compiled from the pack (or plain
    folder) that holds ``path`` -- refused when that file now holds other content."""
    with _LOCK:
        live = _LIVE.get(content_hash)
        if live is not None:
            return live
        # the loader compiles policies (or takes them from the compiled cache, as a new
        # worker process mostly does: the parent compiled them a moment ago)
        from govrules.compiler.cache import PolicyCache
        from govrules.compiler.loading import load_workspace

        file = Path(path)
        folder = next((p for p in file.parents if (p / "pack.yaml").is_file()), file.parent)
        if str(folder) not in _RESTORED:
            workspace = load_workspace([folder], folder, cache=PolicyCache.default())
            if workspace.problems:
                raise PolicyNotRestored(
                    f"{policy_id} {version}: {folder} does not load: {workspace.problems[0]}"
                )
            _RESTORED[str(folder)] = list(workspace.policies)
        for policy in _RESTORED[str(folder)]:
            if policy.content_hash == content_hash:
                return policy
    raise PolicyNotRestored(
        f"{policy_id} {version} (content hash {content_hash[:12]}...) is not in this process, "
        f"and {path} now holds other content: the receiving process needs the same packs"
    )


def register(policy: CompiledPolicy) -> None:
    """Note a newly compiled policy (the first of a content hash stays)."""
    with _LOCK:
        _LIVE.setdefault(policy.content_hash, policy)
