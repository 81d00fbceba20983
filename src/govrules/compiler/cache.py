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

# Longer than 400 lines because the entries' names, their sealing and the pickling of what they
# hold (policies, documents, file models kept as bytes) must change together.

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import io
import os
import pickle
import sys
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from govrules.calendar import CalendarSnapshot, WorkingDayCalendar
from govrules.compiler.header import PolicyHeader
from govrules.compiler.policy import CompiledInput, CompiledPolicy
from govrules.language.expr.checked import _NO_CONSTANT, Checked
from govrules.language.sources import SourceDocument
from govrules.packs.installed import distribution_digest
from govrules.packs.manifest import PackRef
from govrules.records import record_setstate

__all__ = [
    "CACHE_FORMAT",
    "PolicyCache",
    "cache_folder",
    "code_digest",
    "folder_listing",
]

CACHE_FORMAT = "govrules-cache/3"
_MAGIC = CACHE_FORMAT.encode() + b"\n"
_DIGEST_SIZE = hashlib.sha256().digest_size
_KEY_FILE = "hmac.key"
# the code whose every byte is part of an entry's name: what shapes a compiled policy
_CODE_FOLDERS = ("language", "compiler", "packs")
_GROUND = ("errors", "spans", "citations", "values", "canonical", "versions", "calendar", "records")
# objects compared by identity inside a compiled policy: pickled by name, restored as themselves
_SHARED: dict[str, Any] = {"no-constant": _NO_CONSTANT}
_SHARED_NAMES = {id(value): name for name, value in _SHARED.items()}
# an input's compiled ``required_when`` -> its checked tree and the policy's frame slot: what it
# is compiled again from when the policy is read back (a closure does not pickle)
_CONDITIONS: weakref.WeakKeyDictionary[Callable[..., Any], tuple[Checked, int]] = (
    weakref.WeakKeyDictionary()
)


def cache_folder() -> Path | None:
    """Where the cache lives, or ``None`` when ``GOVRULES_CACHE`` is ``off`` (or ``0``)."""
    if os.environ.get("GOVRULES_CACHE", "").strip().lower() in ("off", "0", "no", "false"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "govrules"


@functools.cache
def code_digest() -> str:
    """The digest of the code that compiles, and of the interpreter and pydantic that run it
    (pydantic by the record of its installed files, read without importing it)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, sys.version, *_pydantic_versions()):
        digest.update(part.encode() + b"\0")
    files = [f"{name}.py" for name in _GROUND]
    for folder in _CODE_FOLDERS:
        files.extend(sorted(_python_files(package, folder)))
    for name in files:
        with open(os.path.join(package, name), "rb") as file:
            content = file.read()
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def _python_files(package: str, folder: str) -> list[str]:
    """The ``.py`` files under ``package/folder`` (every level), as posix paths from
    ``package``: what ``Path.rglob("*.py")`` finds, a few times faster."""
    found: list[str] = []
    for parent, _, names in os.walk(os.path.join(package, folder)):
        relative = os.path.relpath(parent, package).replace(os.sep, "/")
        found.extend(f"{relative}/{name}" for name in names if name.endswith(".py"))
    return found


def _pydantic_versions() -> tuple[str, str]:
    found = (distribution_digest("pydantic"), distribution_digest("pydantic_core"))
    if found[0] is not None and found[1] is not None:
        return found[0], found[1]
    import pydantic  # installed in a way the metadata folders do not tell exactly
    import pydantic_core

    return pydantic.VERSION, pydantic_core.__version__


def _calendar_key() -> str:
    """The calendar's tables depend on its code and on the ``holidays`` data it reads (the
    record of every file the installed ``holidays`` holds, else its version)."""
    holidays = distribution_digest("holidays")
    if holidays is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            holidays = version("holidays")
        except PackageNotFoundError:
            holidays = "?"
    return hashlib.sha256(f"{code_digest()}\0holidays {holidays}".encode()).hexdigest()


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
    ``required_when`` closures as their checked trees, sentinels by name, and the file model
    of a policy or a source document as bytes of their own (read when first asked for)."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)

    def persistent_id(self, obj: Any) -> str | None:
        return _SHARED_NAMES.get(id(obj))

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is CompiledPolicy:
            fields = _init_fields(obj)
            return _rebuild_policy, (fields, obj.header, _model_bytes(obj))
        if kind is SourceDocument:
            plain = obj.plain_values()
            return _rebuild_document, (obj.path, obj.content_hash, plain, _model_bytes(obj))
        if kind is CompiledInput and obj.required_when is not None:
            fields = _init_fields(obj)
            fields["required_when"] = None
            condition, frame_slot = _CONDITIONS[obj.required_when]
            return _rebuild_input, (fields, condition, frame_slot)
        if getattr(kind, "__setstate__", None) in _FROZEN_SETSTATES:
            # a frozen slotted dataclass or record (the checked trees, the rules, the citations: a
            # thousand of them in a policy), made again without dataclasses' generic setstate,
            # which looks up the class's fields for every object it restores
            return _slotted, (kind, tuple(getattr(obj, name) for name in _slot_names(kind)))
        return NotImplemented


# what ``dataclass(frozen=True, slots=True)`` and ``record`` give a class to unpickle with (the
# same function where this Python's dataclasses has one)
_FROZEN_SETSTATES = frozenset(
    found
    for found in (getattr(dataclasses, "_dataclass_setstate", None), record_setstate)
    if found is not None
)
_SETTERS: dict[type, tuple[Callable[[Any, Any], None], ...]] = {}


def _slot_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(kind))


def _slotted(kind: type, values: tuple[Any, ...]) -> Any:
    """An instance of the frozen slotted dataclass ``kind`` holding ``values``, field by field,
    as ``dataclasses``' own setstate makes it."""
    setters = _SETTERS.get(kind)
    if setters is None:
        setters = _SETTERS[kind] = tuple(getattr(kind, name).__set__ for name in _slot_names(kind))
    made: Any = object.__new__(kind)
    for put, value in zip(setters, values, strict=True):
        put(made, value)
    return made


def _model_bytes(obj: CompiledPolicy | SourceDocument) -> bytes:
    """The file model of ``obj`` pickled on its own, as it was read (if it was not read yet)."""
    if obj._model is None and obj._model_blob is not None:
        return obj._model_blob
    return pickle.dumps(obj.model, protocol=pickle.HIGHEST_PROTOCOL)


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        if pid not in _SHARED:
            raise pickle.UnpicklingError(f"unknown shared object {pid!r}")
        return _SHARED[pid]


# the fields a compiled policy is made again from, besides its file model and header
_POLICY_FIELDS = (
    "path",
    "content_hash",
    "inputs",
    "parameters",
    "outputs",
    "rules",
    "outcome_slot",
    "as_of_slot",
    "frame_slot",
    "interpretations",
    "bindings",
    "pack",
)


def _init_fields(obj: Any) -> dict[str, Any]:
    if type(obj) is CompiledPolicy:
        return {name: getattr(obj, name) for name in _POLICY_FIELDS}
    return {
        field.name: getattr(obj, field.name)
        for field in dataclasses.fields(obj)
        if field.init and not field.name.startswith("_")
    }


def _rebuild_input(fields: dict[str, Any], condition: Checked, frame_slot: int) -> CompiledInput:
    from govrules.language.expr.compiler import compile_expression

    # compiled as ``declarations.compile_inputs`` compiles it: untraced, the policy's frame slot
    fields["required_when"] = compiled = compile_expression(condition, frame_slot=frame_slot)
    _CONDITIONS[compiled] = (condition, frame_slot)
    return CompiledInput(**fields)


def _rebuild_policy(fields: dict[str, Any], header: PolicyHeader, model: bytes) -> CompiledPolicy:
    # registers itself by content hash, as a compiled one does
    return CompiledPolicy(None, **fields, header=header, model_blob=model)


def _rebuild_document(
    path: str, content_hash: str, plain: dict[str, object], model: bytes
) -> SourceDocument:
    return SourceDocument(None, path, content_hash, plain=plain, model_blob=model)


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
            code_digest(),
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
        for item in policy.inputs:
            if item.required_when is not None and item.name in conditions:
                _CONDITIONS[item.required_when] = (conditions[item.name], policy.frame_slot)
        payload = self.dump_bytes(policy)
        if payload is not None:  # a policy that does not pickle is compiled each time
            self._write("policy", key, payload)

    # ------------------------------------------------------------------ source documents

    def load_document(self, raw: bytes, display: str) -> SourceDocument | None:
        """The source document read from these bytes under this name, as read before."""
        document = self.load("source", self._document_key(raw, display))
        return document if type(document) is SourceDocument else None

    def store_document(self, raw: bytes, display: str, document: SourceDocument) -> None:
        self.store("source", self._document_key(raw, display), document)

    def _document_key(self, raw: bytes, display: str) -> str:
        digest = hashlib.sha256(f"{code_digest()}\0{display}\0".encode("utf-8", "surrogatepass"))
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
        return self.load_bytes(found)

    def store(self, kind: str, key: str, value: Any) -> None:
        payload = self.dump_bytes(value)
        if payload is not None:
            self._write(kind, key, payload)

    def dump_bytes(self, value: Any) -> bytes | None:
        """``value`` pickled as an entry holds it (``None``: it does not pickle); only what
        ``load_bytes`` reads back, inside an entry this cache sealed."""
        buffer = io.BytesIO()
        try:
            _Pickler(buffer).dump(value)
        except Exception:  # noqa: BLE001 - not kept: made again each time instead
            return None
        return buffer.getvalue()

    def load_bytes(self, payload: bytes) -> Any:
        """What ``dump_bytes`` made, read from an entry this cache sealed; ``None`` if it
        cannot be read (an entry of other code: made again instead)."""
        try:
            return _Unpickler(io.BytesIO(payload)).load()
        except Exception:  # noqa: BLE001
            return None

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
            import tempfile

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
        import secrets
        import tempfile

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
