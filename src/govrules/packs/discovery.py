"""Finding packs: reading a ``pack.yaml``, the bundled packs, the installed ones, and the packs
(or plain folders of policies) that command-line paths name.

A pack is read without running any code: an installed distribution names its pack's Python
package under the entry-point group ``govrules.packs`` and govrules only locates that package's
folder (``importlib.util.find_spec``), it never imports it.

    pack = read_pack(Path("policies/cn.national"), origin="bundled")
    available_packs()            # bundled + installed, each id once
    available_packs(contents=False)   # their pack.yaml alone, for a command about one policy
"""

# Longer than 400 lines because a pack is read in two steps (its pack.yaml, then its files and
# signature) from three places (bundled, installed, command-line paths), all making one Pack.

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govrules.errors import Diagnostic, PolicyLoadError
from govrules.language.reader import read_yaml_file
from govrules.packs.bundled import PACK_FILE, bundled_policy_directory
from govrules.packs.manifest import (
    MANIFEST_FILE,
    Manifest,
    ManifestError,
    PackRef,
    compute_manifest,
    first_difference,
    read_manifest,
)
from govrules.packs.signing import Signature, SigningError, read_signature
from govrules.records import record
from govrules.spans import SourceSpan
from govrules.versions import VersionError, VersionRange

if TYPE_CHECKING:
    from govrules.language.files import PackModel

__all__ = [
    "ENTRY_POINT_GROUP",
    "PACK_FILE",
    "Pack",
    "available_packs",
    "bundled_packs",
    "bundled_policy_directory",
    "installed_packs",
    "packs_for_paths",
    "read_pack",
    "with_contents",
]

ENTRY_POINT_GROUP = "govrules.packs"


@record
class Pack:
    """A pack as found on disk -- or a plain folder of policies with no ``pack.yaml``."""

    root: Path
    model: PackModel | None
    origin: str  # 'bundled', 'installed (distribution 1.0.0)', 'path'
    display: str  # how positions name the pack's folder
    manifest: Manifest | None = None  # the files as loaded (None for a plain folder)
    sealed: bool = False  # a manifest.json was found and every file matches it
    signature: Signature | None = None
    requires: dict[str, VersionRange] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.model.id if self.model is not None else f"(folder {self.display})"

    @property
    def version(self) -> str:
        return self.model.version if self.model is not None else ""

    @property
    def is_pack(self) -> bool:
        return self.model is not None

    @property
    def roots(self) -> tuple[str, ...]:
        if self.model is None:
            return ()
        return tuple(self.model.roots) or (self.model.id,)

    @property
    def policy_folder(self) -> Path:
        return self.root / "policies" if self.model is not None else self.root

    @property
    def source_folder(self) -> Path:
        return self.root / "sources"

    @property
    def coverage_folder(self) -> Path:
        return self.root / "coverage"

    @property
    def digest(self) -> str | None:
        return self.manifest.digest if self.manifest is not None else None

    @property
    def ref(self) -> PackRef | None:
        if self.model is None or self.manifest is None:
            return None
        return PackRef(self.model.id, self.model.version, self.manifest.digest)

    @property
    def signature_state(self) -> str:
        """What can be said of the signature without a trusted key."""
        if self.signature is None:
            return "unsigned"
        if self.manifest is None or self.signature.manifest != self.manifest.digest:
            return "stale: signs another manifest (sign the pack again)"
        return f"signed by {self.signature.key} (not checked)"

    def to_dict(self) -> dict[str, Any]:
        """The pack as ``govrules packs --format json`` and the HTTP service show it (the
        signature as far as it can be told without a trusted key)."""
        return {
            "id": self.id,
            "version": self.version,
            "title_zh": self.model.title.zh if self.model else "",
            "title_en": self.model.title.en if self.model else "",
            "origin": self.origin,
            "path": self.display,
            "manifest": self.digest,
            "sealed": "sealed: every file matches manifest.json"
            if self.sealed
            else "unsealed: no manifest.json, digest of the files as loaded",
            "signature": self.signature_state,
        }


def read_pack(
    root: Path,
    origin: str,
    display: str | None = None,
    *,
    check_manifest: bool = True,
    contents: bool = True,
) -> Pack:
    """Read the pack at ``root`` and check its files against its manifest, if it has one
    (unless ``check_manifest`` is false: when the manifest is about to be rewritten).

    ``contents=False`` reads ``pack.yaml`` alone (id, version, roots, requirements): a pack
    whose policies a command does not need is not hashed (``with_contents`` completes it).

    Raises ``PolicyLoadError`` with every problem of ``pack.yaml``, or naming the first file
    that does not match the manifest."""
    # the file models (pydantic) are imported by the loads that read a pack.yaml: a warm
    # command line reads none (``compiler/resolution.py``)
    from pydantic import ValidationError

    from govrules.language.file_errors import diagnostics_from_validation
    from govrules.language.files import PackModel

    shown = display or root.as_posix()
    path = root / PACK_FILE
    where = f"{shown}/{PACK_FILE}"
    data = read_yaml_file(path, where)
    try:
        model = PackModel.model_validate(data)
    except ValidationError as error:
        raise PolicyLoadError(diagnostics_from_validation(error, data, where)) from None
    problems: list[Diagnostic] = []
    requires: dict[str, VersionRange] = {}
    for name, text in model.requires.items():
        try:
            requires[name] = VersionRange.parse(text)
        except VersionError as error:
            span = model.entry_span("requires", name) or SourceSpan(where, 1, 1)
            problems.append(Diagnostic("pack-requires", f"{name}: {error}", span))
    pack = Pack(root, model, origin, shown, None, False, None, requires)
    if contents:
        pack, found = _read_contents(pack, check_manifest)
        problems.extend(found)
    if problems:
        raise PolicyLoadError(problems)
    return pack


def with_contents(pack: Pack, *, check_manifest: bool = True) -> Pack:
    """The pack with its manifest (the digest of every file, checked against ``manifest.json``
    when there is one) and its signature; a plain folder, or a pack already complete, as is."""
    if pack.model is None or pack.manifest is not None:
        return pack
    complete, problems = _read_contents(pack, check_manifest)
    if problems:
        raise PolicyLoadError(problems)
    return complete


def _read_contents(pack: Pack, check_manifest: bool) -> tuple[Pack, list[Diagnostic]]:
    assert pack.model is not None
    where, problems = f"{pack.display}/{PACK_FILE}", []
    manifest = compute_manifest(pack.root, pack.model.id, pack.model.version)
    sealed = False
    if check_manifest and (pack.root / MANIFEST_FILE).is_file():
        problems.extend(_check_manifest(pack.root, pack.model, pack.origin, where, manifest))
        sealed = not problems
    signature = None
    try:
        signature = read_signature(pack.root)
    except SigningError as error:
        problems.append(Diagnostic("pack-signature", str(error), SourceSpan(where, 1, 1)))
    parts = (pack.root, pack.model, pack.origin, pack.display)
    return Pack(*parts, manifest, sealed, signature, pack.requires), problems


def _check_manifest(
    root: Path, model: PackModel, origin: str, where: str, now: Manifest
) -> list[Diagnostic]:
    at = SourceSpan(where, 1, 1)
    try:
        recorded = read_manifest(root / MANIFEST_FILE)
    except ManifestError as error:
        return [Diagnostic("pack-manifest", str(error), at)]
    if (recorded.pack, recorded.version) != (model.id, model.version):
        return [
            Diagnostic(
                "pack-manifest",
                f"the manifest is of {recorded.pack} {recorded.version}, "
                f"but pack.yaml is {model.id} {model.version}",
                at,
                f"run: govrules pack seal {where.removesuffix(PACK_FILE)}",
            )
        ]
    difference = first_difference(root, recorded, now.files)
    if difference is None:
        return []
    name, why, count = difference
    more = f" (and {count - 1} more file(s))" if count > 1 else ""
    if origin.startswith("installed") or origin == "bundled":
        hint = "the pack is not the one its manifest describes: reinstall it"
        if origin == "bundled":
            hint += " (or, working on the bundled packs, run: govrules pack seal policies/*/)"
    else:
        hint = f"if the change is yours, run: govrules pack seal {where.removesuffix(PACK_FILE)}"
    return [
        Diagnostic(
            "pack-modified",
            f"pack {model.id} {model.version} refused: {name} {why}{more}",
            at,
            hint,
        )
    ]


def bundled_packs(*, contents: bool = True) -> list[Pack]:
    folder = bundled_policy_directory()
    return [
        read_pack(path.parent, "bundled", f"{folder.name}/{path.parent.name}", contents=contents)
        for path in sorted(folder.glob(f"*/{PACK_FILE}"))
    ]


def installed_packs(*, contents: bool = True) -> list[Pack]:
    """The packs that installed distributions declare under ``govrules.packs``."""
    from importlib.metadata import entry_points  # slow to import: only when packs are sought

    found: list[Pack] = []
    problems: list[Diagnostic] = []
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        distribution = entry.dist.name if entry.dist is not None else "?"
        dist_version = entry.dist.version if entry.dist is not None else "?"
        origin = f"installed ({distribution} {dist_version})"
        where = f"entry point '{entry.name}' of {distribution}"
        folder = _package_folder(entry.value)
        if folder is None:
            problems.append(
                Diagnostic(
                    "pack-entry-point",
                    f"{where} names '{entry.value}', which is not an installed package folder",
                    hint="the value is the Python package holding pack.yaml, e.g. 'my_pack'",
                )
            )
            continue
        if not (folder / PACK_FILE).is_file():
            problems.append(
                Diagnostic("pack-entry-point", f"{where}: {folder.name}/ holds no {PACK_FILE}")
            )
            continue
        try:
            pack = read_pack(folder, origin, f"{distribution}:{folder.name}", contents=contents)
        except PolicyLoadError as error:
            problems.extend(error.diagnostics)
            continue
        if pack.id != entry.name:
            problems.append(
                Diagnostic(
                    "pack-entry-point",
                    f"{where} is named '{entry.name}' but its pack is '{pack.id}'",
                    hint="name the entry point after the pack id",
                )
            )
            continue
        found.append(pack)
    if problems:
        raise PolicyLoadError(problems)
    return found


def _package_folder(name: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    if ":" in name or not all(part.isidentifier() for part in name.split(".")):
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def available_packs(*, contents: bool = True) -> list[Pack]:
    """The bundled and the installed packs; one id found twice is an error naming both.
    ``contents=False``: their ``pack.yaml`` alone (``read_pack``)."""
    packs = bundled_packs(contents=contents) + installed_packs(contents=contents)
    return unique_packs(packs)


def unique_packs(packs: Iterable[Pack]) -> list[Pack]:
    """Each pack once: the same folder found twice counts once; one id in two folders is an
    error naming both."""
    seen: dict[str, Pack] = {}
    problems: list[Diagnostic] = []
    for pack in packs:
        other = seen.get(pack.id)
        if other is None:
            seen[pack.id] = pack
        elif other.root.resolve() != pack.root.resolve():
            problems.append(
                Diagnostic(
                    "pack-conflict",
                    f"pack {pack.id} is found twice: {other.version} {other.origin} at "
                    f"{other.display}, and {pack.version} {pack.origin} at {pack.display}",
                    hint="a pack id is loaded once: uninstall or remove one of them",
                )
            )
    if problems:
        raise PolicyLoadError(problems)
    return list(seen.values())


def _enclosing_pack(path: Path) -> Path | None:
    for folder in (path, *path.parents):
        if (folder / PACK_FILE).is_file():
            return folder
    return None


def packs_for_paths(paths: Sequence[Path], root: Path | None = None) -> list[Pack]:
    """The packs (or plain folders) command-line paths name: a pack folder, a file or folder
    inside a pack, a folder holding packs, or a plain folder of policies and its ``sources/``.
    Problems of every path are reported together."""
    found: list[Pack] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if not path.exists():
            problems.append(Diagnostic("no-directory", f"'{path}' does not exist"))
            continue
        absolute = path.resolve()
        enclosing = _enclosing_pack(absolute)
        if enclosing is not None:
            folders = [enclosing]
        elif path.is_dir():
            folders = _packs_below(absolute)
        else:
            folders = []
        if not folders:
            folder = absolute if path.is_dir() else absolute.parent
            found.append(Pack(folder, None, "path", _display(folder, root)))
        for folder in folders:  # each pack's problems, whatever another's
            try:
                found.append(read_pack(folder, "path", _display(folder, root)))
            except PolicyLoadError as error:
                problems.extend(error.diagnostics)
    if problems:
        raise PolicyLoadError(problems)
    return unique_packs(found)


# folders that hold copies of packs rather than packs being worked on
_SKIPPED = {"site-packages", "node_modules", "build", "dist", "__pycache__"}


def _packs_below(folder: Path) -> list[Path]:
    """The outermost packs inside ``folder`` (not inside hidden folders, builds or installs)."""
    found = sorted(
        path.parent
        for path in folder.rglob(PACK_FILE)
        if not any(
            part.startswith(".") or part in _SKIPPED for part in path.relative_to(folder).parts[:-1]
        )
    )
    return [f for f in found if not any(other in f.parents for other in found)]


def _display(folder: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return folder.relative_to(root.resolve()).as_posix() or "."
        except ValueError:
            pass
    return folder.as_posix()
