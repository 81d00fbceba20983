"""Where the packs shipped with govrules are, and the name of a pack's description file: what a
warm command line needs of pack discovery, without the rest of it (the file models, manifests,
signatures).

    bundled_policy_directory() / "cn.national" / PACK_FILE
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PACK_FILE", "bundled_policy_directory"]

PACK_FILE = "pack.yaml"


def bundled_policy_directory() -> Path:
    """The folder of the packs shipped with govrules (inside the package, or the checkout's)."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "policies"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "policies"
