"""What is installed, read from the distributions' metadata folders on ``sys.path`` the way
``importlib.metadata`` finds them, but without importing it (30-40 ms at a command's start):
whether any distribution may declare a pack (entry-point group ``govrules.packs``), and an
exact digest of one installed distribution (its ``RECORD``: the digest of every file it put
in place), to name what a cached value was made with.

    no_installed_packs()           # True: no entry_points.txt mentions govrules.packs
    distribution_digest("holidays")   # 'sha256:…' of holidays' RECORD, or None

Both answer ``None`` when ``sys.path`` holds something this reading cannot see into exactly
(a zip archive, an import hook that finds distributions): the caller then asks
``importlib.metadata`` as before.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.machinery
import os
import re
import sys
from collections.abc import Iterator

__all__ = ["distribution_digest", "metadata_folders", "no_installed_packs"]

_GROUP = b"govrules.packs"
_SUFFIXES = (".dist-info", ".egg-info")
# finders that find distributions exactly as importlib.metadata's PathFinder does: the
# importlib_metadata backport, which libraries that support older Pythons import and which
# then adds its finder to sys.meta_path
_ALSO_ON_SYS_PATH = {("importlib_metadata", "MetadataPathFinder")}


def metadata_folders() -> list[str] | None:
    """Every ``*.dist-info`` and ``*.egg-info`` folder on ``sys.path``, in the order
    ``importlib.metadata`` visits them; ``None`` when it may find distributions elsewhere.
    Listed once per ``sys.path`` and import hooks (the folders are read each time asked)."""
    found = _listing(tuple(sys.path), tuple(map(id, sys.meta_path)))
    return None if found is None else list(found)


@functools.lru_cache(maxsize=4)
def _listing(path: tuple[str, ...], _hooks: tuple[int, ...]) -> tuple[str, ...] | None:
    for finder in sys.meta_path:
        if hasattr(finder, "find_distributions") and finder is not importlib.machinery.PathFinder:
            kind = finder if isinstance(finder, type) else type(finder)
            if (kind.__module__, kind.__qualname__) in _ALSO_ON_SYS_PATH:
                continue
            return None  # an import hook of its own that finds distributions
    found: list[str] = []
    for entry in path:
        folder = entry or "."  # importlib.metadata reads the empty entry as the current folder
        try:
            with os.scandir(folder) as listing:
                names = sorted(item.name for item in listing)
        except NotADirectoryError:
            return None  # a zip archive on sys.path
        except OSError:
            continue  # a folder that does not exist: importlib.metadata skips it too
        found.extend(
            os.path.join(folder, name) for name in names if name.lower().endswith(_SUFFIXES)
        )
    return tuple(found)


def no_installed_packs() -> bool | None:
    """Whether no installed distribution declares an entry point of ``govrules.packs``
    (no ``entry_points.txt`` so much as names the group); ``None``: it cannot be told."""
    folders = metadata_folders()
    if folders is None:
        return None
    for folder in folders:
        try:
            with open(os.path.join(folder, "entry_points.txt"), "rb") as file:
                text = file.read()
        except (FileNotFoundError, NotADirectoryError):  # an egg-info file holds none
            continue
        except OSError:
            return None
        if _GROUP in text:
            return False
    return True


def distribution_digest(name: str) -> str | None:
    """The sha256 of the ``RECORD`` (else ``PKG-INFO``/``METADATA``) of the distribution
    ``name`` that ``importlib.metadata`` would find first, or ``None`` (not found, or not
    told exactly)."""
    folders = metadata_folders()
    if folders is None:
        return None
    wanted = _normalised(name)
    for folder in _named(folders, wanted):
        for file_name in ("RECORD", "METADATA", "PKG-INFO"):
            try:
                with open(os.path.join(folder, file_name), "rb") as file:
                    content = file.read()
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError:
                return None
            label = f"{os.path.basename(folder)}/{file_name}\0".encode()
            return "sha256:" + hashlib.sha256(label + content).hexdigest()
        return None
    return None


def _named(folders: list[str], wanted: str) -> Iterator[str]:
    for folder in folders:
        stem = os.path.basename(folder).rsplit(".", 1)[0]
        # 'holidays-0.109' -> 'holidays'; a distribution's folder is '<name>-<version>'
        if _normalised(stem.split("-", 1)[0]) == wanted:
            yield folder


def _normalised(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()
