"""Located YAML values to typed layer fields, strictly.

A layer's dataclass annotations are its schema: ``int`` is a count (at least 1), ``Offset`` a
whole number from 0, ``Pair`` an int or ``[h, w]``, ``Padding`` an int, ``[h, w]``, ``[top, bottom,
left, right]``, ``same`` or
``valid``. Numbers may be written as expressions over the names in scope (``filters * 4``), but
never as quoted numbers, never as floats where an integer is needed (``2.0``), never as YAML
booleans.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields
from typing import Any

from cnncalc.errors import Problem
from cnncalc.expr import Number, Value, evaluate
from cnncalc.layers.base import Layer
from cnncalc.shapes import PadMode, Rounding
from cnncalc.source import Map, Node, Scalar, Seq, describe

#: Largest size, count or channel number accepted anywhere (E007 beyond).
MAX_SIZE = 10**7


_NUMERAL = re.compile(r"^\s*[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def value(node: Node, env: Mapping[str, Value], what: str) -> Value:
    """A number, an expression, or a pair ``[h, w]`` of them (for block arguments and params).

    Booleans, words and quoted numbers (``"2"``) are refused. An expression may be quoted: inside
    a YAML flow mapping ``{...}`` a comma would otherwise end the value, as in
    ``{filters: "max(8, c // 4)"}``."""
    if isinstance(node, Seq) and len(node.items) == 2:
        first, second = (number(item, env, what) for item in node.items)
        return (first, second)
    if isinstance(node, Scalar):
        literal = node.value
        if isinstance(literal, bool) or literal is None:
            raise Problem(
                "E103",
                f"{what} must be a number, not {describe(node)}",
                "write a number",
                node.span,
            )
        if isinstance(literal, float) and not math.isfinite(literal):
            raise Problem(
                "E104",
                f"{what} must be a finite number, not {node.raw}",
                "write a number",
                node.span,
            )
        if isinstance(literal, int | float):
            return literal
        if node.quoted and _NUMERAL.match(literal):
            raise Problem(
                "E103",
                f"{what} must be a number, not {describe(node)}",
                f"write {literal} without quotes",
                node.span,
            )
        try:
            return evaluate(literal, env)
        except Problem as exc:
            raise Problem(exc.code, f"{what}: {exc.message}", exc.hint, node.span) from None
    raise Problem(
        "E103", f"{what} must be a number, not {describe(node)}", "write a number", node.span
    )


def number(node: Node, env: Mapping[str, Value], what: str) -> Number:
    """A single number (see :func:`value`); a pair is refused."""
    found = value(node, env, what)
    if isinstance(found, tuple):
        hint = (
            "this field takes one number; pairs go where [h, w] is accepted (kernel, stride, pad,"
            " dilation, size)"
        )
        raise Problem(
            "E103", f"{what} must be a single number, not the pair {list(found)}", hint, node.span
        )
    return found


def integer(node: Node, env: Mapping[str, Value], what: str, minimum: int = 1) -> int:
    """A whole number of at least ``minimum`` (expressions may give an integral float, e.g. ``64 *
    1.5``).
    """
    return _whole(number(node, env, what), node, what, minimum)


def _whole(value: Number, node: Node, what: str, minimum: int) -> int:
    if isinstance(value, float):
        literal = isinstance(node, Scalar) and isinstance(node.value, float)
        if literal or not value.is_integer():
            raise Problem(
                "E103",
                f"{what} must be a whole number, not {value:g}",
                "write an integer, or round with int(), round() or make_divisible()",
                node.span,
            )
        value = int(value)
    if value < minimum:
        raise Problem(
            "E104",
            f"{what} must be at least {minimum}, not {value}",
            f"use a value of {minimum} or more",
            node.span,
        )
    if value > MAX_SIZE:
        raise Problem(
            "E007",
            f"{what} is {value:,}, above the limit of {MAX_SIZE:,}",
            "use a realistic size",
            node.span,
        )
    return value


def _items(node: Node, what: str, counts: tuple[int, ...]) -> tuple[Node, ...]:
    if isinstance(node, Seq):
        if len(node.items) not in counts:
            wanted = " or ".join(str(n) for n in counts)
            raise Problem(
                "E103",
                f"{what} must be a number or a list of {wanted} numbers, not {len(node.items)}",
                "e.g. 3 or [3, 5]",
                node.span,
            )
        return node.items
    return (node,)


def _scalar_pair(
    node: Scalar, env: Mapping[str, Value], what: str, minimum: int
) -> tuple[int, int]:
    """A number or an expression that gives a pair (``kernel``, ``kernel // 2``) as ``(h, w)``."""
    found = value(node, env, what)
    if isinstance(found, tuple):
        return (_whole(found[0], node, what, minimum), _whole(found[1], node, what, minimum))
    size = _whole(found, node, what, minimum)
    return (size, size)


def pair(node: Node, env: Mapping[str, Value], what: str) -> tuple[int, int]:
    if isinstance(node, Scalar):
        return _scalar_pair(node, env, what, 1)
    items = _items(node, what, (2,))
    values = [integer(item, env, what) for item in items]
    return (values[0], values[-1])


def padding(node: Node, env: Mapping[str, Value], what: str) -> tuple[int, int, int, int] | PadMode:
    if isinstance(node, Scalar) and isinstance(node.value, str) and node.value in ("same", "valid"):
        return PadMode(node.value)
    if isinstance(node, Scalar):
        h, w = _scalar_pair(node, env, what, 0)
        return (h, h, w, w)
    items = _items(node, what, (2, 4))
    values = [integer(item, env, what, minimum=0) for item in items]
    if len(values) == 2:
        return (values[0], values[0], values[1], values[1])
    return (values[0], values[1], values[2], values[3])


#: A field annotated ``Offset`` is a whole number that may be 0 (a channel position); ``int`` is a
#: count, at least 1.
Offset = int


def offset(node: Node, env: Mapping[str, Value], what: str) -> int:
    return integer(node, env, what, minimum=0)


def boolean(node: Node, env: Mapping[str, Value], what: str) -> bool:
    if isinstance(node, Scalar) and isinstance(node.value, bool):
        return node.value
    raise Problem(
        "E103",
        f"{what} must be true or false, not {describe(node)}",
        "write true or false",
        node.span,
    )


def real(node: Node, env: Mapping[str, Value], what: str) -> float:
    return float(number(node, env, what))


def rounding(node: Node, env: Mapping[str, Value], what: str) -> Rounding:
    choices = [r.value for r in Rounding]
    if isinstance(node, Scalar) and node.value in choices:
        return Rounding(node.value)
    raise Problem(
        "E103",
        f"{what} must be one of {', '.join(choices)}, not {describe(node)}",
        "floor is PyTorch's rule, ceil Caffe's pooling rule",
        node.span,
    )


Converter = Callable[[Node, Mapping[str, Value], str], Any]

_CONVERTERS: dict[str, Converter] = {
    "int": integer,
    "Pair": pair,
    "Pair | None": pair,
    "Padding": padding,
    "Offset": offset,
    "bool": boolean,
    "float": real,
    "Rounding | None": rounding,
}


class FieldSpec:
    """How to read one layer field: its converter and whether it may be omitted."""

    __slots__ = ("convert", "required")

    def __init__(self, convert: Converter, required: bool) -> None:
        self.convert = convert
        self.required = required


_SCHEMAS: dict[type[Layer], dict[str, FieldSpec]] = {}


def schema(cls: type[Layer]) -> dict[str, FieldSpec]:
    """The fields of a layer type, from its dataclass annotations (cached)."""
    found = _SCHEMAS.get(cls)
    if found is None:
        found = {}
        for f in fields(cls):
            annotation = (
                f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
            )
            convert = _CONVERTERS[annotation]
            found[f.name] = FieldSpec(
                convert, f.default is MISSING and f.default_factory is MISSING
            )
        _SCHEMAS[cls] = found
    return found


def build(
    cls: type[Layer],
    values: Map | None,
    env: Mapping[str, Value],
    skip: frozenset[str],
    where: Node,
) -> tuple[Layer | None, list[Problem]]:
    """Construct ``cls`` from ``values`` (keys in ``skip`` belong to the caller; ``where`` locates a
    missing field). Collects every problem rather than stopping at the first."""
    problems: list[Problem] = []
    kwargs: dict[str, Any] = {}
    fields_of = schema(cls)
    entries = values.entries if values else {}
    for key, node in entries.items():
        if key in skip:
            continue
        spec = fields_of.get(key)
        if spec is None:
            continue  # unknown keys are reported by the caller, which knows the meta keys too
        try:
            kwargs[key] = spec.convert(node, env, f"'{key}'")
        except Problem as problem:
            problems.append(problem)
    missing = [name for name, spec in fields_of.items() if spec.required and name not in entries]
    if missing or problems:
        return None, problems + [
            Problem(
                "E105",
                f"{cls.kind} needs '{name}'",
                f"add '{name}' (fields: {', '.join(fields_of)})",
                where.span,
            )
            for name in missing
        ]
    return cls(**kwargs), []
