"""The YAML reader's quick way: located mappings and lists built in one pass straight from the
parser's events, for a file that holds nothing the reader refuses or must look at twice.

The reference way composes a tree of YAML nodes and then builds the located containers from
it (``reader.py``); for a long policy, making and walking those nodes is most of the read.
This pass makes the same containers, positions and values without them, and gives up -- it
raises ``Unsure`` -- at the first thing it does not handle itself: an alias or anchor, a tag,
a merge key, a duplicate key, a key that is not text, nesting near the limit, an escape inside
double quotes that writes a control character, a scalar the conversion refuses, more than one
document, or any error of the parser. The reader then reads the file the reference way, which
reports each problem at its place with its words.

    loader = loader_class(text)          # an events.loaders() class: events and tag resolution
    data = build_from_events(loader, "policy.yaml")
"""

from __future__ import annotations

from typing import Any

from govrules.errors import Diagnostic
from govrules.language.characters import CONTROL
from govrules.language.events import MAX_DEPTH
from govrules.language.located_yaml import LocatedList, LocatedMap, scalar_value
from govrules.spans import SourceSpan

__all__ = ["Unsure", "build_from_events"]


class Unsure(Exception):
    """The file holds something this pass leaves to the reference way of reading."""


def build_from_events(loader: Any, file: str) -> Any:
    """The located tree of the single document ``loader`` parses; ``Unsure`` when the file
    must be read the reference way (see the module's docstring). ``loader`` is an instance of
    a class from ``events.loaders()``: its ``get_event`` and its implicit tag resolution are
    those the reference composer uses. Any other exception (a parser error) means the same."""
    import yaml
    from yaml.nodes import ScalarNode

    scalar_event, mapping_start = yaml.ScalarEvent, yaml.MappingStartEvent
    sequence_start, mapping_end = yaml.SequenceStartEvent, yaml.MappingEndEvent
    sequence_end = yaml.SequenceEndEvent
    get_event = loader.get_event
    resolve = loader.resolve
    # Resolver.resolve tries the implicit resolvers filed under a plain scalar's first
    # character (and those filed under None, for any character); a first character with none
    # resolves to text, as most do, without the call
    resolvers = loader.yaml_implicit_resolvers
    always = None in resolvers
    control = CONTROL.search
    problems: list[Diagnostic] = []
    deepest = MAX_DEPTH - 1  # containers open at most, so that every node is within the limit
    # SourceSpan is frozen: its constructor sets each field through object.__setattr__. A long
    # policy has tens of thousands of positions, so they are made by filling the slots directly
    # (the same objects, equal to those the constructor makes: tests/test_compile_one_pass.py
    # compares every one with the reference reader's)
    new, slots = object.__new__, SourceSpan.__dict__
    set_file, set_line = slots["file"].__set__, slots["line"].__set__
    set_column = slots["column"].__set__

    def span_at(line: int, column: int) -> SourceSpan:
        span = new(SourceSpan)
        set_file(span, file)
        set_line(span, line)
        set_column(span, column)
        return span

    if type(get_event()) is not yaml.StreamStartEvent:
        raise Unsure
    if type(get_event()) is not yaml.DocumentStartEvent:
        raise Unsure  # an empty stream: the reference way says so
    root: list[Any] = []
    # the open container, whether it is a mapping, the key waiting for its value (None: the
    # next scalar is a key) and where that key is written, and the container's positions
    # (a mapping's of its keys and of its values, a list's of its items: ``at``, ``at_value``);
    # the stack keeps those of the containers around it
    current: Any = None
    is_map = False
    key: str | None = None
    key_span: SourceSpan | None = None
    at: Any = None
    at_value: Any = None
    stack: list[tuple[Any, bool, Any, Any]] = []
    value: Any
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            if event.tag is not None or event.anchor is not None:
                raise Unsure
            text = event.value
            style = event.style
            mark = event.start_mark
            if style == '"' and control(text) is not None:
                raise Unsure  # an escape writes a control character: located by the reference
            if is_map and key is None:  # a key, positioned where it starts, quote and all
                if text in current or text == "<<":
                    raise Unsure  # a duplicate, or perhaps a merge key
                key = text
                key_span = span_at(mark.line + 1, mark.column + 1)
                continue
            if not style:
                span = span_at(mark.line + 1, mark.column + 1)
                if always or text[:1] in resolvers:
                    tag = resolve(ScalarNode, text, event.implicit)
                    value = scalar_value(tag, text, span, problems)
                    if problems:
                        raise Unsure
                else:
                    value = text
            elif style == "'" or style == '"':
                span = span_at(mark.line + 1, mark.column + 2)
                value = text
            else:  # a block scalar: its content starts on the next line
                span = span_at(mark.line + 2, mark.column + 3)
                value = text
            if is_map:
                current[key] = value
                at[key] = key_span
                at_value[key] = span
                key = None
            elif current is not None:
                current.append(value)
                at.append(span)
            else:
                root.append(value)
        elif kind is mapping_start or kind is sequence_start:
            if event.tag is not None or event.anchor is not None:
                raise Unsure
            if len(stack) >= deepest or (is_map and key is None):
                raise Unsure  # too deep, or a key that is not text
            mark = event.start_mark
            span = span_at(mark.line + 1, mark.column + 1)
            if is_map:
                value = current[key] = LocatedMap() if kind is mapping_start else LocatedList()
                at[key] = key_span
                at_value[key] = span
                key = None
            else:
                value = LocatedMap() if kind is mapping_start else LocatedList()
                if current is not None:
                    current.append(value)
                    at.append(span)
                else:
                    root.append(value)
            value.span = span
            stack.append((current, is_map, at, at_value))
            current = value
            if kind is mapping_start:
                is_map = True
                at = value.key_spans = {}
                at_value = value.value_spans = {}
            else:
                is_map = False
                at = value.spans = []
        elif kind is mapping_end or kind is sequence_end:
            current, is_map, at, at_value = stack.pop()
        elif kind is yaml.DocumentEndEvent and current is None:
            break
        else:
            raise Unsure  # an alias, or anything else
    if type(get_event()) is not yaml.StreamEndEvent:
        raise Unsure  # a second document
    return root[0]
