"""Located YAML values to typed layer fields, strictly.

Each kind of layer field is one :class:`FieldType`: its converter (YAML node to value, refusing
with a located :class:`Problem`), its JSON Schema and its doc text. A layer annotates a field with
the Python type mypy checks carrying its field type, ``kernel: Pair`` with ``Pair =
Annotated[tuple[int, int], PAIR]``; :func:`schema` resolves the annotations when the layer is
registered, so a field without a field type fails at import, naming the layer and the field. A new
field type is one definition and its alias: ``OFFSET_PAIR = pair_of(OFFSET, "offsetPair")``.

Numbers may be written as expressions over the names in scope (``filters * 4``), but never as
quoted numbers, never as floats where an integer is needed (``2.0``), never as YAML booleans; a
range is checked on the value, however it was written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from enum import Enum
from types import UnionType
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    TypeAlias,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from cnncalc import shapes
from cnncalc.errors import Problem
from cnncalc.expr import Number, Value, evaluate
from cnncalc.source import Map, Node, Scalar, Seq, describe

if TYPE_CHECKING:
    from cnncalc.layers.base import Layer

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
                f"{what} must be a whole number, not {value!r}",  # every digit: never rounded
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


def pair(node: Node, env: Mapping[str, Value], what: str, minimum: int = 1) -> tuple[int, int]:
    """An int or ``[h, w]`` (or an expression giving either) as ``(h, w)``, each at least
    ``minimum``."""
    if isinstance(node, Scalar):
        return _scalar_pair(node, env, what, minimum)
    items = _items(node, what, (2,))
    values = [integer(item, env, what, minimum) for item in items]
    return (values[0], values[-1])


def padding(node: Node, env: Mapping[str, Value], what: str) -> shapes.Padding:
    if isinstance(node, Scalar) and isinstance(node.value, str) and node.value in ("same", "valid"):
        return shapes.PadMode(node.value)
    if isinstance(node, Scalar):
        h, w = _scalar_pair(node, env, what, 0)
        return (h, h, w, w)
    items = _items(node, what, (2, 4))
    values = [integer(item, env, what, minimum=0) for item in items]
    if len(values) == 2:
        return (values[0], values[0], values[1], values[1])
    return (values[0], values[1], values[2], values[3])


def boolean(node: Node, env: Mapping[str, Value], what: str) -> bool:
    if isinstance(node, Scalar) and isinstance(node.value, bool):
        return node.value
    raise Problem(
        "E103",
        f"{what} must be true or false, not {describe(node)}",
        "write true or false",
        node.span,
    )


def rounding(node: Node, env: Mapping[str, Value], what: str) -> shapes.Rounding:
    choices = [r.value for r in shapes.Rounding]
    if isinstance(node, Scalar) and node.value in choices:
        return shapes.Rounding(node.value)
    raise Problem(
        "E103",
        f"{what} must be one of {', '.join(choices)}, not {describe(node)}",
        "floor is PyTorch's rule, ceil Caffe's pooling rule",
        node.span,
    )


#: Reads a located YAML node, with the names in scope for expressions, into a field's value;
#: ``what`` names the field in messages (``'kernel'``). Raises a located :class:`Problem`.
Converter = Callable[[Node, Mapping[str, Value], str], Any]

#: Any expression text: its ``$defs`` entry is the language's (``jsonschema.py``), not a field type.
_EXPRESSION = {"$ref": "#/$defs/expression"}


@dataclass(frozen=True, eq=False, slots=True, kw_only=True)
class FieldType:
    """What one kind of layer field accepts, in every form cnncalc needs: ``convert`` for specs,
    ``schema`` (its JSON Schema, the ``$defs`` entry ``name``) for editors, ``doc`` (a phrase: what
    a value may be) for the docs. Compared by identity."""

    name: str
    convert: Converter
    schema: Mapping[str, Any]
    doc: str
    #: The field types whose ``$defs`` entries ``schema`` refers to.
    needs: tuple[FieldType, ...] = ()
    #: Written out at each field instead of referred to: a one-keyword schema is shorter than a
    #: reference to it.
    inline: bool = False

    @property
    def ref(self) -> dict[str, Any]:
        """What a field of this type holds in the JSON Schema."""
        return dict(self.schema) if self.inline else {"$ref": f"#/$defs/{self.name}"}


@dataclass(frozen=True, eq=False, slots=True, kw_only=True)
class WholeType(FieldType):
    """Whole numbers of at least ``minimum`` (made by :func:`whole`): what :func:`pair_of` pairs."""

    minimum: int


def whole(name: str, minimum: int) -> WholeType:
    """The field type of whole numbers of at least ``minimum``."""

    def convert(node: Node, env: Mapping[str, Value], what: str) -> int:
        return integer(node, env, what, minimum)

    return WholeType(
        name=name,
        convert=convert,
        schema={"anyOf": [{"type": "integer", "minimum": minimum}, _EXPRESSION]},
        doc=f"a whole number of at least {minimum}",
        minimum=minimum,
    )


def pair_of(element: WholeType, name: str) -> FieldType:
    """The field type of ``(h, w)`` pairs of ``element``, written as one number for both or as
    ``[h, w]``."""

    def convert(node: Node, env: Mapping[str, Value], what: str) -> tuple[int, int]:
        return pair(node, env, what, element.minimum)

    return FieldType(
        name=name,
        convert=convert,
        schema={
            "anyOf": [
                element.ref,
                {"type": "array", "items": element.ref, "minItems": 2, "maxItems": 2},
            ]
        },
        doc=f"{element.doc}, or [h, w] of them",
        needs=(element,),
    )


def real(
    name: str,
    *,
    at_least: float | None = None,
    above: float | None = None,
    below: float | None = None,
) -> FieldType:
    """The field type of finite numbers in a range (any, when no bound is given); a value outside
    it is E104, whether written as a number or computed by an expression."""
    words = " and ".join(
        f"{relation} {bound:g}"
        for relation, bound in (
            ("at least", at_least),
            ("greater than", above),
            ("less than", below),
        )
        if bound is not None
    )
    if at_least is not None:
        lower = f"[{at_least:g}"
    elif above is not None:
        lower = f"({above:g}"
    else:
        lower = "(-inf"
    interval = f"{lower}, {'inf' if below is None else f'{below:g}'})"

    def convert(node: Node, env: Mapping[str, Value], what: str) -> float:
        found = number(node, env, what)
        if (
            (at_least is not None and not found >= at_least)
            or (above is not None and not found > above)
            or (below is not None and not found < below)
        ):
            raise Problem(
                "E104",
                f"{what} must be {words}, not {found}",
                f"use a value in {interval}",
                node.span,
            )
        return float(found)

    limits = {
        keyword: bound
        for keyword, bound in (
            ("minimum", at_least),
            ("exclusiveMinimum", above),
            ("exclusiveMaximum", below),
        )
        if bound is not None
    }
    return FieldType(
        name=name,
        convert=convert,
        schema={"anyOf": [{"type": "number", **limits}, _EXPRESSION]},
        doc=f"a number {words}" if words else "any finite number",
    )


COUNT = whole("count", 1)
OFFSET = whole("offset", 0)
PAIR = pair_of(COUNT, "pair")
OFFSET_PAIR = pair_of(OFFSET, "offsetPair")
PADDING = FieldType(
    name="padding",
    convert=padding,
    schema={
        "anyOf": [
            OFFSET.ref,
            {"type": "array", "items": OFFSET.ref, "minItems": 2, "maxItems": 2},
            {"type": "array", "items": OFFSET.ref, "minItems": 4, "maxItems": 4},
            {"enum": [m.value for m in shapes.PadMode]},
        ]
    },
    doc=(
        f"{OFFSET.doc} for every side; [h, w] or [top, bottom, left, right] of them;"
        f" {' or '.join(m.value for m in shapes.PadMode)}"
    ),
    needs=(OFFSET,),
)


def sides(node: Node, env: Mapping[str, Value], what: str) -> tuple[int, int, int, int]:
    """Explicit padding only (a crop's sides): what :func:`padding` takes but ``same`` and
    ``valid``."""
    found = padding(node, env, what)
    if isinstance(found, shapes.PadMode):
        raise Problem(
            "E103",
            f"{what} must be numbers of pixels, not {found.value}",
            "e.g. 4, [4, 4] or [4, 4, 4, 4]",
            node.span,
        )
    return found


SIDES = FieldType(
    name="sides",
    convert=sides,
    # the modes are words an expression could be: ruled out by name
    schema={
        "anyOf": PADDING.schema["anyOf"][:3],
        "not": {"enum": [m.value for m in shapes.PadMode]},
    },
    doc=f"{OFFSET.doc} for every side; [h, w] or [top, bottom, left, right] of them",
    needs=(OFFSET,),
)
FLAG = FieldType(
    name="boolean", convert=boolean, schema={"type": "boolean"}, doc="true or false", inline=True
)
NUMBER = real("number")
#: A fraction of a whole: dropout's probability (1 would drop every element).
RATIO = real("ratio", at_least=0, below=1)
#: Epsilons added before dividing, and LRN's k, which keeps its denominator above 0.
POSITIVE = real("positive", above=0)
NON_NEGATIVE = real("nonNegative", at_least=0)
ROUNDING = FieldType(
    name="rounding",
    convert=rounding,
    schema={"enum": [r.value for r in shapes.Rounding]},
    doc=f"one of {', '.join(r.value for r in shapes.Rounding)}",
)


class UpsampleMode(str, Enum):
    """How ``upsample`` interpolates (PyTorch ``nn.Upsample``'s ``mode``)."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"


def choice(name: str, vocabulary: type[Enum], hint: str) -> FieldType:
    """The field type of one word of ``vocabulary`` (a ``str`` enum), refused otherwise (E103)."""
    words = [member.value for member in vocabulary]

    def convert(node: Node, env: Mapping[str, Value], what: str) -> Enum:
        if isinstance(node, Scalar) and node.value in words:
            return vocabulary(node.value)
        raise Problem(
            "E103",
            f"{what} must be one of {', '.join(words)}, not {describe(node)}",
            hint,
            node.span,
        )

    return FieldType(
        name=name, convert=convert, schema={"enum": words}, doc=f"one of {', '.join(words)}"
    )


@dataclass(frozen=True, eq=False, slots=True, kw_only=True)
class ReferenceType(FieldType):
    """A field naming another layer (made by :func:`reference`). The expander resolves it as it
    resolves ``input:`` (names in scope, defined earlier, E201/E202 otherwise) and passes the named
    layer's output to the layer's ``infer`` after its main input (then, with ``and_input``, that
    layer's own input); the field keeps the name."""

    #: The referenced output's values flow into this layer (maxunpool's indices), so its receptive
    #: field joins; False for a reference used only for its size (``like``, ``to``).
    data: bool
    #: The named layer's input volume follows its output (maxunpool restores its pool's input
    #: size); only for its size, never part of the field.
    and_input: bool = False

    @property
    def inputs(self) -> int:
        """How many graph inputs one such reference adds."""
        return 2 if self.and_input else 1


def reference(name: str, *, data: bool, and_input: bool = False) -> ReferenceType:
    """The field type of a reference to an earlier layer by name."""

    def convert(node: Node, env: Mapping[str, Value], what: str) -> str:
        if isinstance(node, Scalar) and isinstance(node.value, str) and node.value:
            return node.value
        raise Problem(
            "E103",
            f"{what} must be the name of an earlier layer, not {describe(node)}",
            "write the name of an earlier layer",
            node.span,
        )

    return ReferenceType(
        name=name,
        convert=convert,
        schema={"type": "string", "minLength": 1},
        doc="the name of an earlier layer" + ("" if data else " (only its size is used)"),
        data=data,
        and_input=and_input,
    )


def volume(node: Node, env: Mapping[str, Value], what: str) -> tuple[int, int, int]:
    """``[h, w, c]``, each a whole number of at least 1."""
    if not (isinstance(node, Seq) and len(node.items) == 3):
        raise Problem(
            "E103",
            f"{what} must be a list [h, w, c] of 3 numbers, not {describe(node)}",
            "e.g. [4, 4, 512]",
            node.span,
        )
    h, w, c = (integer(item, env, what) for item in node.items)
    return (h, w, c)


VOLUME = FieldType(
    name="volume",
    convert=volume,
    schema={"type": "array", "items": COUNT.ref, "minItems": 3, "maxItems": 3},
    doc="[h, w, c], each a whole number of at least 1",
    needs=(COUNT,),
)
UPSAMPLE_MODE = choice(
    "upsampleMode", UpsampleMode, "nearest copies, bilinear and bicubic interpolate"
)
#: ``like`` and ``to``: a layer whose height and width are used.
SIZE_OF = reference("sizeOf", data=False)
#: maxunpool's ``indices``: the pool whose argmax positions are read, and whose input size the
#: unpooling restores.
INDICES_OF = reference("indicesOf", data=True, and_input=True)

# What layer fields are annotated with: the Python type mypy checks, carrying its field type.
Count: TypeAlias = Annotated[int, COUNT]
Offset: TypeAlias = Annotated[int, OFFSET]
Pair: TypeAlias = Annotated[shapes.Pair, PAIR]
OffsetPair: TypeAlias = Annotated[shapes.Pair, OFFSET_PAIR]
Padding: TypeAlias = Annotated[shapes.Padding, PADDING]
Flag: TypeAlias = Annotated[bool, FLAG]
Real: TypeAlias = Annotated[float, NUMBER]
Ratio: TypeAlias = Annotated[float, RATIO]
Positive: TypeAlias = Annotated[float, POSITIVE]
NonNegative: TypeAlias = Annotated[float, NON_NEGATIVE]
Rounding: TypeAlias = Annotated[shapes.Rounding, ROUNDING]
Sides: TypeAlias = Annotated[tuple[int, int, int, int], SIDES]
Volume: TypeAlias = Annotated[tuple[int, int, int], VOLUME]
Mode: TypeAlias = Annotated[UpsampleMode, UPSAMPLE_MODE]
SizeOf: TypeAlias = Annotated[str, SIZE_OF]
IndicesOf: TypeAlias = Annotated[str, INDICES_OF]


def field_type(hint: Any) -> FieldType | None:
    """The field type an evaluated annotation carries, ``Annotated[T, FIELD_TYPE]``, alone or
    ``| None`` (a field whose default None means "not given"); None when it carries none."""
    if get_origin(hint) in (Union, UnionType):
        rest = [arg for arg in get_args(hint) if arg is not type(None)]
        hint = rest[0] if len(rest) == 1 else None
    if get_origin(hint) is not Annotated:
        return None
    found = [meta for meta in get_args(hint)[1:] if isinstance(meta, FieldType)]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True, slots=True)
class LayerField:
    """One field of a layer type as a spec sees it: its type, and whether it must be given (it
    has no default)."""

    type: FieldType
    required: bool


_SCHEMAS: dict[type[Layer], dict[str, LayerField]] = {}


def schema(cls: type[Layer]) -> Mapping[str, LayerField]:
    """The fields of a layer type, resolved once from its annotations (``register`` asks first,
    at import, so a field without a field type fails there, naming the layer and the field)."""
    found = _SCHEMAS.get(cls)
    if found is None:
        found = _SCHEMAS[cls] = _resolve(cls)
    return found


def _resolve(cls: type[Layer]) -> dict[str, LayerField]:
    """``typing.get_type_hints`` evaluates string annotations in each class's own module, so a
    layer module reads the same with or without ``from __future__ import annotations``."""
    layer = cls.kind or cls.__name__
    try:
        hints = get_type_hints(cls, include_extras=True)
    except NameError as exc:
        mention = re.compile(rf"\b{re.escape(exc.name or '')}\b")
        where = [
            f"{layer}.{f.name}"
            for f in fields(cls)
            if isinstance(f.type, str) and mention.search(f.type)
        ]
        raise TypeError(
            f"{', '.join(where) or layer}: the annotation names '{exc.name}', which is not defined"
            " when the module runs; import field types at run time, not under TYPE_CHECKING"
        ) from exc
    found: dict[str, LayerField] = {}
    for f in fields(cls):
        kind = field_type(hints[f.name])
        if kind is None:
            text = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", repr(f.type))
            raise TypeError(
                f"{layer}.{f.name}: the annotation '{text}' has no field type; annotate it with"
                " an alias from cnncalc.values (Count, Offset, Pair, Padding, Flag, Real, Ratio,"
                " ...) or Annotated[T, a FieldType]"
            )
        found[f.name] = LayerField(kind, f.default is MISSING and f.default_factory is MISSING)
    if cls.primary is not None and cls.primary not in found:
        raise TypeError(
            f"{layer}: the primary field '{cls.primary}' is not one of its fields"
            f" ({', '.join(found)})"
        )
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
            kwargs[key] = spec.type.convert(node, env, f"'{key}'")
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
