"""Records (``cnncalc/records.py``) behave as the frozen, slotted dataclasses they replace."""

from __future__ import annotations

import copy
import pickle
from typing import Any, ClassVar

import pytest

from cnncalc.records import FrozenInstanceError, Record, field, replace


def fields(cls: type[Record]) -> tuple[str, ...]:
    return cls.__record_fields__


def values(record: Record) -> tuple[Any, ...]:
    return tuple(getattr(record, name) for name in fields(type(record)))


class Point(Record):
    x: int
    y: int = 0
    label: str = field(default="", compare=False)
    tags: list[str] = field(default_factory=list, compare=False, repr=False)
    count: ClassVar[int] = 0


class Pixel(Point):
    colour: str = "black"


class Options(Record, kw_only=True):
    depth: int
    width: int = 8


class Wide(Options):
    height: int


class Counter(Record, frozen=False):
    hits: int = 0


class Token(Record, eq=False):
    text: str


class Shaped(Record):
    dims: tuple[int, ...]

    def __init__(self, *dims: int) -> None:
        object.__setattr__(self, "dims", dims)


class Checked(Record):
    low: int
    high: int = 0

    def __post_init__(self) -> None:
        if not self.high:
            object.__setattr__(self, "high", self.low)


def test_fields_defaults_and_class_variables() -> None:
    assert fields(Point) == ("x", "y", "label", "tags")
    assert fields(Pixel) == ("x", "y", "label", "tags", "colour")
    assert vars(Point)["__slots__"] == ("x", "y", "label", "tags")
    assert vars(Pixel)["__slots__"] == ("colour",)
    point = Point(1)
    assert values(point) == (1, 0, "", [])
    assert Point.count == 0
    assert not hasattr(point, "__dict__")


def test_positional_and_keyword_arguments() -> None:
    assert values(Point(1, 2, "a")) == (1, 2, "a", [])
    assert values(Pixel(1, colour="red")) == (1, 0, "", [], "red")
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, 2, "a", [], "extra")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=3)  # type: ignore[call-arg]


def test_keyword_only_is_inherited() -> None:
    assert values(Wide(depth=1, height=2)) == (1, 8, 2)
    with pytest.raises(TypeError):
        Options(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Wide(depth=1)  # type: ignore[call-arg]


def test_a_factory_makes_a_fresh_default_each_time() -> None:
    first, second = Point(1), Point(1)
    first.tags.append("x")
    assert second.tags == []


def test_equality_and_hash_skip_uncompared_fields() -> None:
    assert Point(1, 2, "a") == Point(1, 2, "b")
    assert hash(Point(1, 2, "a")) == hash(Point(1, 2, "b"))
    assert Point(1, 2) != Point(2, 1)
    assert Point(1) != Pixel(1)  # another class is never equal
    assert Point(1).__eq__(object()) is NotImplemented


def test_eq_false_compares_by_identity() -> None:
    one, other = Token("a"), Token("a")
    assert one != other
    assert one == one
    assert len({one, other}) == 2


def test_frozen_and_mutable() -> None:
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del point.x
    assert isinstance(FrozenInstanceError("x"), AttributeError)
    counter = Counter()
    counter.hits += 1
    assert counter.hits == 1
    with pytest.raises(TypeError):
        hash(counter)  # mutable and compared by value, as a dataclass


def test_repr_shows_the_shown_fields() -> None:
    assert repr(Point(1, 2, "a")) == "Point(x=1, y=2, label='a')"
    assert repr(Token("t")) == "Token(text='t')"


def test_own_init_and_post_init() -> None:
    assert Shaped(1, 2, 3).dims == (1, 2, 3)
    assert Shaped(1, 2) == Shaped(1, 2)
    assert values(Checked(3)) == (3, 3)
    assert values(Checked(3, 5)) == (3, 5)


@pytest.mark.parametrize(
    "record",
    [Point(1, 2, "a", ["t"]), Pixel(1, colour="red"), Wide(depth=1, height=2), Shaped(4, 5)],
    ids=repr,
)
def test_pickle_and_copy_round_trip(record: Any) -> None:
    for again in (pickle.loads(pickle.dumps(record)), copy.copy(record), copy.deepcopy(record)):
        assert type(again) is type(record)
        assert values(again) == values(record)


def test_replace() -> None:
    point = Point(1, 2, "a")
    moved = replace(point, y=5)
    assert values(moved) == (1, 5, "a", [])
    assert values(point) == (1, 2, "a", [])
    with pytest.raises(TypeError, match="has no field z"):
        replace(point, z=1)


def test_init_is_made_on_first_use_for_that_class_only() -> None:
    class Fresh(Record):
        a: int

    class Derived(Fresh):
        b: int = 1

    stand_in = Fresh.__dict__["__init__"]
    assert Derived(1).b == 1  # Derived's own, with both fields
    assert Fresh.__dict__["__init__"] is stand_in
    assert Fresh(2).a == 2
    assert Fresh.__dict__["__init__"] is not stand_in


def test_a_required_field_after_a_default_is_refused_at_class_creation() -> None:
    with pytest.raises(TypeError, match="'b' without a default follows one with a default"):

        class Bad(Record):
            a: int = 0
            b: int  # type: ignore[misc]


def test_generated_source_is_made_of_identifiers_only() -> None:
    class Odd(Record):
        a: int

    Odd.__record_fields__ = ("a", "a); import os; (b")
    with pytest.raises(TypeError, match="is not an identifier"):
        Odd(1)
