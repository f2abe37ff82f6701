"""Located YAML values to typed layer fields, strictly.

Each kind of layer field is one :class:`FieldType`: its converter (YAML node to value, refusing
with a located :class:`Problem`), its JSON Schema and its doc text. A layer annotates a field with
the Python type mypy checks carrying its field type, ``kernel: Axes`` with ``Axes =
Annotated[tuple[int, ...], AXES]``; :func:`schema` resolves the annotations when the layer is
registered, so a field without a field type fails at import, naming the layer and the field. A new
field type is one definition and its alias: ``OFFSET_AXES = axes_of(OFFSET, "offsetAxes")``.

Numbers may be written as expressions over the names in scope (``filters * 4``), but never as
quoted numbers, never as floats where an integer is needed (``2.0``), never as YAML booleans; a
range is checked on the value, however it was written.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import sys
from collections.abc import Mapping
from enum import Enum
from types import UnionType
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Protocol,
    TypeAlias,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from cnncalc import shapes
from cnncalc.errors import Problem
from cnncalc.expr import Number, Value, evaluate, list_noun
from cnncalc.records import Record
from cnncalc.source import Map, Node, Scalar, Seq, describe

if TYPE_CHECKING:
    from cnncalc.layers.base import Layer

#: Largest size, count or channel number accepted anywhere (E007 beyond).
MAX_SIZE = 10**7


_NUMERAL = re.compile(r"^\s*[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def value(node: Node, env: Mapping[str, Value], what: str) -> Value:
    """A number, an expression, or a list of one per axis (``[h, w]``, ``[d, h, w]``) of them (for
    block arguments and params).

    Booleans, words and quoted numbers (``"2"``) are refused. An expression may be quoted: inside
    a YAML flow mapping ``{...}`` a comma would otherwise end the value, as in
    ``{filters: "max(8, c // 4)"}``."""
    if isinstance(node, Seq) and len(node.items) in (2, 3):
        return tuple(number(item, env, what) for item in node.items)
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
            "E103",
            f"{what} must be a single number, not the {list_noun(found)} {list(found)}",
            hint,
            node.span,
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


def _example(rank: int) -> str:
    """A scalar and a list of one value per axis at ``rank``, for hints: ``3 or [3, 5]``."""
    return f"3 or [{', '.join(['3'] + ['5'] * (rank - 1))}]"


def _per_axis(rank: int) -> str:
    """What a message adds after the count a list needs at a rank other than an image's."""
    if rank == shapes.IMAGE_RANK:
        return ""
    return f" (one per axis of the {rank}-D input: {', '.join(shapes.axis_words(rank))})"


def _items(node: Node, what: str, counts: tuple[int, ...], rank: int) -> tuple[Node, ...]:
    if isinstance(node, Seq):
        if len(node.items) not in counts:
            wanted = " or ".join(str(n) for n in counts)
            raise Problem(
                "E103",
                f"{what} must be a number or a list of {wanted} numbers{_per_axis(rank)}, not"
                f" {len(node.items)}",
                f"e.g. {_example(rank)}",
                node.span,
            )
        return node.items
    return (node,)


def _scalar_axes(
    node: Scalar, env: Mapping[str, Value], what: str, minimum: int, rank: int
) -> tuple[int, ...]:
    """A number or an expression that gives one (for every axis) or a list of one per axis
    (``kernel``, ``kernel // 2``)."""
    found = value(node, env, what)
    if not isinstance(found, tuple):
        return (_whole(found, node, what, minimum),) * rank
    if len(found) != rank:
        axes = ", ".join(shapes.axis_words(rank))
        wanted = "one number" if rank == 1 else f"one number or {rank}"
        raise Problem(
            "E103",
            f"{what} gives {len(found)} numbers {list(found)}, but the {rank}-D input has"
            f" {shapes.axes_count(rank)} ({axes}): give {wanted}",
            f"e.g. {_example(rank)}",
            node.span,
        )
    return tuple(_whole(item, node, what, minimum) for item in found)


def axes(
    node: Node, env: Mapping[str, Value], what: str, rank: int, minimum: int = 1
) -> tuple[int, ...]:
    """An int for every spatial axis, or a list of one per axis (or an expression giving either),
    each at least ``minimum``: ``3`` is ``(3, 3)`` on an image, ``(3, 3, 3)`` on a clip."""
    if isinstance(node, Scalar):
        return _scalar_axes(node, env, what, minimum, rank)
    items = _items(node, what, (rank,), rank)
    return tuple(integer(item, env, what, minimum) for item in items)


def padding(
    node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK
) -> shapes.Padding:
    """``same``, ``valid``, a number for every side, one per axis (both sides alike), or the
    sides before and after each axis in order (``[top, bottom, left, right]`` on an image)."""
    if isinstance(node, Scalar) and isinstance(node.value, str) and node.value in ("same", "valid"):
        return shapes.PadMode(node.value)
    if isinstance(node, Scalar):
        per_axis = _scalar_axes(node, env, what, 0, rank)
    else:
        items = _items(node, what, (rank, 2 * rank), rank)
        given = tuple(integer(item, env, what, minimum=0) for item in items)
        if len(given) == 2 * rank:
            return given
        per_axis = given
    return shapes.both_sides(per_axis)


def boolean(node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK) -> bool:
    if isinstance(node, Scalar) and isinstance(node.value, bool):
        return node.value
    raise Problem(
        "E103",
        f"{what} must be true or false, not {describe(node)}",
        "write true or false",
        node.span,
    )


def rounding(
    node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK
) -> shapes.Rounding:
    choices = [r.value for r in shapes.Rounding]
    if isinstance(node, Scalar) and node.value in choices:
        return shapes.Rounding(node.value)
    raise Problem(
        "E103",
        f"{what} must be one of {', '.join(choices)}, not {describe(node)}",
        "floor is PyTorch's rule, ceil Caffe's pooling rule",
        node.span,
    )


class Converter(Protocol):
    """Reads a located YAML node, with the names in scope for expressions, into a field's value;
    ``what`` names the field in messages (``'kernel'``), ``rank`` is the network's spatial rank
    (how many values a per-axis field holds). Raises a located :class:`Problem`."""

    def __call__(
        self, node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK
    ) -> Any: ...


#: Any expression text: its ``$defs`` entry is the language's (``jsonschema.py``), not a field type.
_EXPRESSION = {"$ref": "#/$defs/expression"}


class FieldType(Record, eq=False, kw_only=True):
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
    #: Values per spatial axis of a per-axis field (1: a kernel; 2: padding's sides), 0 for any
    #: other: a layer's default for such a field is written for an image and widened to the
    #: network's rank (:func:`build`).
    per_axis: int = 0

    @property
    def ref(self) -> dict[str, Any]:
        """What a field of this type holds in the JSON Schema."""
        return dict(self.schema) if self.inline else {"$ref": f"#/$defs/{self.name}"}


class WholeType(FieldType, eq=False, kw_only=True):
    """Whole numbers of at least ``minimum`` (made by :func:`whole`): what :func:`pair_of` pairs."""

    minimum: int


def whole(name: str, minimum: int) -> WholeType:
    """The field type of whole numbers of at least ``minimum``."""

    def convert(
        node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK
    ) -> int:
        return integer(node, env, what, minimum)

    return WholeType(
        name=name,
        convert=convert,
        schema={"anyOf": [{"type": "integer", "minimum": minimum}, _EXPRESSION]},
        doc=f"a whole number of at least {minimum}",
        minimum=minimum,
    )


def axes_of(element: WholeType, name: str) -> FieldType:
    """The field type of one ``element`` per spatial axis, written as one number for every axis or
    as a list of one per axis (``[h, w]``, ``[d, h, w]``, ``[l]``)."""

    def convert(
        node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK
    ) -> tuple[int, ...]:
        return axes(node, env, what, rank, element.minimum)

    return FieldType(
        name=name,
        convert=convert,
        schema={
            "anyOf": [
                element.ref,
                {"type": "array", "items": element.ref, "minItems": 1, "maxItems": 3},
            ]
        },
        doc=f"{element.doc}, or one per axis ([h, w]; [d, h, w] or [l] for 3-D and 1-D)",
        needs=(element,),
        per_axis=1,
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

    def convert(
        node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK
    ) -> float:
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
AXES = axes_of(COUNT, "axes")
OFFSET_AXES = axes_of(OFFSET, "offsetAxes")
#: One per axis (1 to 3), or before and after each axis (2, 4 or 6).
_SIDE_LISTS = [
    {"type": "array", "items": OFFSET.ref, "minItems": 1, "maxItems": 4},
    {"type": "array", "items": OFFSET.ref, "minItems": 6, "maxItems": 6},
]
_SIDES_DOC = (
    f"{OFFSET.doc} for every side; [h, w] or [top, bottom, left, right] of them (one per axis,"
    " or before and after each axis, for 1-D and 3-D)"
)
PADDING = FieldType(
    name="padding",
    convert=padding,
    schema={"anyOf": [OFFSET.ref, *_SIDE_LISTS, {"enum": [m.value for m in shapes.PadMode]}]},
    doc=f"{_SIDES_DOC}; {' or '.join(m.value for m in shapes.PadMode)}",
    needs=(OFFSET,),
    per_axis=2,
)


def sides(
    node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK
) -> tuple[int, ...]:
    """Explicit padding only (a crop's sides): what :func:`padding` takes but ``same`` and
    ``valid``."""
    found = padding(node, env, what, rank)
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
        "anyOf": [OFFSET.ref, *_SIDE_LISTS],
        "not": {"enum": [m.value for m in shapes.PadMode]},
    },
    doc=_SIDES_DOC,
    needs=(OFFSET,),
    per_axis=2,
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
    LINEAR = "linear"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    TRILINEAR = "trilinear"


def choice(name: str, vocabulary: type[Enum], hint: str) -> FieldType:
    """The field type of one word of ``vocabulary`` (a ``str`` enum), refused otherwise (E103)."""
    words = [member.value for member in vocabulary]

    def convert(
        node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK
    ) -> Enum:
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


class ReferenceType(FieldType, eq=False, kw_only=True):
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

    def convert(
        node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK
    ) -> str:
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


def volume(
    node: Node, env: Mapping[str, Value], what: str, rank: int = shapes.IMAGE_RANK
) -> tuple[int, ...]:
    """The spatial sizes and channels of a volume as a list (``[h, w, c]`` on an image, ``[l, c]``,
    ``[d, h, w, c]``), each a whole number of at least 1."""
    letters = ", ".join(letter for letter, _ in shapes.AXES[rank])
    if not (isinstance(node, Seq) and len(node.items) == rank + 1):
        raise Problem(
            "E103",
            f"{what} must be a list [{letters}, c] of {rank + 1} numbers, not {describe(node)}",
            "e.g. " + str([4] * rank + [512]),
            node.span,
        )
    return tuple(integer(item, env, what) for item in node.items)


VOLUME = FieldType(
    name="volume",
    convert=volume,
    schema={"type": "array", "items": COUNT.ref, "minItems": 2, "maxItems": 4},
    doc="[h, w, c] ([l, c], [d, h, w, c] for 1-D and 3-D), each a whole number of at least 1",
    needs=(COUNT,),
)
UPSAMPLE_MODE = choice(
    "upsampleMode",
    UpsampleMode,
    "nearest copies; linear (1-D), bilinear and bicubic (images) and trilinear (3-D) interpolate",
)
#: ``like`` and ``to``: a layer whose height and width are used.
SIZE_OF = reference("sizeOf", data=False)
#: maxunpool's ``indices``: the pool whose argmax positions are read, and whose input size the
#: unpooling restores.
INDICES_OF = reference("indicesOf", data=True, and_input=True)

# What layer fields are annotated with: the Python type mypy checks, carrying its field type.
Count: TypeAlias = Annotated[int, COUNT]
Offset: TypeAlias = Annotated[int, OFFSET]
Axes: TypeAlias = Annotated[shapes.Axes, AXES]
OffsetAxes: TypeAlias = Annotated[shapes.Axes, OFFSET_AXES]
Padding: TypeAlias = Annotated[shapes.Padding, PADDING]
Flag: TypeAlias = Annotated[bool, FLAG]
Real: TypeAlias = Annotated[float, NUMBER]
Ratio: TypeAlias = Annotated[float, RATIO]
Positive: TypeAlias = Annotated[float, POSITIVE]
NonNegative: TypeAlias = Annotated[float, NON_NEGATIVE]
Rounding: TypeAlias = Annotated[shapes.Rounding, ROUNDING]
Sides: TypeAlias = Annotated[tuple[int, ...], SIDES]
Volume: TypeAlias = Annotated[tuple[int, ...], VOLUME]
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


class LayerField(Record):
    """One field of a layer type as a spec sees it: its type, and whether it must be given (it
    has no default)."""

    type: FieldType
    required: bool
    #: The default when not required (a per-axis one written for an image: see :func:`build`).
    default: Any = None


_SCHEMAS: dict[type[Layer], dict[str, LayerField]] = {}


def schema(cls: type[Layer]) -> Mapping[str, LayerField]:
    """The fields of a layer type, resolved once from its annotations (``register`` asks first,
    at import, so a field without a field type fails there, naming the layer and the field)."""
    found = _SCHEMAS.get(cls)
    if found is None:
        found = _SCHEMAS[cls] = _resolve(cls)
    return found


def _field_hints(cls: type[Layer]) -> dict[str, Any]:
    """Each field's annotation as an object. A field written as names (``kernel: Axes``,
    ``stride: Axes | None``, as every layer type writes them) is looked up in its class's module;
    anything else goes through ``typing.get_type_hints``, which compiles each string annotation
    (a few milliseconds a run for the layer types a spec uses)."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        names = vars(sys.modules[klass.__module__])
        for name, hint in vars(klass).get("__annotations__", {}).items():
            if name not in cls.__record_fields__:
                continue
            if isinstance(hint, str):
                parts = hint.split(" | ")
                if not all(part == "None" or part in names for part in parts):
                    return get_type_hints(cls, include_extras=True)
                hint = functools.reduce(
                    operator.or_, (None if part == "None" else names[part] for part in parts)
                )
            found[name] = hint
    return found


def _resolve(cls: type[Layer]) -> dict[str, LayerField]:
    """A layer type's fields, their types read from the annotations (:func:`_field_hints`
    evaluates them in each class's own module, so a layer module reads the same with or without
    ``from __future__ import annotations``)."""
    layer = cls.kind or cls.__name__
    written: dict[str, Any] = {}  # each field's annotation as its class wrote it
    for klass in reversed(cls.__mro__):
        written.update(vars(klass).get("__annotations__", {}))
    try:
        hints = _field_hints(cls)
    except NameError as exc:
        mention = re.compile(rf"\b{re.escape(exc.name or '')}\b")
        where = [
            f"{layer}.{name}"
            for name in cls.__record_fields__
            if isinstance(written.get(name), str) and mention.search(written[name])
        ]
        raise TypeError(
            f"{', '.join(where) or layer}: the annotation names '{exc.name}', which is not defined"
            " when the module runs; import field types at run time, not under TYPE_CHECKING"
        ) from exc
    found: dict[str, LayerField] = {}
    defaults = cls.__record_defaults__
    for name in cls.__record_fields__:
        kind = field_type(hints[name])
        if kind is None:
            given = written.get(name)
            text = given if isinstance(given, str) else getattr(given, "__name__", repr(given))
            raise TypeError(
                f"{layer}.{name}: the annotation '{text}' has no field type; annotate it with"
                " an alias from cnncalc.values (Count, Offset, Axes, Padding, Flag, Real, Ratio,"
                " ...) or Annotated[T, a FieldType]"
            )
        required = name not in defaults
        default = defaults.get(name)
        if kind.per_axis and isinstance(default, tuple) and len(set(default)) > 1:
            raise TypeError(
                f"{layer}.{name}: a per-axis default must be the same on every axis (it is"
                f" widened to the network's rank), not {default}"
            )
        found[name] = LayerField(kind, required, default)
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
    rank: int = shapes.IMAGE_RANK,
) -> tuple[Layer | None, list[Problem]]:
    """Construct ``cls`` from ``values`` for a network of spatial ``rank`` (keys in ``skip`` belong
    to the caller; ``where`` locates a missing field). Collects every problem rather than stopping
    at the first. A per-axis field left out takes its default on every axis of the rank."""
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
            kwargs[key] = spec.type.convert(node, env, f"'{key}'", rank)
        except Problem as problem:
            problems.append(problem)
    if rank != shapes.IMAGE_RANK:
        for name, spec in fields_of.items():
            if spec.type.per_axis and isinstance(spec.default, tuple) and name not in entries:
                kwargs[name] = spec.default[:1] * (spec.type.per_axis * rank)
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
