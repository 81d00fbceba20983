"""Frozen records: the class decorator every immutable value of govrules is made with. A record
is what ``@dataclass(frozen=True, slots=True)`` makes of a class, without compiling any method
when its module is imported.

    @record
    class Band:
        low: Decimal
        high: Decimal | None = None

    Band(Decimal(1)) == Band(Decimal(1))  # True; hash, repr, pickle, copy, replace, fields,
                                          # asdict and match as for the dataclass
    Band(Decimal(1)).low = Decimal(2)     # dataclasses.FrozenInstanceError

``dataclasses`` writes six methods per frozen class as source text and compiles each with
``exec`` (a tenth of a millisecond apiece; generated code never reaches a ``.pyc``): a command
line that imports forty such classes, most of which it only unpickles from the compiled cache,
spent a fifth of its time there. A record is a real dataclass -- ``dataclasses`` itself finds its
fields, ``__match_args__`` and ``__slots__`` -- whose methods are either generic (``__repr__``,
``__setattr__``, ``__delattr__``, the pickled state: shared code, nothing compiled) or made by
``dataclasses`` itself the first time they are called (``__init__``, ``__eq__``, ``__hash__``:
from a stand-in class with the same fields, then kept on the class, so that every later call
costs what the dataclass's costs and defaults, factories, ``init=False`` fields and
``__post_init__`` follow ``dataclasses``' own rules).

Options: ``slots`` (default true), ``weakref_slot``, ``init``. A base that is a dataclass must
be a record. One difference, deliberate: assigning an attribute that is not a field raises
``FrozenInstanceError`` on a slotted record too (Python 3.11's slotted frozen dataclass raises
a ``TypeError`` from ``super()`` there).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

__all__ = ["record", "record_setstate"]

_T = TypeVar("_T")
_FrozenInstanceError = dataclasses.FrozenInstanceError
_MISSING: Any = dataclasses.MISSING


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for f, value in zip(dataclasses.fields(self), state, strict=False):  # as dataclasses'
        object.__setattr__(self, f.name, value)


# the functions ``dataclasses`` gives a frozen slotted class to pickle with, where it has them:
# a record pickles as that class does, and readers that recognise one recognise the other
_record_getstate: Callable[[Any], list[Any]] = getattr(
    dataclasses, "_dataclass_getstate", _getstate
)
record_setstate: Callable[[Any, list[Any]], None] = getattr(
    dataclasses, "_dataclass_setstate", _setstate
)

# The parameters ``dataclasses`` keeps on a class, as it keeps them for a frozen class. While a
# record is being made, its record bases say they are not frozen, so that ``dataclasses`` (asked
# for a class it does not freeze itself) accepts them; to anyone else, and to a frozen
# ``dataclass`` made from a record, they are frozen.
_deciding = threading.local()
_probe: Any = dataclasses.dataclass(init=False, repr=False, eq=False)(
    type("_Probe", (), {"__doc__": "probe"})
)
_StdParams: Any = type(_probe.__dataclass_params__)


class _RecordParams(_StdParams):  # type: ignore[misc]
    __slots__ = ()

    @property
    def frozen(self) -> bool:
        return not getattr(_deciding, "active", False)


class _Factory:
    """What a parameter with a default factory shows as its default: ``<factory>``."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


@overload
def record(cls: type[_T], /) -> type[_T]: ...


@overload
def record(
    *, slots: bool = True, weakref_slot: bool = False, init: bool = True
) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(
    cls: type[_T] | None = None,
    /,
    *,
    slots: bool = True,
    weakref_slot: bool = False,
    init: bool = True,
) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """Make ``cls`` a frozen dataclass (with ``__slots__`` unless ``slots=False``), its methods
    made when first called. ``init=False``: the class brings its own ``__init__``."""

    def wrap(cls: type[_T]) -> type[_T]:
        made: type[_T] = _make(cls, slots=slots, weakref_slot=weakref_slot, init=init)
        return made

    return wrap if cls is None else wrap(cls)


def _make(cls: Any, *, slots: bool, weakref_slot: bool, init: bool) -> Any:
    if not isinstance(cls, type):
        raise TypeError(f"record decorates a class, not {cls!r}")
    for base in cls.__mro__[1:-1]:
        params = getattr(base, "__dataclass_params__", None)
        if params is not None and not isinstance(params, _RecordParams):
            raise TypeError(
                f"{cls.__name__}: a record's dataclass bases must be records, "
                f"and {base.__name__} is a dataclasses.dataclass"
            )
    body = cls.__dict__
    for name in ("__setattr__", "__delattr__"):
        if name in body:  # what a frozen dataclass refuses
            raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
    # whether the body defines its own __hash__ (a body that defines __eq__ only has None)
    own_hash = body.get("__hash__", _MISSING)
    explicit_hash = not (own_hash is _MISSING or (own_hash is None and "__eq__" in body))
    own = {name for name in ("__init__", "__repr__", "__eq__") if name in body}
    own_state = {name for name in ("__getstate__", "__setstate__") if name in body}
    undocumented = not body.get("__doc__")
    if undocumented:  # spares dataclasses' inspect.signature of a class without its __init__
        cls.__doc__ = "record"
    _deciding.active = True
    try:
        made: Any = dataclasses.dataclass(
            cls,
            init=False,
            repr=False,
            eq=False,
            frozen=False,
            slots=slots,
            weakref_slot=weakref_slot,
        )
    finally:
        _deciding.active = False
    params = copy.copy(made.__dataclass_params__)
    params.__class__ = _RecordParams
    params.init, params.repr, params.eq = init, True, True
    made.__dataclass_params__ = params

    every = made.__dataclass_fields__
    fields = dataclasses.fields(made)
    if init:  # checked where dataclasses checks it: writing an __init__, even one not kept
        _check_defaults(every.values())
    if init and "__init__" not in own:
        _install(made, "__init__", _lazy_init(made))
        made.__signature__ = _LazySignature(made)
    if "__repr__" not in own:
        _install(made, "__repr__", _repr([f.name for f in fields if f.repr]))
    if "__eq__" not in own:
        _install(made, "__eq__", _lazy_method(made, "__eq__"))
    setter, deleter = _frozen(made, tuple(f.name for f in fields))
    _install(made, "__setattr__", setter)
    _install(made, "__delattr__", deleter)
    if not explicit_hash:
        _install(made, "__hash__", _lazy_method(made, "__hash__"))
    if slots:
        if "__getstate__" not in own_state:
            made.__getstate__ = _record_getstate
        if "__setstate__" not in own_state:
            made.__setstate__ = record_setstate
    if undocumented:
        made.__doc__ = made.__name__ + _signature_text(made, every.values())
    return made


def _install(cls: Any, name: str, function: Any) -> None:
    function.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, function)


def _check_defaults(every: Any) -> None:
    """``dataclasses``' check, made when it writes ``__init__`` -- at decoration, as there."""
    seen_default = False
    for f in every:
        if not _takes(f) or f.kw_only is True:
            continue
        if not (f.default is _MISSING and f.default_factory is _MISSING):
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")


def _takes(f: Any) -> bool:
    """Whether ``__init__`` takes the field: a real field or an InitVar with ``init`` (a
    ClassVar is the one kind whose ``kw_only`` stays unset)."""
    return bool(f.init) and f.kw_only is not _MISSING


# -- methods made by dataclasses on first use -------------------------------------------------


def _stand_in(cls: Any, every: bool, **options: Any) -> Any:
    """``dataclasses.dataclass(**options)`` applied to a plain class with the fields of the
    record ``cls`` (``every``: with its InitVars and ClassVars, else the real fields only)."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {
        "__module__": cls.__module__,  # resolves string annotations (InitVar) as for cls
        "__qualname__": cls.__qualname__,
        "__doc__": "stand-in",
        "__annotations__": annotations,
    }
    kept = cls.__dataclass_fields__.values() if every else dataclasses.fields(cls)
    for f in kept:
        if every:  # for __init__: what it takes, its defaults, what it sets
            annotations[f.name] = f.type
            namespace[f.name] = dataclasses.field(
                default=f.default,
                default_factory=f.default_factory,
                init=f.init,
                kw_only=f.kw_only,
            )
        else:  # for __eq__ and __hash__: which fields, in which order
            annotations[f.name] = object
            namespace[f.name] = dataclasses.field(compare=f.compare, hash=f.hash)
    if hasattr(cls, "__post_init__"):  # __init__ calls self.__post_init__: the record's own
        namespace["__post_init__"] = cls.__post_init__
    return dataclasses.dataclass(type(cls.__name__, (), namespace), **options)


def _made_init(cls: Any) -> Any:
    """The ``__init__`` of ``dataclass(frozen=True)`` for ``cls``, installed on ``cls``."""
    current = cls.__dict__.get("__init__")
    if not getattr(current, "_record_lazy", False):
        return current
    slotted = "__slots__" in cls.__dict__  # a slotted class's __init__ sets init=False defaults
    stand_in = _stand_in(
        cls, True, init=True, repr=False, eq=False, frozen=True, match_args=False, slots=slotted
    )
    made = stand_in.__dict__["__init__"]
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = made
    if isinstance(cls.__dict__.get("__signature__"), _LazySignature):
        del cls.__signature__
    return made


def _lazy_init(cls: Any) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        _made_init(cls)(self, *args, **kwargs)

    __init__._record_lazy = True  # type: ignore[attr-defined]
    return __init__


class _LazySignature:
    """``inspect.signature(cls)`` before ``cls`` was first made: makes its ``__init__``, then
    lets ``inspect`` read it as it reads a dataclass's."""

    def __init__(self, cls: Any) -> None:
        self.cls = cls

    def __get__(self, obj: Any, owner: Any = None) -> inspect.Signature:
        _made_init(self.cls)  # removes this descriptor from the class
        if obj is None:
            return inspect.signature(owner)
        return obj.__signature__  # type: ignore[no-any-return]


def _made_method(cls: Any, name: str) -> Any:
    """``__eq__`` or ``__hash__`` as ``dataclass(frozen=True)`` writes it for ``cls``,
    installed on ``cls``."""
    current = cls.__dict__.get(name)
    if not getattr(current, "_record_lazy", False):
        return current
    if name == "__eq__":
        stand_in = _stand_in(cls, False, init=False, repr=False, eq=True, match_args=False)
    else:  # the hash dataclasses adds when eq and frozen: of the same fields
        stand_in = _stand_in(
            cls, False, init=False, repr=False, eq=False, unsafe_hash=True, match_args=False
        )
    made = stand_in.__dict__[name]
    made.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, made)
    return made


def _lazy_method(cls: Any, name: str) -> Callable[..., Any]:
    def __eq__(self: Any, other: Any) -> Any:
        return _made_method(cls, "__eq__")(self, other)

    def __hash__(self: Any) -> Any:
        return _made_method(cls, "__hash__")(self)

    method: Any = __eq__ if name == "__eq__" else __hash__
    method._record_lazy = True
    return method  # type: ignore[no-any-return]


# -- generic methods ---------------------------------------------------------------------------


def _repr(names: list[str]) -> Callable[[Any], str]:
    """``Name(field=value, ...)`` over the fields shown, ``...`` for an object already being
    shown higher up in the same thread (as ``dataclasses``' own guard)."""
    running: set[tuple[int, int]] = set()

    def __repr__(self: Any) -> str:
        key = id(self), threading.get_ident()
        if key in running:
            return "..."
        running.add(key)
        try:
            shown = ", ".join([f"{name}={getattr(self, name)!r}" for name in names])
        finally:
            running.discard(key)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _frozen(cls: Any, names: tuple[str, ...]) -> tuple[Callable[..., None], Callable[..., None]]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise _FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise _FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__


def _signature_text(cls: Any, every: Any) -> str:
    """The signature ``dataclasses`` writes into an undocumented class's ``__doc__``, read
    from the fields (not from an ``__init__`` made for the purpose)."""
    if not getattr(cls.__dict__.get("__init__"), "_record_lazy", False):
        try:
            return str(inspect.signature(cls)).replace(" -> None", "")
        except (TypeError, ValueError):
            return ""
    empty = inspect.Parameter.empty
    positional: list[inspect.Parameter] = []
    keyword: list[inspect.Parameter] = []
    for f in every:
        if not _takes(f):
            continue
        if f.default is not _MISSING:
            default = f.default
        else:
            default = _FACTORY if f.default_factory is not _MISSING else empty
        kind = (
            inspect.Parameter.KEYWORD_ONLY if f.kw_only else inspect.Parameter.POSITIONAL_OR_KEYWORD
        )
        (keyword if f.kw_only else positional).append(
            inspect.Parameter(f.name, kind, default=default, annotation=f.type)
        )
    signature = inspect.Signature([*positional, *keyword], return_annotation=None)
    return str(signature).replace(" -> None", "")
