"""A strict YAML reader that remembers where every key and value came from.

Policy files are written by people, so the reader refuses what YAML would otherwise accept
silently: duplicate keys, aliases (and so alias bombs), absurd nesting, oversized files,
floats (numbers become exact ``Decimal``), YAML 1.1 booleans such as ``yes`` or ``on``
(they stay strings, and a field that takes a bool refuses them by name), timestamps with a
time of day, tags (on scalars, lists and mappings alike), and control characters -- written
in the file or as an escape inside quotes -- other than tab, line feed and carriage return.

    data = read_yaml_text("a: 1\\nb: [x, y]\\n", "example.yaml")
    data["b"].spans[1]            # SourceSpan('example.yaml', 2, 8)
    data.key_spans["b"]           # where the key ``b`` is written

The events come from libyaml when PyYAML has it (``events.py``); the strict composer and every
check above are the same Python code either way. A file the fast path refuses is read again by
the pure-Python path, so that every error names the same place with the same words whichever
path is available. Before either, a file with nothing to refuse is built in one pass straight
from the events (``one_pass.py``), the same tree without the composer's nodes; at the first
thing that pass does not handle itself, the file is read again as above. A case file is
tried first by a reader of plain YAML that needs no PyYAML at all (``plain_first=True``,
``plain_yaml.py``): a short file is read in less time than importing PyYAML takes, and
whatever that reader is not sure of is read as above, so every message stays the same.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from govrules.errors import Diagnostic, PolicyLoadError
from govrules.language.characters import (
    CONTROL,
    control_characters,
    control_name,
    position,
)
from govrules.language.collector import collector_paused
from govrules.language.events import Refused, loaders
from govrules.language.located_yaml import (
    STANDARD_TAG,
    LocatedList,
    LocatedMap,
    scalar_value,
    tag_refused,
)
from govrules.language.one_pass import build_from_events
from govrules.language.plain_yaml import read_plain_yaml
from govrules.spans import SourceSpan

if TYPE_CHECKING:
    from yaml import Mark
    from yaml.nodes import Node, ScalarNode

__all__ = [
    "LocatedList",
    "LocatedMap",
    "read_yaml_bytes",
    "read_yaml_file",
    "read_yaml_text",
    "span_at",
]

MAX_BYTES = 2 * 1024 * 1024
_PLAIN_TAGS = {"mapping": STANDARD_TAG + "map", "sequence": STANDARD_TAG + "seq"}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)


def _span(file: str, mark: Mark) -> SourceSpan:
    return SourceSpan(file, mark.line + 1, mark.column + 1)


def _content_span(file: str, node: Node) -> SourceSpan:
    """Where the first character of a scalar's content is (after an opening quote)."""
    span = _span(file, node.start_mark)
    style = getattr(node, "style", None)
    if style in ("'", '"'):
        return span.shifted(1)
    if style in ("|", ">"):
        return SourceSpan(file, span.line + 1, span.column + 2)
    return span


class _Builder:
    def __init__(self, file: str, text: str) -> None:
        self.file, self.text = file, text
        self.diagnostics: list[Diagnostic] = []

    def build(self, node: Node) -> Any:
        kind: str = node.id  # type: ignore[attr-defined]  # 'mapping', 'sequence', 'scalar'
        plain = _PLAIN_TAGS.get(kind)
        if plain is not None and node.tag != plain:  # !!set, !!omap, !custom: refused, not dropped
            self.diagnostics.append(tag_refused(node.tag, _span(self.file, node.start_mark)))
        if kind == "mapping":
            return self._mapping(node)
        if kind == "sequence":
            items = LocatedList(self.build(child) for child in node.value)
            items.span = _span(self.file, node.start_mark)
            items.spans = [_content_span(self.file, child) for child in node.value]
            return items
        return self._scalar(cast("ScalarNode", node))

    def _mapping(self, node: Node) -> LocatedMap:
        result = LocatedMap()
        result.span = _span(self.file, node.start_mark)
        result.key_spans, result.value_spans = {}, {}
        for key_node, value_node in node.value:
            key_span = _span(self.file, key_node.start_mark)
            if key_node.id != "scalar":
                self.diagnostics.append(Diagnostic("yaml-key", "keys must be plain text", key_span))
                continue
            key = key_node.value
            self._controls(key_node, key_span)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.diagnostics.append(
                    Diagnostic("yaml-merge", "merge keys (<<) are not allowed", key_span)
                )
                continue
            if key in result:
                first = result.key_spans[key]
                self.diagnostics.append(
                    Diagnostic(
                        "duplicate-key",
                        f"key '{key}' is written twice; the first is at line "
                        f"{first.line}, column {first.column}",
                        key_span,
                        "keep one; YAML would silently keep the last",
                    )
                )
                continue
            result[key] = self.build(value_node)
            result.key_spans[key] = key_span
            result.value_spans[key] = _content_span(self.file, value_node)
        return result

    def _scalar(self, node: ScalarNode) -> Any:
        span = _content_span(self.file, node)
        self._controls(node, span)
        return scalar_value(node.tag, node.value, span, self.diagnostics)

    def _controls(self, node: ScalarNode, span: SourceSpan) -> None:
        """A control character that an escape inside double quotes put into a value
        (``"\\e"``), located at the escape."""
        found = CONTROL.search(node.value)
        if found is None:
            return
        from yaml.scanner import Scanner

        raw = self.text[node.start_mark.index : node.end_mark.index]
        for escape in _ESCAPE.finditer(raw):
            written = escape.group(1)
            code = written[1:] if written[0] in Scanner.ESCAPE_CODES else None
            character = chr(int(code, 16)) if code else Scanner.ESCAPE_REPLACEMENTS.get(written, "")
            if CONTROL.fullmatch(character):
                span = position(self.text, node.start_mark.index + escape.start(), self.file)
                break
        self.diagnostics.append(
            Diagnostic(
                "control-character",
                f"the text holds {control_name(found.group())}, written as an escape",
                span,
                "remove it: text may hold tabs and line breaks, no other control character",
            )
        )


def read_yaml_text(text: str, file: str, *, plain_first: bool = False) -> Any:
    """Parse one YAML document into located containers; raise ``PolicyLoadError`` on problems.

    ``plain_first``: try the reader of plain YAML first (for a case file: see the module's
    docstring); the tree, and any error, are the same either way."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise PolicyLoadError(
            [
                Diagnostic(
                    "yaml-too-large",
                    f"file is larger than {MAX_BYTES // 1024} KiB",
                    SourceSpan(file, 1, 1),
                )
            ]
        )
    controls = control_characters(text, file)
    if controls:  # refused here, where they can be located, rather than by the YAML reader
        raise PolicyLoadError(controls)
    if plain_first:
        data = read_plain_yaml(text, file)
        if data is not None:
            return data
    strict, fast = loaders()
    with collector_paused():
        loader = None
        try:
            loader = (fast or strict)(text)
            return build_from_events(loader, file)
        except Exception:  # noqa: BLE001 - read again below, the reference way
            pass  # a file with anything to refuse or look at twice (one_pass.py)
        finally:
            if loader is not None:
                loader.dispose()
        if fast is not None:
            try:
                return _compose_and_build(fast, text, file)
            except Exception:  # noqa: BLE001 - read again below, for the reference diagnostics
                pass  # anything refused is refused again by the pure-Python path, in its words
        return _compose_and_build(strict, text, file)


def _compose_and_build(loader_class: type[Any], text: str, file: str) -> Any:
    import yaml

    loader = None
    try:
        loader = loader_class(text)  # the pure-Python reader checks the characters here
        node = loader.get_single_node()
    except Refused as refused:
        raise PolicyLoadError(
            [Diagnostic(refused.code, refused.message, _span(file, refused.mark))]
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        span = _span(file, mark) if mark is not None else SourceSpan(file, 1, 1)
        raise PolicyLoadError(
            [Diagnostic("yaml-syntax", str(error.problem or error), span)]
        ) from None
    except yaml.YAMLError as error:  # a reader error without a mark
        raise PolicyLoadError(
            [Diagnostic("yaml-syntax", str(error), SourceSpan(file, 1, 1))]
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise PolicyLoadError(
            [Diagnostic("yaml-empty", "the file is empty", SourceSpan(file, 1, 1))]
        )
    builder = _Builder(file, text)
    data = builder.build(node)
    if builder.diagnostics:
        raise PolicyLoadError(builder.diagnostics)
    return data


def read_yaml_file(path: Path, display: str | None = None, *, plain_first: bool = False) -> Any:
    """Read ``path``; positions name it as ``display`` (default: the path as given);
    ``plain_first`` as for ``read_yaml_text``."""
    name = display if display is not None else str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PolicyLoadError(
            [Diagnostic("file-unreadable", error.strerror or str(error), SourceSpan(name, 1, 1))]
        ) from None
    return read_yaml_bytes(raw, name, plain_first=plain_first)


def read_yaml_bytes(raw: bytes, name: str, *, plain_first: bool = False) -> Any:
    """``read_yaml_file`` of bytes already read (``name``: how positions name the file)."""
    if len(raw) > MAX_BYTES:
        raise PolicyLoadError(
            [
                Diagnostic(
                    "yaml-too-large",
                    f"file is larger than {MAX_BYTES // 1024} KiB",
                    SourceSpan(name, 1, 1),
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start].decode("utf-8")
        raise PolicyLoadError(
            [
                Diagnostic(
                    "file-encoding",
                    f"not UTF-8 ({error.reason} at byte {error.start})",
                    position(before, len(before), name),
                    "save the file as UTF-8",
                )
            ]
        ) from None
    return read_yaml_text(text, name, plain_first=plain_first)


def span_at(root: Any, loc: tuple[int | str, ...]) -> SourceSpan | None:
    """The most precise position known for the path ``loc`` inside ``root`` (pydantic style)."""
    best: SourceSpan | None = getattr(root, "span", None)
    node = root
    for part in loc:
        if isinstance(node, LocatedMap) and isinstance(part, str):
            if part in node.value_spans:
                best = node.value_spans[part]
                node = node[part]
                continue
            return best
        if isinstance(node, LocatedList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.spans[part]
            node = node[part]
            continue
        if not isinstance(part, (str, int)):
            continue
        # pydantic inserts union-member or validator names into loc; skip what does not match
        continue
    return best
