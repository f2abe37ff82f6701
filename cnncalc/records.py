"""Records: frozen (or mutable), slotted value classes made in microseconds.

``@dataclass(frozen=True, slots=True)`` generates and ``exec``s six methods for each class and,
for ``slots``, builds the class twice: most of a millisecond per class, paid at import by every
run for every class of every module it loads (issue 16 measured 81 of them at 57-60 ms, half of
start-up). A :class:`Record` subclass says the same thing::

    class Span(Record):
        line: int
        col: int = 1
        source: str = field(default="", compare=False)

and costs a plain slotted class: its annotated names (class variables apart) become its fields,
stored in ``__slots__``; class-level values are defaults; equality, hash, ``repr``, pickling and
immutability are written once here, over the fields; ``__init__`` is generated on a class's first
instantiation only (a module's classes that a run never builds cost nothing more). Class keywords
choose the rest, as ``@dataclass``'s arguments do: ``frozen`` (default true), ``eq`` (default
true: compare and hash by the compared fields' values; false: by identity) and ``kw_only``
(default false, inherited by subclasses). A class that defines ``__init__`` keeps its own; a
``__post_init__`` runs after the generated one. ``typing.dataclass_transform`` tells type checkers
the same as the equivalent dataclass would.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:
    try:
        from typing import dataclass_transform
    except ImportError:  # Python 3.10: the marker only informs type checkers

        def dataclass_transform(**_: object) -> Callable[[type], type]:
            return lambda cls: cls


__all__ = [
    "FrozenInstanceError",
    "Record",
    "RecordType",
    "dataclass_transform",
    "field",
    "replace",
]


class FrozenInstanceError(AttributeError):
    """Assigning to (or deleting) a field of a frozen record."""


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


class _FieldSpec:
    """What :func:`field` wrote at class level, read (and removed) when the class is made."""

    __slots__ = ("compare", "default", "default_factory", "repr")

    def __init__(
        self, default: Any, default_factory: Callable[[], Any] | None, compare: bool, repr: bool
    ) -> None:
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr


def field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] | None = None,
    compare: bool = True,
    repr: bool = True,
) -> Any:
    """A field's options beyond its default, as ``dataclasses.field``: ``default_factory`` makes
    a fresh default per instance; ``compare=False`` keeps the field out of equality and hash
    (a source span, say); ``repr=False`` out of ``repr``."""
    return _FieldSpec(default, default_factory, compare, repr)


def _class_variable(annotation: object) -> bool:
    written = annotation if isinstance(annotation, str) else repr(annotation)
    return written.startswith(("ClassVar", "typing.ClassVar"))


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class RecordType(type):
    """The metaclass of records (see the module's docstring)."""

    __record_fields__: tuple[str, ...]
    __record_defaults__: dict[str, Any]
    __record_factories__: dict[str, Callable[[], Any]]
    __record_compared__: tuple[str, ...]
    __record_key__: Callable[[Any], tuple[Any, ...]]
    __record_shown__: tuple[str, ...]
    __record_kw_only__: bool

    def __new__(
        mcs,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        *,
        frozen: bool = True,
        eq: bool = True,
        kw_only: bool | None = None,
    ) -> RecordType:
        written = namespace.get("__annotations__", {})
        own = tuple(field for field, hint in written.items() if not _class_variable(hint))
        defaults: dict[str, Any] = {}
        factories: dict[str, Callable[[], Any]] = {}
        hidden: set[str] = set()
        unshown: set[str] = set()
        for field_name in own:
            if field_name not in namespace:
                continue
            value = namespace.pop(field_name)
            if isinstance(value, _FieldSpec):
                if value.default_factory is not None:
                    factories[field_name] = value.default_factory
                elif value.default is not _MISSING:
                    defaults[field_name] = value.default
                if not value.compare:
                    hidden.add(field_name)
                if not value.repr:
                    unshown.add(field_name)
            else:
                defaults[field_name] = value
        namespace["__slots__"] = own
        if not frozen:
            namespace.setdefault("__setattr__", object.__setattr__)
            namespace.setdefault("__delattr__", object.__delattr__)
        if not eq:
            namespace.setdefault("__eq__", object.__eq__)
            namespace.setdefault("__hash__", object.__hash__)
        elif not frozen:
            namespace.setdefault("__hash__", None)  # mutable and compared by value: unhashable
        cls = super().__new__(mcs, name, bases, namespace)
        inherited = getattr(cls, "__record_fields__", ())
        cls.__record_fields__ = inherited + own
        cls.__record_defaults__ = {**getattr(cls, "__record_defaults__", {}), **defaults}
        cls.__record_factories__ = {**getattr(cls, "__record_factories__", {}), **factories}
        cls.__record_compared__ = getattr(cls, "__record_compared__", ()) + tuple(
            field for field in own if field not in hidden
        )
        cls.__record_key__ = _key(cls.__record_compared__)
        cls.__record_shown__ = getattr(cls, "__record_shown__", ()) + tuple(
            field for field in own if field not in unshown
        )
        cls.__record_kw_only__ = (
            kw_only if kw_only is not None else getattr(cls, "__record_kw_only__", False)
        )
        if not cls.__record_kw_only__:
            _check_order(cls)
        if "__init__" not in namespace:
            cls.__init__ = _first_init(cls)  # type: ignore[misc]
        return cls


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The compared fields' values as one tuple, read by ``operator.attrgetter`` (in C: equality
    and hash are hot, inference memoises layers by value)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda record: (one(record),)
    return lambda record: ()


def _check_order(cls: RecordType) -> None:
    """Positional fields with defaults must come last, as Python's parameters (and dataclasses)
    require."""
    optional = cls.__record_defaults__.keys() | cls.__record_factories__.keys()
    after_default = False
    for name in cls.__record_fields__:
        if name in optional:
            after_default = True
        elif after_default:
            raise TypeError(
                f"{cls.__name__}: the field '{name}' without a default follows one with a default"
            )


def _first_init(cls: RecordType) -> Callable[..., None]:
    """A stand-in ``__init__`` that generates the class's own on its first call, installs it and
    runs it."""

    def first_init(self: Any, *args: Any, **kwargs: Any) -> None:
        made = _make_init(cls)
        cls.__init__ = made  # type: ignore[misc]
        made(self, *args, **kwargs)

    first_init.__qualname__ = f"{cls.__qualname__}.__init__"
    return first_init


def _make_init(cls: RecordType) -> Callable[..., None]:
    """``def __init__(self, a, b=<default>, *, c=<MISSING>)`` setting each field in order, a
    factory's default made when the argument is missing, then ``__post_init__`` if defined."""
    defaults, factories = cls.__record_defaults__, cls.__record_factories__
    known: dict[str, Any] = {"_set": object.__setattr__, "_MISSING": _MISSING}
    params, body = [], []
    for name in cls.__record_fields__:
        if not name.isidentifier():  # the source below is made of these names and nothing else
            raise TypeError(f"{cls.__name__}: the field name {name!r} is not an identifier")
        if name in factories:
            known[f"_make_{name}"] = factories[name]
            params.append(f"{name}=_MISSING")
            body.append(f" if {name} is _MISSING: {name} = _make_{name}()")
        elif name in defaults:
            known[f"_default_{name}"] = defaults[name]
            params.append(f"{name}=_default_{name}")
        else:
            params.append(name)
        body.append(f" _set(self, {name!r}, {name})")
    if hasattr(cls, "__post_init__"):
        body.append(" self.__post_init__()")
    star = ["*"] if cls.__record_kw_only__ and params else []
    source = f"def __init__(self, {', '.join([*star, *params])}):\n" + ("\n".join(body) or " pass")
    exec(source, known)
    made: Callable[..., None] = known["__init__"]
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    return made


def _restore(cls: type[R], values: tuple[Any, ...]) -> R:
    made = cls.__new__(cls)
    for name, value in zip(cls.__record_fields__, values, strict=True):
        object.__setattr__(made, name, value)
    return made


R = TypeVar("R", bound="Record")


class Record(metaclass=RecordType):
    """Base of every record (see the module's docstring)."""

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field '{name}'")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field '{name}'")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        key = type(self).__record_key__
        return key(self) == key(other)

    def __hash__(self) -> int:
        return hash(type(self).__record_key__(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__record_shown__)
        return f"{type(self).__qualname__}({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        cls = type(self)
        return _restore, (cls, tuple(getattr(self, name) for name in cls.__record_fields__))


def replace(record: R, **changes: Any) -> R:
    """A copy of ``record`` with ``changes``, through its ``__init__`` (as
    ``dataclasses.replace``)."""
    cls = type(record)
    current = {name: getattr(record, name) for name in cls.__record_fields__}
    unknown = changes.keys() - current.keys()
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
    return cls(**{**current, **changes})
