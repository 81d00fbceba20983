"""Records (``govrules.records.record``) against the stdlib frozen dataclasses they stand for:
the same class bodies, decorated both ways, must behave the same -- equality, hashes, reprs,
the frozen errors, pickles, copies, ``dataclasses``' functions, ``match`` -- and importing the
compiler must compile no dataclass method."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import json
import pickle
import subprocess
import sys
import weakref
from dataclasses import KW_ONLY, FrozenInstanceError, InitVar, field
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govrules.records import record

# -- the class bodies, each made afresh for every decoration ---------------------------------


def _plain() -> type:
    class Plain:
        """A docstring."""

        x: int
        y: str = "a"

    return Plain


def _options() -> type:
    class Options:
        a: int
        b: tuple[int, ...] = field(default_factory=tuple)
        c: int = field(default=7, init=False)
        d: str = field(default="d", compare=False)
        e: int = field(default=0, hash=False)
        f: str = field(default="f", repr=False)
        g: int = field(default=1, compare=False, hash=True)
        kind: ClassVar[str] = "options"

    return Options


def _derived() -> type:
    class Derived:
        a: int
        scale: InitVar[int] = 2
        scaled: int = field(init=False, default=0)

        def __post_init__(self, scale: int) -> None:
            object.__setattr__(self, "scaled", self.a * scale)

    return Derived


def _empty() -> type:
    class Empty:
        pass

    return Empty


def _one() -> type:
    class One:
        value: Any

    return One


def _keywords() -> type:
    class Keywords:
        a: int
        _: KW_ONLY
        b: int = 0
        c: str = field(default="c", kw_only=True)

    return Keywords


def _own_eq() -> type:
    class OwnEq:
        a: int
        b: int

        def __eq__(self, other: object) -> bool:  # hash: made from the fields anyway
            return type(other) is type(self) and self.a == other.a  # type: ignore[attr-defined]

    return OwnEq


def _own_hash() -> type:
    class OwnHash:
        a: int
        b: tuple[int, ...]

        def __hash__(self) -> int:
            return hash(self.a)

    return OwnHash


def _self_named() -> type:
    class SelfNamed:
        self: int
        other: int = 2

    return SelfNamed


BODIES = [_plain, _options, _derived, _empty, _one, _keywords, _own_eq, _own_hash, _self_named]
ARGUMENTS: dict[Any, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    _plain: [((1,), {}), ((1, "b"), {}), ((), {"x": 2, "y": "a"})],
    _options: [((1,), {}), ((1, (2, 3), "x", 4, "g", 5), {}), ((1,), {"g": 9, "d": "z"})],
    _derived: [((3,), {}), ((3, 5), {}), ((4,), {"scale": 2})],
    _empty: [((), {})],
    _one: [((1,), {}), ((float("nan"),), {}), (((1, "a"),), {})],
    _keywords: [((1,), {}), ((1,), {"b": 2, "c": "x"})],
    _own_eq: [((1, 2), {}), ((1, 3), {})],
    _own_hash: [((1, (2,)), {}), ((1, (3,)), {})],
    _self_named: [((1,), {}), ((), {"self": 1, "other": 3})],
}


def _pair(body: Any, slots: bool) -> tuple[Any, Any]:
    """The record and the stdlib dataclass of the same body."""
    made = record(body()) if slots else record(slots=False)(body())
    twin = dataclasses.dataclass(frozen=True, slots=slots)(body())
    return made, twin


def _field_facts(cls: Any) -> list[tuple[Any, ...]]:
    return [
        (f.name, f.type, f.default, f.init, f.repr, f.compare, f.hash, f.kw_only, f.metadata)
        for f in dataclasses.fields(cls)
    ]


CASES = [(body, slots) for body in BODIES for slots in (True, False)]
IDS = [f"{body.__name__.strip('_')}-{'slots' if slots else 'dict'}" for body, slots in CASES]


@pytest.mark.parametrize(("body", "slots"), CASES, ids=IDS)
def test_a_record_class_is_the_dataclass(body: Any, slots: bool) -> None:
    made, twin = _pair(body, slots)
    assert dataclasses.is_dataclass(made)
    assert _field_facts(made) == _field_facts(twin)
    assert made.__match_args__ == twin.__match_args__
    assert ("__slots__" in made.__dict__) == ("__slots__" in twin.__dict__) == slots
    assert getattr(made, "__slots__", None) == getattr(twin, "__slots__", None)
    assert repr(made.__dataclass_params__) == repr(twin.__dataclass_params__)
    assert made.__doc__ == twin.__doc__
    assert str(inspect.signature(made)) == str(inspect.signature(twin))
    assert made.__hash__ is not None
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
        assert getattr(made, name).__qualname__ == getattr(twin, name).__qualname__


@pytest.mark.parametrize(("body", "slots"), CASES, ids=IDS)
def test_a_record_behaves_as_the_dataclass(body: Any, slots: bool) -> None:
    made, twin = _pair(body, slots)
    arguments = ARGUMENTS[body]
    records = [made(*args, **kwargs) for args, kwargs in arguments]
    twins = [twin(*args, **kwargs) for args, kwargs in arguments]
    for one, other in zip(records, twins, strict=True):
        assert repr(one) == repr(other)
        assert hash(one) == hash(other)
        assert repr(dataclasses.astuple(one)) == repr(dataclasses.astuple(other))
        assert repr(dataclasses.asdict(one)) == repr(dataclasses.asdict(other))
        assert repr(copy.copy(one)) == repr(copy.copy(other))
        assert repr(copy.deepcopy(one)) == repr(copy.deepcopy(other))
        stranger = object()
        assert one.__eq__(stranger) is other.__eq__(stranger)  # NotImplemented, unless own
        assert one.__eq__(other) is other.__eq__(one)  # another class
        if slots:
            assert repr(one.__getstate__()) == repr(other.__getstate__())
        for name in (f.name for f in dataclasses.fields(made)):
            for obj in (one, other):
                with pytest.raises(FrozenInstanceError) as assigned:
                    setattr(obj, name, 0)
                with pytest.raises(FrozenInstanceError) as deleted:
                    delattr(obj, name)
                assert str(assigned.value) == f"cannot assign to field {name!r}"
                assert str(deleted.value) == f"cannot delete field {name!r}"
    # a name that is not a field: refused on the class itself (Python 3.11's slotted frozen
    # dataclass fails there with a TypeError from super(); a record says what it is)
    for obj in (records[0], *(() if slots else twins[:1])):
        with pytest.raises(FrozenInstanceError, match="cannot assign to field 'stranger'"):
            obj.stranger = 1
        with pytest.raises(FrozenInstanceError, match="cannot delete field 'stranger'"):
            del obj.stranger
    for i, (one, other) in enumerate(zip(records, twins, strict=True)):
        for j, (one_b, other_b) in enumerate(zip(records, twins, strict=True)):
            assert (one == one_b) == (other == other_b), (i, j)
            assert (one != one_b) == (other != other_b), (i, j)
    # the same object compares equal even when a field does not (nan): tuple comparison
    assert all(one == one for one in records) == all(other == other for other in twins)


@pytest.mark.parametrize("slots", [True, False])
def test_replace_and_init_false_fields(slots: bool) -> None:
    made, twin = _pair(_options, slots)
    one, other = made(1), twin(1)
    assert repr(dataclasses.replace(one, a=5, g=2)) == repr(dataclasses.replace(other, a=5, g=2))
    for obj in (one, other):
        with pytest.raises(ValueError, match="init=False"):
            dataclasses.replace(obj, c=3)
    derived, derived_twin = _pair(_derived, slots)
    assert repr(dataclasses.replace(derived(2), a=4, scale=3)) == repr(
        dataclasses.replace(derived_twin(2), a=4, scale=3)
    )
    for cls in (made, twin):
        with pytest.raises(TypeError) as missing:
            cls()
        assert "missing 1 required positional argument: 'a'" in str(missing.value)


def test_default_factories_make_a_new_value_each_time() -> None:
    @record
    class Holder:
        items: list[int] = field(default_factory=list)

    first, second = Holder(), Holder()
    assert first.items == [] and first.items is not second.items


# -- pickles: module-level twins, named alike so that their pickles have the same length ------


def _module_level(body: Any, name: str, slots: bool, as_record: bool) -> Any:
    cls = body()
    cls.__qualname__ = cls.__name__ = name
    made = (
        (record(cls) if slots else record(slots=False)(cls))
        if as_record
        else dataclasses.dataclass(frozen=True, slots=slots)(cls)
    )
    globals()[name] = made
    return made


RPlain = _module_level(_options, "RPlain", True, True)
SPlain = _module_level(_options, "SPlain", True, False)
RDicts = _module_level(_options, "RDicts", False, True)
SDicts = _module_level(_options, "SDicts", False, False)


@pytest.mark.parametrize(("made", "twin"), [(RPlain, SPlain), (RDicts, SDicts)])
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_record_pickles_as_the_dataclass(made: Any, twin: Any, protocol: int) -> None:
    one, other = made(1, (2,), "d", 3), twin(1, (2,), "d", 3)
    mine, theirs = pickle.dumps(one, protocol), pickle.dumps(other, protocol)
    same_name = theirs.replace(twin.__name__.encode(), made.__name__.encode())
    assert mine == same_name
    back = pickle.loads(mine)
    assert type(back) is made and back == one and repr(back) == repr(one)
    assert one.__reduce_ex__(protocol)[2:] == other.__reduce_ex__(protocol)[2:]


def test_the_compiled_cache_pickles_records_field_by_field() -> None:
    import io

    from govrules.compiler.cache import _Pickler, _slotted

    for obj in (RPlain(1, (2,)), SPlain(1, (2,))):
        reduced = _Pickler(io.BytesIO()).reducer_override(obj)
        assert reduced[0] is _slotted
        buffer = io.BytesIO()
        _Pickler(buffer).dump(obj)
        back = pickle.loads(buffer.getvalue())
        assert back == obj and repr(back) == repr(obj)


# -- inheritance, own __init__, weakref slot, recursion, match -------------------------------


def _family(decorate: Any) -> tuple[Any, Any]:
    @decorate
    class Base:
        a: int
        b: str = "b"

    @decorate
    class Child(Base):
        c: float = 1.5
        b: str = "child"

    return Base, Child


def test_records_inherit_as_dataclasses_do() -> None:
    (base, child), (_, child_twin) = (
        _family(record),
        _family(dataclasses.dataclass(frozen=True, slots=True)),
    )
    assert _field_facts(child) == _field_facts(child_twin)
    assert child.__match_args__ == child_twin.__match_args__
    assert repr(child(1)) == repr(child_twin(1))
    assert child(1) != base(1) and base(1) == base(1)
    assert hash(child(1, "x", 2.0)) == hash(child_twin(1, "x", 2.0))
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'a'"):
        child(1).a = 2  # type: ignore[misc]

    @dataclasses.dataclass(frozen=True)
    class FrozenChild(base):  # type: ignore[valid-type,misc]
        d: int = 0

    assert (
        repr(FrozenChild(1, d=3))
        == "test_records_inherit_as_dataclasses_do.<locals>.FrozenChild(a=1, b='b', d=3)"
    )
    with pytest.raises(TypeError, match="cannot inherit non-frozen dataclass from a frozen one"):
        dataclasses.dataclass(type("Thawed", (base,), {"__annotations__": {"e": int}}))


def test_a_plain_subclass_takes_the_record_s_methods() -> None:
    base, _ = _family(record(slots=False))

    class Plain(base):  # type: ignore[valid-type,misc]
        pass

    made = Plain(1)
    assert repr(made) == f"{Plain.__qualname__}(a=1, b='b')"
    made.extra = 1  # not a field: as on a stdlib dataclass's plain subclass
    with pytest.raises(FrozenInstanceError):
        made.a = 2


def test_an_own_init_and_a_weakref_slot() -> None:
    def body() -> type:
        class Kept:
            a: int
            b: int = field(init=False, compare=False)

            def __init__(self, a: int) -> None:
                object.__setattr__(self, "a", a)
                object.__setattr__(self, "b", a + 1)

        return Kept

    made = record(weakref_slot=True, init=False)(body())
    twin = dataclasses.dataclass(frozen=True, slots=True, weakref_slot=True, init=False)(body())
    assert made.__slots__ == twin.__slots__
    assert made.__doc__ == twin.__doc__
    assert repr(made(2)) == repr(twin(2)) and made(2) == made(2) and made(2).b == 3
    assert str(inspect.signature(made)) == str(inspect.signature(twin))
    one = made(4)
    assert weakref.ref(one)() is one
    assert one.__getstate__() == twin(4).__getstate__() == [4, 5]
    assert repr(copy.deepcopy(one)) == repr(one)


def test_repr_of_an_object_that_holds_itself() -> None:
    def body() -> type:
        class Node:
            children: list[Any]

        return Node

    made, twin = record(body()), dataclasses.dataclass(frozen=True, slots=True)(body())
    one, other = made([]), twin([])
    one.children.append(one)
    other.children.append(other)
    assert (
        repr(one)
        == repr(other)
        == "test_repr_of_an_object_that_holds_itself.<locals>.body.<locals>.Node(children=[...])"
    )


def test_match_statements_see_a_record_as_the_dataclass() -> None:
    made, twin = _pair(_plain, True)
    for cls in (made, twin):
        match cls(3, "z"):
            case cls(x, y):  # type: ignore[misc]
                assert (x, y) == (3, "z")
            case _:
                pytest.fail("no match")


# -- what a record refuses ---------------------------------------------------------------


def test_a_record_refuses_what_it_does_not_support() -> None:
    with pytest.raises(TypeError, match="order"):
        record(order=True)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="must be records"):
        record(type("Mixed", (dataclasses.dataclass(frozen=True)(_plain()),), {}))
    with pytest.raises(TypeError, match="weakref_slot is True but slots is False"):
        record(slots=False, weakref_slot=True)(_plain())
    with pytest.raises(TypeError, match="Cannot overwrite attribute __setattr__"):
        record(type("Own", (), {"__setattr__": lambda self, name, value: None}))
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        record(type("Order", (), {"__annotations__": {"a": int, "b": int}, "a": 1}))


# -- values drawn at random --------------------------------------------------------------

_VALUES = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
    st.tuples(st.integers(0, 2), st.text(max_size=2)),
    st.decimals(allow_nan=False, places=2, min_value=-10, max_value=10),
)


def _triple() -> type:
    class Triple:
        a: Any
        b: Any = None
        c: Any = field(default=None, compare=False)

    return Triple


TRIPLE, TRIPLE_TWIN = _pair(_triple, True)
ONE, ONE_TWIN = _pair(_one, True)


@given(st.tuples(_VALUES, _VALUES, _VALUES), st.tuples(_VALUES, _VALUES, _VALUES))
def test_equality_hash_and_repr_agree_on_any_values(
    first: tuple[Any, ...], second: tuple[Any, ...]
) -> None:
    one, other = TRIPLE(*first), TRIPLE_TWIN(*first)
    one_b, other_b = TRIPLE(*second), TRIPLE_TWIN(*second)
    assert repr(one) == repr(other)
    assert (one == one_b) == (other == other_b)
    assert (one == one) == (other == other)
    assert hash(one) == hash(other)
    single, single_twin = ONE(first[0]), ONE_TWIN(first[0])
    assert (single == single) == (single_twin == single_twin)
    assert (single == ONE(second[0])) == (single_twin == ONE_TWIN(second[0]))
    assert hash(single) == hash(single_twin)


# -- nothing compiled at import --------------------------------------------------------------

_IMPORT_PROBE = """
import builtins, json, sys
compiled = []
real_exec = builtins.exec
def counting_exec(source, *args, **kwargs):
    if isinstance(source, str) and "__create_fn__" in source:
        compiled.append(source.split("def ", 2)[2].split("(", 1)[0])
    return real_exec(source, *args, **kwargs)
builtins.exec = counting_exec
import govrules.compiler.policy as policy
from govrules.records import _RecordParams
builtins.exec = real_exec
modules = [m for m in list(sys.modules.values()) if m and m.__name__.startswith("govrules")]
records = [
    value for module in modules for value in vars(module).values()
    if isinstance(value, type)
    and isinstance(value.__dict__.get("__dataclass_params__"), _RecordParams)
]
lazy_before = getattr(policy.CompiledRule.__init__, "_record_lazy", False)
policy.Interpretation("i", "text", None, ())
lazy_after = getattr(policy.Interpretation.__init__, "_record_lazy", False)
print(json.dumps({"compiled": compiled, "records": len(set(records)),
                  "lazy_before": lazy_before, "lazy_after": lazy_after}))
"""


def test_importing_the_compiler_compiles_no_dataclass_method() -> None:
    found = json.loads(
        subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, check=True
        ).stdout
    )
    assert found["records"] >= 30
    # only the __init__ of the few records instantiated at import (each with its stand-in's
    # frozen __setattr__ and __delattr__); a stdlib dataclass would compile six per class
    assert set(found["compiled"]) <= {"__init__", "__setattr__", "__delattr__"}
    assert found["compiled"].count("__init__") <= found["records"] // 4
    assert found["lazy_before"] is True and found["lazy_after"] is False
