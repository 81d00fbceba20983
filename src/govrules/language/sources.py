"""Source documents: loading them and resolving citations to their clauses.

Documents are looked up by id in the ``sources/`` folders the library is given; a document is
read from ``<id>.yaml`` the first time a policy cites it, so that a policy run never pays for
the documents it does not use.

    library = SourceLibrary([Path("policies/sources")])
    document = library.get("cn.jilin.taobei.wage_deposit_integrity")
    document.citation("art4.item1"), document.law_kind, document.model   # the file model

A document keeps in plain values what a decision reads of it (its title, its place in the
hierarchy of law, its clauses); one taken from the compiled cache reads its file model (a
pydantic model) only when ``model`` is first asked for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from govrules.citations import Citation
from govrules.errors import Diagnostic, PolicyLoadError
from govrules.language.reader import read_yaml_bytes
from govrules.records import record
from govrules.spans import SourceSpan

if TYPE_CHECKING:
    from govrules.language.files import SourceDocumentModel

__all__ = ["DocumentCache", "SourceDocument", "SourceLibrary", "kept_model"]

# a clause as a citation shows it: label, text, verification, excerpt
_Clause = tuple[str, str, str, bool]


@record(init=False)
class SourceDocument:
    """A loaded source document: its metadata, its clauses, and a hash of its file."""

    _model: SourceDocumentModel | None = field(repr=False, compare=False)
    # the file model as pickled bytes, read on first use (a document from the compiled cache)
    _model_blob: bytes | None = field(repr=False, compare=False)
    path: str
    content_hash: str
    id: str = field(compare=False)
    title_zh: str = field(compare=False)
    title_en: str = field(compare=False)
    document_number: str | None = field(compare=False)
    law_kind: str | None = field(compare=False)
    level: str | None = field(compare=False)
    issuer: str | None = field(compare=False)
    issued: dt.date | None = field(compare=False)
    effective: dt.date | None = field(compare=False)
    _clauses: dict[str, _Clause] = field(repr=False, compare=False)

    def __init__(
        self,
        model: SourceDocumentModel | None,
        path: str,
        content_hash: str,
        *,
        plain: dict[str, object] | None = None,
        model_blob: bytes | None = None,
    ) -> None:
        """A document from its file ``model``; or, from the compiled cache, from its ``plain``
        values (``plain_values()``) and its file model kept as ``model_blob``."""
        if plain is None:
            if model is None:
                raise TypeError("a source document needs its file model, or its plain values")
            plain = _plain_values(model)
        elif model is None and model_blob is None:
            raise TypeError("a source document restored from plain values needs its file model")
        given: dict[str, object] = {
            "_model": model,
            "_model_blob": model_blob,
            "path": path,
            "content_hash": content_hash,
            **plain,
        }
        for name, value in given.items():
            object.__setattr__(self, name, value)

    @property
    def model(self) -> SourceDocumentModel:
        """The document's file model; one from the compiled cache reads it on first use (from
        the bytes kept in the entry its HMAC sealed: ``compiler/cache.py``)."""
        return kept_model(self)  # type: ignore[no-any-return]

    def plain_values(self) -> dict[str, object]:
        """What the document holds besides its file model, as the constructor takes it."""
        return {name: getattr(self, name) for name in _PLAIN}

    def citation(self, clause_id: str) -> Citation | None:
        clause = self._clauses.get(clause_id)
        if clause is None:
            return None
        label, text, verification, excerpt = clause
        return Citation(
            document=self.id,
            clause=clause_id,
            document_title=self.title_zh,
            document_title_en=self.title_en,
            document_number=self.document_number,
            label=label,
            text=text,
            verification=verification,
            excerpt=excerpt,
        )


_PLAIN = (
    "id",
    "title_zh",
    "title_en",
    "document_number",
    "law_kind",
    "level",
    "issuer",
    "issued",
    "effective",
    "_clauses",
)


def _plain_values(model: SourceDocumentModel) -> dict[str, object]:
    return {
        "id": model.id,
        "title_zh": model.title.zh,
        "title_en": model.title.en,
        "document_number": model.document_number,
        "law_kind": model.law_kind,
        "level": model.level,
        "issuer": model.issuer,
        "issued": model.issued,
        "effective": model.effective,
        "_clauses": {
            clause_id: (
                clause.label,
                clause.text,
                clause.verification or model.verification,
                clause.excerpt,
            )
            for clause_id, clause in model.clauses.items()
        },
    }


class DocumentCache(Protocol):
    """Where read documents are kept between processes, by the digest of their bytes and the
    name positions give them (``compiler/cache.py``)."""

    def load_document(self, raw: bytes, display: str) -> SourceDocument | None: ...

    def store_document(self, raw: bytes, display: str, document: SourceDocument) -> None: ...


class SourceLibrary:
    """The source documents found in some folders, read on first use (or taken from a
    ``DocumentCache``, when one is given)."""

    def __init__(
        self,
        folders: Sequence[Path],
        root: Path | None = None,
        shared: dict[Path, SourceDocument] | None = None,
        cache: DocumentCache | None = None,
    ) -> None:
        self.folders = tuple(folders)
        self.root = root
        self.cache = cache
        # documents already read by another library over some of the same folders
        self._shared: dict[Path, SourceDocument] = shared if shared is not None else {}
        # documents of packs this library may not cite: document id -> pack id (for hints)
        self.elsewhere: dict[str, str] = {}
        self._documents: dict[str, SourceDocument] = {}
        self._failures: dict[str, tuple[Diagnostic, ...]] = {}

    def display(self, path: Path) -> str:
        """How positions name ``path``: relative to the root when it is inside it."""
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return path.as_posix()

    def paths(self) -> list[Path]:
        found: list[Path] = []
        for folder in self.folders:
            found.extend(sorted(folder.glob("*.yaml")))
        return found

    def ids(self) -> list[str]:
        return [path.stem for path in self.paths()]

    def _path_for(self, document_id: str) -> Path | None:
        for folder in self.folders:
            candidate = folder / f"{document_id}.yaml"
            if candidate.is_file():
                return candidate
        return None

    def get(self, document_id: str) -> SourceDocument | None:
        """The document, or ``None`` when there is no file for it; raises if the file is bad."""
        if document_id in self._documents:
            return self._documents[document_id]
        if document_id in self._failures:
            raise PolicyLoadError(self._failures[document_id])
        path = self._path_for(document_id)
        if path is None:
            return None
        if path in self._shared:
            document = self._documents[document_id] = self._shared[path]
            return document
        try:
            document = self._shared[path] = self.load(path)
        except PolicyLoadError as error:
            self._failures[document_id] = tuple(error.diagnostics)
            raise
        self._documents[document_id] = document
        return document

    def load(self, path: Path) -> SourceDocument:
        """Read and check one source file."""
        display = self.display(path)
        try:
            raw = path.read_bytes()
        except OSError as error:
            where = SourceSpan(display, 1, 1)
            problem = Diagnostic("file-unreadable", error.strerror or str(error), where)
            raise PolicyLoadError([problem]) from None
        if self.cache is not None:
            kept = self.cache.load_document(raw, display)
            if kept is not None and kept.id == path.stem:
                return kept
        from pydantic import ValidationError

        from govrules.language.file_errors import diagnostics_from_validation
        from govrules.language.files import SourceDocumentModel

        data = read_yaml_bytes(raw, display)
        try:
            model = SourceDocumentModel.model_validate(data)
        except ValidationError as error:
            raise PolicyLoadError(diagnostics_from_validation(error, data, display)) from None
        if model.id != path.stem:
            raise PolicyLoadError(
                [
                    Diagnostic(
                        "source-id-mismatch",
                        f"the file defines '{model.id}' but is named '{path.name}'",
                        model.span_of("id") or SourceSpan(display, 1, 1),
                        f"rename the file to {model.id}.yaml",
                    )
                ]
            )
        document = SourceDocument(model, display, hashlib.sha256(raw).hexdigest())
        if self.cache is not None:
            self.cache.store_document(raw, display, document)
        return document

    def check_all(self) -> list[Diagnostic]:
        """Load every source file, returning the problems of all of them."""
        problems: list[Diagnostic] = []
        for path in self.paths():
            try:
                self.get(path.stem)
            except PolicyLoadError as error:
                problems.extend(error.diagnostics)
        return problems

    def documents(self) -> Iterable[SourceDocument]:
        for document_id in self.ids():
            document = self.get(document_id)
            if document is not None:
                yield document


def kept_model(holder: Any) -> Any:
    """``holder``'s file model (a frozen object with ``_model`` and ``_model_blob``): the one it
    holds, else unpickled once from the bytes its cache entry kept (sealed with the entry's
    HMAC: ``compiler/cache.py``) and held from then on."""
    model = holder._model
    if model is None:
        import pickle

        assert holder._model_blob is not None  # the constructor asks for one or the other
        model = pickle.loads(holder._model_blob)  # noqa: S301 - sealed with its entry
        object.__setattr__(holder, "_model", model)
    return model
