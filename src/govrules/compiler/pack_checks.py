"""The checks between packs loaded together: each requirement met by a pack of a version in
its range, no namespace claimed by two packs, and each policy inside the namespace of its pack
(a policy id belongs to the pack of the longest namespace it falls in).

    problems = check_requirements(packs) + check_roots(packs)
    owner_of("cn.jilin.taobei.wage_deposit", packs)     # the pack cn.jilin.baicheng.taobei
"""

from __future__ import annotations

from collections.abc import Sequence

from govrules.compiler.policy import CompiledPolicy
from govrules.errors import Diagnostic
from govrules.packs.discovery import PACK_FILE, Pack
from govrules.spans import SourceSpan
from govrules.versions import Version

__all__ = ["check_requirements", "check_roots", "outside_roots", "owner_of"]


def check_requirements(packs: Sequence[Pack]) -> list[Diagnostic]:
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


def check_roots(packs: Sequence[Pack]) -> list[Diagnostic]:
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


def owner_of(policy_id: str, packs: Sequence[Pack]) -> Pack | None:
    """The pack whose longest namespace holds the policy id."""
    best: tuple[int, Pack] | None = None
    for pack in packs:
        for root in pack.roots:
            if _within(policy_id, root) and (best is None or len(root) > best[0]):
                best = (len(root), pack)
    return best[1] if best is not None else None


def outside_roots(policy: CompiledPolicy, pack: Pack, packs: Sequence[Pack]) -> Diagnostic | None:
    if not pack.is_pack:
        return None
    owner = owner_of(policy.id, packs)
    # ``packs`` may hold the pack as its pack.yaml alone (``load_for_policies``)
    if owner is pack or (owner is not None and (owner.id, owner.root) == (pack.id, pack.root)):
        return None
    where = f"; its namespace belongs to pack {owner.id}" if owner is not None else ""
    return Diagnostic(
        "policy-outside-pack",
        f"policy id '{policy.id}' is outside the ids pack {pack.id} defines "
        f"({', '.join(pack.roots)}){where}",
        policy.model.span_of("id") or SourceSpan(policy.path, 1, 1),
        "rename the policy, or add its namespace to 'roots' in pack.yaml",
    )
