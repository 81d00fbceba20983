"""The reader of plain YAML (``language/plain_yaml.py``): whatever it accepts, it reads exactly as
the reference reader does -- values, types, and every position -- and it never accepts what the
reference refuses. Checked on every YAML file of the repository, on generated documents of its
subset and on near-misses of them, and through ``read_case_file`` with and without it."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from conftest import ROOT
from govrules.errors import CaseFileError, PolicyLoadError
from govrules.language import plain_yaml, reader
from govrules.language.located_yaml import STANDARD_TAG, LocatedList, LocatedMap
from govrules.language.plain_yaml import read_plain_yaml
from govrules.language.reader import read_yaml_text
from govrules.runtime.case_files import read_case_file, read_case_stream

# the one example case file outside the subset: a flow sequence written over two lines
DECLINED_EXAMPLES = {"examples/taobei/branch_review_01_year_end_check.yaml"}


def _walk(node: Any, path: str = "$") -> list[Any]:
    """Everything a tree holds, positions included, in order: equal lists, equal trees."""
    # repr as well as the value: Decimal('1.0') == Decimal('1'), but they are written apart
    scalar = None if isinstance(node, (dict, list)) else (node, repr(node))
    found: list[Any] = [(path, type(node), scalar)]
    if isinstance(node, LocatedMap):
        found.append((node.span, list(node), list(node.key_spans.items())))
        found.append(list(node.value_spans.items()))
        assert list(node.key_spans) == list(node.value_spans) == list(node)
        for key, value in node.items():
            found += _walk(value, f"{path}.{key}")
    elif isinstance(node, LocatedList):
        found.append((node.span, list(node.spans)))
        assert len(node.spans) == len(node)
        for index, value in enumerate(node):
            found += _walk(value, f"{path}[{index}]")
    else:
        assert not isinstance(node, (dict, list))
    return found


def _reference(text: str, name: str = "case.yaml") -> tuple[Any, str | None]:
    try:
        return read_yaml_text(text, name), None
    except PolicyLoadError as error:
        return None, str(error)


def _agrees(text: str, name: str = "case.yaml") -> bool:
    """Whether the plain reader took ``text``; when it did, its tree is the reference's."""
    plain = read_plain_yaml(text, name)
    reference, error = _reference(text, name)
    if plain is None:
        return False
    assert error is None, f"accepted what the reference refuses: {error}\n{text}"
    assert _walk(plain) == _walk(reference), text
    return True


# ----------------------------------------------------------------------- the repository's files


def _repository_files() -> list[Path]:
    found = [*ROOT.glob("**/*.yaml"), *ROOT.glob("**/*.yml")]
    return sorted(path for path in found if not {".venv", ".git"} & set(path.parts))


def test_every_yaml_file_it_accepts_reads_as_the_reference() -> None:
    accepted = sum(
        _agrees(path.read_bytes().decode("utf-8", "replace"), path.relative_to(ROOT).as_posix())
        for path in _repository_files()
    )
    assert accepted >= 100  # policies hold block scalars it reads too; the rest are declined


def test_it_accepts_the_example_case_files() -> None:
    examples = sorted((ROOT / "examples").glob("**/*.yaml"))
    declined = {
        path.relative_to(ROOT).as_posix()
        for path in examples
        if read_plain_yaml(path.read_text("utf-8"), str(path)) is None
    }
    assert declined == DECLINED_EXAMPLES
    assert len(examples) - len(declined) >= 47


# ------------------------------------------------------------- plain scalars resolve as in YAML 1.1


def _resolved(text: str) -> str:
    tag: str = Resolver().resolve(ScalarNode, text, (True, False))
    return tag


def test_the_first_characters_it_treats_as_text_have_no_other_resolver() -> None:
    for first, resolvers in Resolver.yaml_implicit_resolvers.items():
        if first in plain_yaml._RESOLVED_FIRST or first in plain_yaml._INDICATORS:
            continue  # declined unless one of the forms taken
        tags = {tag for tag, _ in resolvers}
        assert tags <= {STANDARD_TAG + "bool", STANDARD_TAG + "null"}, first
    for word, tag in plain_yaml._WORDS.items():
        assert _resolved(word) == tag


@given(
    st.text(alphabet="yesnoYESNOtrufalTRUFALnulNUL" + string.ascii_letters + "中 _.", min_size=1)
)
def test_text_starting_with_a_letter_resolves_to_text_unless_a_word(text: str) -> None:
    if text[0] in plain_yaml._RESOLVED_FIRST:
        return
    expected = plain_yaml._WORDS.get(text, STANDARD_TAG + "str")
    assert _resolved(text) == expected


@given(st.text(alphabet="0123456789-.:T_+eE", min_size=1, max_size=20))
def test_the_forms_it_takes_resolve_to_the_tag_it_names(text: str) -> None:
    form = plain_yaml._FORMS.fullmatch(text)
    if form is not None:
        assert _resolved(text) == STANDARD_TAG + str(form.lastgroup)


@pytest.mark.parametrize(
    "text",
    ["0", "-0", "10", "-17", "0.045", "-3.50", "00.5", "2026-11-21", "2024-02-29T07:45",
     "2024-02-29T07:45:09", "1000000"],
)  # fmt: skip
def test_each_form_reads_as_the_reference(text: str) -> None:
    assert _agrees(f"a: {text}\n")


@pytest.mark.parametrize(
    "text",
    ["007", "08", "1_000", "+1", ".5", "1e5", "1.", "2026-02-30", "2026-1-5", "~", "=", "<<",
     "0x1F", "1:30", "12:30:00", "2024-02-29 07:45:09", "-", "-a", "http://x", ".inf"],
)  # fmt: skip
def test_other_numbers_and_dates_are_declined(text: str) -> None:
    assert read_plain_yaml(f"a: {text}\n", "case.yaml") is None


def test_no_decimal_context_changes_what_it_reads() -> None:
    text = "a: 0.045123456789\nb: [1.5, -2.25]\n"
    expected = _walk(read_plain_yaml(text, "case.yaml"))
    with decimal.localcontext() as context:
        context.prec, context.rounding = 3, decimal.ROUND_DOWN
        assert _walk(read_plain_yaml(text, "case.yaml")) == expected
    assert expected == _walk(read_yaml_text(text, "case.yaml"))


# -------------------------------------------------------------------- generated documents


_LETTERS = string.ascii_letters + "中文工资保证金陈晓梅"
_PLAIN = _LETTERS + string.digits + " _-.,/()'\"$%!?&*=+~@`<>|"
_FLOW = _LETTERS + string.digits + " _-./()'\"$%!?&*=+~@`<>|"
_QUOTED = _PLAIN + ":#[]{},\\"


def _plain(alphabet: str) -> st.SearchStrategy[str]:
    return st.builds(
        lambda first, rest: (first + rest).rstrip(" "),
        st.sampled_from(_LETTERS),
        st.text(alphabet=alphabet, max_size=12),
    )


def _scalar(alphabet: str) -> st.SearchStrategy[str]:
    """A scalar written on one line, in a form the plain reader takes (in a flow collection:
    no date and time, whose colons it leaves to the reference there)."""
    moments = [
        st.datetimes(dt.datetime(1990, 1, 1)).map(lambda d: d.isoformat(timespec="minutes")),
        st.datetimes(dt.datetime(1990, 1, 1)).map(lambda d: d.isoformat(timespec="seconds")),
    ]
    return st.one_of(
        *(moments if alphabet == _PLAIN else []),
        _plain(alphabet),
        st.sampled_from(sorted(plain_yaml._WORDS)),
        st.integers(-(10**12), 10**12).map(str),
        st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: f"{d:f}"),
        st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat),
        st.text(alphabet=_QUOTED.replace("\\", ""), max_size=10).map(
            lambda t: "'" + t.replace("'", "''") + "'"
        ),
        st.text(alphabet=_QUOTED.replace("\\", "").replace('"', ""), max_size=10).map(
            lambda t: f'"{t}"'
        ),
    )


def _key() -> st.SearchStrategy[str]:
    return st.one_of(
        _plain(_LETTERS + string.digits + " _-."),
        st.text(alphabet=_LETTERS + " :#", max_size=8).map(lambda t: f"'{t}'"),
    )


def _unquoted(key: str) -> str:
    return key[1:-1].replace("''", "'") if key.startswith("'") else key


def _first_key(pair: tuple[str, Any]) -> str:
    return _unquoted(pair[0])


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[str, Any]]:
    """Block mappings (keys unique as read) and block sequences of ``children`` (unique keys
    drawn apart from the values: a filter on the values would ask hypothesis for their repr)."""
    return st.one_of(
        st.tuples(
            st.lists(_key(), min_size=1, max_size=4, unique_by=_unquoted),
            st.lists(children, min_size=4, max_size=4),
        ).map(lambda drawn: ("map", list(zip(*drawn, strict=False)))),
        st.lists(children, min_size=1, max_size=4).map(lambda items: ("list", items)),
    )


_TREE = st.recursive(
    _scalar(_PLAIN).map(lambda s: ("scalar", s)),
    lambda children: st.one_of(
        _containers(children),
        st.lists(_scalar(_FLOW), max_size=4).map(lambda items: ("flow_list", items)),
        st.lists(st.tuples(_key(), _scalar(_FLOW)), max_size=3, unique_by=_first_key).map(
            lambda pairs: ("flow_map", pairs)
        ),
        st.tuples(
            st.sampled_from([">", ">-", "|", "|-"]),
            st.lists(_plain(_QUOTED), min_size=1, max_size=3),
        ).map(lambda block: ("block", block)),
    ),
    max_leaves=12,
)


class _Writer:
    """Writes a generated tree as YAML, drawing the spacing, comments and blank lines."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.lines: list[str] = []

    def gap(self) -> str:
        return " " * self.draw(st.integers(1, 3))

    def end(self) -> str:
        return self.draw(st.sampled_from(["", "", " ", "  # a note", " #中"]))

    def extra(self, indent: int) -> None:
        for _ in range(self.draw(st.integers(0, 1))):
            self.lines.append(self.draw(st.sampled_from(["", " " * indent + "# comment"])))

    def inline(self, node: tuple[str, Any]) -> str:
        kind, content = node
        if kind == "scalar":
            return str(content)
        if kind == "flow_list":
            return "[" + ", ".join(content) + "]"
        return "{" + ", ".join(f"{key}: {value}" for key, value in content) + "}"

    def node(self, node: tuple[str, Any], indent: int, lead: str) -> None:
        """``node`` as a value after ``lead`` (``key:`` or ``-``, already indented)."""
        kind, content = node
        if kind in ("scalar", "flow_list", "flow_map"):
            self.lines.append(lead + self.gap() + self.inline(node) + self.end())
        elif kind == "block":
            header, texts = content
            self.lines.append(lead + " " + header + self.end())
            inner = " " * (indent + self.draw(st.integers(1, 3)))
            self.lines.extend(inner + text for text in texts)
        else:
            self.lines.append(lead + self.end())
            step = self.draw(st.integers(1, 4))
            same = kind == "list" and lead.lstrip(" ").endswith(":") and self.draw(st.booleans())
            self.block(node, indent if same else indent + step)

    def block(self, node: tuple[str, Any], indent: int) -> None:
        kind, content = node
        for entry in content:
            self.extra(indent)
            if kind == "map":
                key, value = entry
                self.node(value, indent, " " * indent + key + ":")
            else:
                self.node(entry, indent, " " * indent + "-")


@st.composite
def _documents(draw: st.DrawFn) -> str:
    """A document of the plain reader's subset (drawn inside, to keep the reprs short)."""
    root = draw(_containers(_TREE))
    writer = _Writer(draw)
    writer.block(root, draw(st.integers(0, 2)))
    # a folded or literal scalar keeps its last line break: written, always
    return "\n".join(writer.lines) + draw(st.sampled_from(["\n", "\n\n"]))


@st.composite
def _near_misses(draw: st.DrawFn) -> str:
    """A document of the subset with something declined written in, or characters cut out."""
    text = draw(_documents())
    for _ in range(draw(st.integers(1, 2))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(_NEAR_MISSES)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 3)) :]
    return text


_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_documents())
def test_a_document_of_the_subset_is_accepted_and_read_as_the_reference(text: str) -> None:
    assert _agrees(text), f"declined:\n{text}"


# what the subset declines, written into a line of a document of it
_NEAR_MISSES = [
    "\t", "\r", "\ufeff", "&anchor ", "*alias", "!!str ", "!tag ", "? ", "--- ", "...", "%YAML 1.1",
    "[", "{", "]", "}", "|+", ">2", "'", '"', "\\n", '"\\e"', ": ", " #", "#", "- ", "-", "@", "`",
    "<<: ", "~", "yes", "0o7", "1_0", "+5", "2026-02-30", "12:30", " ", "  ", ",", "\u2028", "\x85",
    "\x1b", "a:\n", "\n  more", "\n ", "\n-", "\nkey: 1", "\n\n  x", "\uffff", "中",
]  # fmt: skip


@_SETTINGS
@given(_near_misses())
def test_a_near_miss_is_declined_or_read_as_the_reference(text: str) -> None:
    _agrees(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab中1.-: #'\"\n[]{},>|&*!?%", max_size=40))
def test_any_text_is_declined_or_read_as_the_reference(text: str) -> None:
    _agrees(text)


def test_nesting_near_the_limit_is_left_to_the_reference() -> None:
    deep = "".join(" " * level + f"k{level}:\n" for level in range(45)) + " " * 45 + "v: 1\n"
    assert read_plain_yaml(deep, "case.yaml") is None
    shallow = "".join(" " * level + f"k{level}:\n" for level in range(20)) + " " * 20 + "v: 1\n"
    assert _agrees(shallow)


# ------------------------------------------------------------------------------- case files


def _reference_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "read_plain_yaml", lambda text, file: None)


def _case_or_error(path: Path) -> Any:
    try:
        facts, envelope = read_case_file(path)
    except CaseFileError as error:
        return str(error)
    return _walk_dict(facts), envelope is None or _walk_dict(envelope)


def _walk_dict(plain: dict[str, Any]) -> list[Any]:
    """``_walk`` of each value of a plain dict (what a case's facts and envelope are)."""
    return [(key, _walk(value)) for key, value in plain.items()]


@pytest.mark.parametrize(
    "path", sorted((ROOT / "examples").glob("**/*.yaml")), ids=lambda path: path.name
)
def test_a_case_file_gives_the_same_facts_either_way(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _case_or_error(path)
    _reference_only(monkeypatch)
    assert _case_or_error(path) == plain
    assert not isinstance(plain, str)


_BAD_CASES = [
    "policy: x\nfacts:\n  a: 1\n  a: 2\n",  # a duplicate key
    "facts:\n  day: 2026-02-30\n",  # no such date
    "facts:\n  n: +5\n",  # a number the reference refuses
    "facts:\n\ta: 1\n",  # a tab
    "facts: &x\n  a: *x\n",  # an anchor and an alias
    "facts:\n  a: \x1b\n",  # a control character
    "facts:\n  a: [1, 2\n",  # a flow sequence not closed
    "facts:\n  a: 1\n b: 2\n",  # out of place
    "- a\nb: 1\n",  # a list then a key
    "",  # nothing at all
    "facts:\n  t: 2026-01-01T10:00:00+08:00\n",  # a time with a zone
    "facts:\n  a: \uffff\n",  # not a character YAML prints (was a traceback: reader.py)
]


@pytest.mark.parametrize("text", _BAD_CASES)
def test_a_bad_case_file_gives_the_same_error_either_way(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    plain = _case_or_error(path)
    with pytest.raises(CaseFileError) as streamed:
        read_case_stream(io.BytesIO(text.encode()), "<stdin>")
    _reference_only(monkeypatch)
    assert _case_or_error(path) == plain
    assert isinstance(plain, str)
    with pytest.raises(CaseFileError) as reference:
        read_case_stream(io.BytesIO(text.encode()), "<stdin>")
    assert str(streamed.value) == str(reference.value)


def test_standard_input_gives_the_same_facts_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = (ROOT / "examples" / "wage_deposit" / "01_first_deposit.yaml").read_bytes()
    plain = read_case_stream(io.BytesIO(raw))
    _reference_only(monkeypatch)
    reference = read_case_stream(io.BytesIO(raw))
    assert _walk_dict(plain[0]) == _walk_dict(reference[0]) and plain[1] == reference[1]
