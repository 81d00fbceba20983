"""Compiled policies kept on disk, so that a command line does not compile again what an earlier
one compiled: a cold ``govrules evaluate`` reads one small file per policy instead of parsing
YAML and running every compiler stage.

    cache = PolicyCache.default()      # None when GOVRULES_CACHE=off or no safe folder exists
    key = cache.policy_key(raw, display, pack_ref, sources, root)
    policy = cache.load_policy(key)    # None: absent, corrupt, foreign or stale -- compile it
    cache.store_policy(key, policy, conditions)
    calendar = cache.calendar()        # the years earlier commands built, without `holidays`

An entry is named by a digest of everything that went into the compiled policy: the bytes of the
policy file, the name positions give it, its pack (id, version, manifest digest), the name and
bytes of every source document it could cite, the folder commands run from, and the code that
compiles (every module of ``language/``, ``compiler/`` and ``packs/`` and the ground modules,
by content), the Python and pydantic versions. Change one byte of any of them and the entry is
another one; nothing is ever trusted because of a date or a size.

Entries are pickles, which run code when read, so only entries this user's govrules wrote are
read: the folder (``$XDG_CACHE_HOME/govrules``, else ``~/.cache/govrules``) must belong to the
user and be writable by nobody else, and every entry carries an HMAC-SHA256 under a random key
kept in that folder (mode 0600). An entry whose HMAC, format or key does not match -- corrupt,
truncated, copied from elsewhere -- is ignored and written again. Anyone who can write the key
file can already write the user's files; the cache adds no way in.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import io
import os
import pickle
import secrets
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from govrules.calendar import CalendarSnapshot, WorkingDayCalendar
from govrules.compiler.policy import CompiledInput, CompiledPolicy
from govrules.language.expr import Checked, compile_expression
from govrules.language.expr.checked import _NO_CONSTANT
from govrules.language.sources import SourceDocument
from govrules.packs.manifest import PackRef

__all__ = [
    "CACHE_FORMAT",
    "PolicyCache",
    "cache_folder",
    "folder_listing",
]

CACHE_FORMAT = "govrules-cache/1"
_MAGIC = CACHE_FORMAT.encode() + b"\n"
_DIGEST_SIZE = hashlib.sha256().digest_size
_KEY_FILE = "hmac.key"
# the code whose every byte is part of an entry's name: what shapes a compiled policy
_CODE_FOLDERS = ("language", "compiler", "packs")
_GROUND = ("errors", "spans", "citations", "values", "canonical", "versions", "calendar")
# objects compared by identity inside a compiled policy: pickled by name, restored as themselves
_SHARED: dict[str, Any] = {"no-constant": _NO_CONSTANT}
_SHARED_NAMES = {id(value): name for name, value in _SHARED.items()}


def cache_folder() -> Path | None:
    """Where the cache lives, or ``None`` when ``GOVRULES_CACHE`` is ``off`` (or ``0``)."""
    if os.environ.get("GOVRULES_CACHE", "").strip().lower() in ("off", "0", "no", "false"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "govrules"


@functools.cache
def _code_digest() -> str:
    """The digest of the code that compiles, and of the interpreter and pydantic that run it."""
    import pydantic
    import pydantic_core

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, sys.version, pydantic.VERSION, pydantic_core.__version__):
        digest.update(part.encode() + b"\0")
    files = [package / f"{name}.py" for name in _GROUND]
    for folder in _CODE_FOLDERS:
        files.extend(sorted((package / folder).rglob("*.py")))
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _calendar_key() -> str:
    """The calendar's tables depend on its code and on the ``holidays`` data it reads."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        holidays = version("holidays")
    except PackageNotFoundError:
        holidays = "?"
    return hashlib.sha256(f"{_code_digest()}\0holidays {holidays}".encode()).hexdigest()


def folder_listing(
    folder: Path, display: str, known: Mapping[str, str] | None = None
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The source documents a folder offers, as (its display name, ((file name, sha256), ...)):
    what a policy compiled against that folder could have read. ``known``: the digests of the
    folder's files by name, already computed (a pack's manifest)."""
    if not folder.is_dir():
        return display, ()
    found = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("."):  # a document id never starts with a dot
            continue
        written = known.get(path.name) if known is not None else None
        found.append((path.name, written or "sha256:" + _file_digest(path)))
    return display, tuple(found)


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Pickler(pickle.Pickler):
    """A compiled policy by value (it pickles by reference elsewhere: ``restore.py``), its
    ``required_when`` closures as their checked trees, sentinels by name."""

    def __init__(
        self, file: io.BytesIO, conditions: Mapping[str, Checked], frame_slot: int = -1
    ) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._conditions = conditions
        self._frame_slot = frame_slot

    def persistent_id(self, obj: Any) -> str | None:
        return _SHARED_NAMES.get(id(obj))

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is CompiledPolicy:
            return _rebuild_policy, (_init_fields(obj),)
        if kind is CompiledInput and obj.required_when is not None:
            fields = _init_fields(obj)
            fields["required_when"] = None
            return _rebuild_input, (fields, self._conditions[obj.name], self._frame_slot)
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        if pid not in _SHARED:
            raise pickle.UnpicklingError(f"unknown shared object {pid!r}")
        return _SHARED[pid]


def _init_fields(obj: Any) -> dict[str, Any]:
    return {
        field.name: getattr(obj, field.name)
        for field in dataclasses.fields(obj)
        if field.init and not field.name.startswith("_")
    }


def _rebuild_input(fields: dict[str, Any], condition: Checked, frame_slot: int) -> CompiledInput:
    # compiled as ``declarations.compile_inputs`` compiles it: untraced, the policy's frame slot
    fields["required_when"] = compile_expression(condition, frame_slot=frame_slot)
    return CompiledInput(**fields)


def _rebuild_policy(fields: dict[str, Any]) -> CompiledPolicy:
    return CompiledPolicy(**fields)  # registers itself by content hash, as a compiled one does


class PolicyCache:
    """The compiled policies (and a calendar snapshot) of one user, in one folder."""

    def __init__(self, folder: Path, secret: bytes) -> None:
        self.folder = folder
        self._secret = secret
        self._calendar_years: set[int] | None = None  # those of the snapshot read, if any

    @classmethod
    def default(cls) -> PolicyCache | None:
        """The user's cache; ``None`` when it is turned off or its folder is not safe to read
        (not the user's, or writable by others) or cannot be made."""
        folder = cache_folder()
        if folder is None:
            return None
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _private(folder):
                return None
            return cls(folder, _secret(folder / _KEY_FILE))
        except OSError:
            return None

    # ------------------------------------------------------------------ policies

    def policy_key(
        self,
        raw: bytes,
        display: str,
        pack: PackRef | None,
        sources: Sequence[tuple[str, tuple[tuple[str, str], ...]]],
        root: Path | None,
    ) -> str:
        """The name of the entry of a policy compiled from ``raw`` with these inputs."""
        digest = hashlib.sha256()
        parts: Iterable[object] = (
            _code_digest(),
            str(root.resolve()) if root is not None else "",
            display,
            hashlib.sha256(raw).hexdigest(),
            (pack.id, pack.version, pack.manifest) if pack is not None else "",
            tuple(sources),
        )
        for part in parts:
            digest.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
        return digest.hexdigest()

    def load_policy(self, key: str) -> CompiledPolicy | None:
        """The compiled policy stored under ``key``, or ``None``."""
        policy = self.load("policy", key)
        return policy if type(policy) is CompiledPolicy else None

    def store_policy(
        self, key: str, policy: CompiledPolicy, conditions: Mapping[str, Checked]
    ) -> None:
        """Keep ``policy`` under ``key`` (``conditions``: its inputs' checked ``required_when``)."""
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, conditions, policy.frame_slot).dump(policy)
        except Exception:  # noqa: BLE001 - a policy that does not pickle is compiled each time
            return
        self._write("policy", key, buffer.getvalue())

    # ------------------------------------------------------------------ source documents

    def load_document(self, raw: bytes, display: str) -> SourceDocument | None:
        """The source document read from these bytes under this name, as read before."""
        document = self.load("source", self._document_key(raw, display))
        return document if type(document) is SourceDocument else None

    def store_document(self, raw: bytes, display: str, document: SourceDocument) -> None:
        self.store("source", self._document_key(raw, display), document)

    def _document_key(self, raw: bytes, display: str) -> str:
        digest = hashlib.sha256(f"{_code_digest()}\0{display}\0".encode("utf-8", "surrogatepass"))
        digest.update(hashlib.sha256(raw).digest())
        return digest.hexdigest()

    # ------------------------------------------------------------------ the calendar

    def calendar(self) -> WorkingDayCalendar | None:
        """The PRC calendar with the years earlier commands built (``keep_calendar``), which
        answers for them without importing the ``holidays`` package; ``None`` before any."""
        snapshot = self.load("calendar", _calendar_key())
        if not isinstance(snapshot, CalendarSnapshot):
            return None
        self._calendar_years = {data[0] for data in snapshot.years}
        return WorkingDayCalendar.from_snapshot(snapshot)

    def keep_calendar(self, calendar: WorkingDayCalendar) -> None:
        """Keep the years ``calendar`` has built, when it built any the cache lacks (and its
        provenance, which a decision records, when the cache holds no snapshot yet)."""
        snapshot = calendar.snapshot()
        known = self._calendar_years
        if known is not None and {data[0] for data in snapshot.years} <= known:
            return
        self.store("calendar", _calendar_key(), snapshot)

    # ------------------------------------------------------------------ anything else

    def load(self, kind: str, key: str) -> Any:
        """A value stored with ``store`` (a calendar snapshot), or ``None``."""
        found = self._read(kind, key)
        if found is None:
            return None
        try:
            return _Unpickler(io.BytesIO(found)).load()
        except Exception:  # noqa: BLE001 - an entry of other code: made again instead
            return None

    def store(self, kind: str, key: str, value: Any) -> None:
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, {}).dump(value)
        except Exception:  # noqa: BLE001
            return
        self._write(kind, key, buffer.getvalue())

    # ------------------------------------------------------------------ files

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / f"{key}.pickle"

    def _seal(self, kind: str, key: str, payload: bytes) -> bytes:
        label = f"{kind}/{key}".encode()
        return hmac.new(self._secret, label + b"\0" + payload, hashlib.sha256).digest()

    def _read(self, kind: str, key: str) -> bytes | None:
        try:
            content = self._path(kind, key).read_bytes()
        except OSError:
            return None
        head = len(_MAGIC) + _DIGEST_SIZE
        if not content.startswith(_MAGIC) or len(content) < head:
            return None
        seal, payload = content[len(_MAGIC) : head], content[head:]
        if not hmac.compare_digest(seal, self._seal(kind, key, payload)):
            return None  # corrupt, or not written under this user's key: never unpickled
        return payload

    def _write(self, kind: str, key: str, payload: bytes) -> None:
        content = _MAGIC + self._seal(kind, key, payload) + payload
        path = self._path(kind, key)
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            # written aside, then renamed: a reader sees the whole entry or none
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(content)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass  # a full disk or a read-only home: the next command compiles again


def _private(folder: Path) -> bool:
    """The folder is the user's and nobody else may write in it."""
    status = folder.stat()
    getuid = getattr(os, "getuid", None)
    if getuid is not None and status.st_uid != getuid():
        return False
    return not status.st_mode & 0o022


def _secret(path: Path) -> bytes:
    """The HMAC key of the cache, made on first use (readable by the user alone)."""
    if not path.exists():
        # written aside and linked into place: two first commands agree on one key, and
        # neither reads a key half written
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(secrets.token_bytes(32))
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    status = path.stat()
    getuid = getattr(os, "getuid", None)
    if (getuid is not None and status.st_uid != getuid()) or status.st_mode & 0o077:
        raise OSError(f"{path} is not private to this user")
    secret = path.read_bytes()
    if len(secret) < 32:
        raise OSError(f"{path} is too short to be a key")
    return secret
