"""A pack's manifest: the sha256 digest of every file of the pack, and one digest over them all.

The files of a pack are ``pack.yaml`` and everything under ``policies/``, ``sources/``,
``coverage/`` and ``examples/`` (names starting with a dot and ``__pycache__`` left out). The
manifest, ``manifest.json`` beside ``pack.yaml``, lists them with their digests; the pack's
digest is sha256 over the canonical JSON (RFC 8785) of that manifest, so it names the exact
bytes of every file, whatever the manifest's own spacing. A decision records it.

    manifest = compute_manifest(root, "cn.national", "1.0.0")
    manifest.digest                   # 'sha256:…'
    first_difference(root, manifest)  # None, or 'policies/x.yaml differs from the manifest'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from govrules.canonical import digest
from govrules.records import record

__all__ = [
    "CONTENT_FOLDERS",
    "MANIFEST_FILE",
    "MANIFEST_FORMAT",
    "Manifest",
    "ManifestError",
    "PackRef",
    "compute_manifest",
    "first_difference",
    "pack_files",
    "read_manifest",
    "write_manifest",
]

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = "govrules-pack-manifest/1"
CONTENT_FOLDERS = ("policies", "sources", "coverage", "examples")


@record
class PackRef:
    """The pack a policy was loaded from, as a decision names it: id, version, manifest digest."""

    id: str
    version: str
    manifest: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "manifest": self.manifest}


class ManifestError(ValueError):
    """A manifest file that cannot be read as one."""


@record
class Manifest:
    pack: str
    version: str
    files: Mapping[str, str]  # posix path inside the pack -> 'sha256:…'

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "pack": self.pack,
            "version": self.version,
            "files": dict(sorted(self.files.items())),
        }

    @property
    def digest(self) -> str:
        return digest(self.to_dict())


def pack_files(root: Path) -> Iterator[tuple[str, Path]]:
    """The files a manifest covers, as (posix path inside the pack, path), sorted."""
    found: list[tuple[str, Path]] = []
    if (root / "pack.yaml").is_file():
        found.append(("pack.yaml", root / "pack.yaml"))
    for folder in CONTENT_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            relative = path.relative_to(root)
            if any(p.startswith(".") or p == "__pycache__" for p in relative.parts):
                continue
            if path.is_file():
                found.append((relative.as_posix(), path))
    return iter(sorted(found))


def _file_digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def compute_manifest(root: Path, pack: str, version: str) -> Manifest:
    """The manifest of the files as they are now."""
    return Manifest(pack, version, {name: _file_digest(path) for name, path in pack_files(root)})


def read_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ManifestError(f"{path.name} cannot be read as JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"{path.name} is not a govrules pack manifest ({MANIFEST_FORMAT})")
    files = data.get("files")
    if (
        not isinstance(data.get("pack"), str)
        or not isinstance(data.get("version"), str)
        or not isinstance(files, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
    ):
        raise ManifestError(f"{path.name} needs 'pack', 'version' and 'files' (path: digest)")
    return Manifest(data["pack"], data["version"], files)


def write_manifest(root: Path, manifest: Manifest) -> Path:
    path = root / MANIFEST_FILE
    text = json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def first_difference(
    root: Path, manifest: Manifest, now: Mapping[str, str] | None = None
) -> tuple[str, str, int] | None:
    """The first file (in path order) whose bytes are not those the manifest records, why,
    and how many files differ in all; ``None`` when every file matches. ``now``: the digests
    of the files as they are, when the caller has just computed them (``compute_manifest``)."""
    if now is None:
        now = compute_manifest(root, manifest.pack, manifest.version).files
    differing: list[tuple[str, str]] = []
    for name in sorted(set(now) | set(manifest.files)):
        if name not in now:
            differing.append((name, "is in the manifest but missing from the pack"))
        elif name not in manifest.files:
            differing.append((name, "is in the pack but not in its manifest"))
        elif now[name] != manifest.files[name]:
            differing.append(
                (
                    name,
                    f"differs from the manifest (it is {now[name][:19]}…, "
                    f"the manifest says {manifest.files[name][:19]}…)",
                )
            )
    if not differing:
        return None
    name, why = differing[0]
    return name, why, len(differing)
