"""The event sources of the YAML reader: libyaml's (three times faster than PyYAML's
pure-Python scanner and parser) or PyYAML's own, each under the same strict composer, which
refuses aliases (and so alias bombs) and absurd nesting as it builds the node tree.

    strict, fast = loaders()          # fast is None when PyYAML was built without libyaml
    node = (fast or strict)(text).get_single_node()
    top_level_text(raw, "id")         # a policy's id, read no further than that key

PyYAML is imported on the first use, not with this module: a command that reads no YAML (a
JSON case, policies from the compiled cache) never pays for importing it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yaml import Mark
    from yaml.nodes import Node

__all__ = ["MAX_DEPTH", "Refused", "loaders", "top_level_text"]

MAX_DEPTH = 40
MAX_BYTES = 2 * 1024 * 1024  # as the reader's limit: a larger file is not peeked into


class Refused(Exception):
    """What the strict composer refuses, with the mark of the event that showed it."""

    def __init__(self, code: str, message: str, mark: Mark) -> None:
        super().__init__(message)
        self.code, self.message, self.mark = code, message, mark


@functools.cache
def loaders() -> tuple[type[Any], type[Any] | None]:
    """The strict pure-Python loader, and the same composer over libyaml's events (``None``
    without libyaml). PyYAML is imported here, on the first file read: a command that reads
    no YAML (a JSON case, a warm compiled cache) never pays for importing it."""
    import yaml
    from yaml.composer import Composer
    from yaml.resolver import Resolver

    class StrictComposer(Composer):
        """Refuses aliases and deep nesting while composing."""

        def compose_node(self, parent: Node | None, index: int) -> Node | None:
            if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
                event = self.peek_event()  # type: ignore[attr-defined]
                raise Refused(
                    "yaml-alias",
                    "aliases (*name) are not allowed in policy files",
                    event.start_mark,
                )
            self._depth = getattr(self, "_depth", 0) + 1
            try:
                if self._depth > MAX_DEPTH:
                    event = self.peek_event()  # type: ignore[attr-defined]
                    raise Refused(
                        "yaml-too-deep", f"nesting deeper than {MAX_DEPTH} levels", event.start_mark
                    )
                return Composer.compose_node(self, parent, index)
            finally:
                self._depth -= 1

    class StrictLoader(StrictComposer, yaml.SafeLoader):
        """The pure-Python scanner and parser (the reference for every message)."""

    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        return StrictLoader, None

    class FastStrictLoader(StrictComposer, Resolver, CParser):
        """libyaml's events under the same composer (and the same implicit tags)."""

        def __init__(self, stream: str | bytes) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)

    return StrictLoader, FastStrictLoader


def top_level_text(raw: bytes, key: str) -> str | None:
    """The text of the top-level ``key`` of a YAML mapping, read no further than that key
    (a policy's ``id`` is near its top); ``None`` when the file is not such a mapping, does not
    reach the key in good order, or holds anything a full read would refuse before it.

        top_level_text(b"kind: policy\\nid: cn.x\\n", "id")   # 'cn.x'
    """
    if len(raw) > MAX_BYTES:
        return None
    strict, fast = loaders()
    import yaml

    try:
        # libyaml reads the bytes as they are (it checks the encoding as it goes)
        loader = fast(raw) if fast is not None else strict(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    try:
        depth, expecting_key = 0, True
        while True:
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if depth == 0 and isinstance(event, yaml.SequenceStartEvent):
                    return None
                depth += 1
                if depth == 2:
                    expecting_key = False  # a nested value: the next key comes after its end
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if depth == 1:
                    expecting_key = True
                elif depth == 0:
                    return None
            elif isinstance(event, yaml.AliasEvent):
                return None
            elif isinstance(event, yaml.ScalarEvent):
                if depth == 0:
                    return None
                if depth == 1:
                    if expecting_key and event.value == key and event.tag is None:
                        value = loader.get_event()
                        if isinstance(value, yaml.ScalarEvent) and value.tag is None:
                            return str(value.value)
                        return None
                    expecting_key = not expecting_key
            elif isinstance(event, yaml.StreamEndEvent):
                return None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
