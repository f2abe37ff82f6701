"""The layer contract and registry.

A layer type is one class (see :class:`Layer`): its fields are its spec schema (each annotated
with a field type from ``values.py``, which converts YAML to it and gives its JSON Schema),
``infer`` is its shape rule and ``cost`` its parameter, buffer and operation counts, so adding a
layer touches one file plus its line in ``layers/__init__.py``.

Operation conventions (see ``metrics.py`` for the full statement): ``macs`` are the
multiply-accumulates of conv and fc weights only (torchvision's "GFLOPS" column); every other
arithmetic operation (bias adds, normalisation, activations, pooling, element-wise merges) goes in
``ops``, counted per output element as each layer's docstring states.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar

from cnncalc.errors import Problem
from cnncalc.exact import Exact, exact
from cnncalc.records import Record, RecordType, dataclass_transform, field
from cnncalc.shapes import (
    Axes,
    Axis,
    Padding,
    PadMode,
    Rounding,
    Shape,
    alike,
    axes_count,
    axis_words,
    resolve_padding,
    same_axis,
    spatial_text,
    window_axis,
)
from cnncalc.values import schema

if TYPE_CHECKING:
    from fractions import Fraction


class Cost(Record):
    """What one layer owns and does, per image. ``weights`` and ``biases`` are trainable
    parameters; ``buffers`` are non-trainable state (batch norm's running mean and variance)."""

    weights: int = 0
    biases: int = 0
    buffers: int = 0
    macs: int = 0
    ops: int = 0


class Context(Record, frozen=False):
    """Per-spec settings a shape rule reads, and the notes it leaves (accepted rounding)."""

    rounding: Rounding = Rounding.EXACT
    notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field,))
class _LayerType(RecordType):
    """Records whose fields are keywords only: tells type checkers what ``kw_only=True`` on
    :class:`Layer`, inherited by every layer type, does at run time."""


class Layer(Record, metaclass=_LayerType, kw_only=True):
    """Base of every layer type: ``class Conv(Layer)`` with annotated fields, each with a field
    type from ``values.py``. Subclasses set the class variables and override what they need.
    Instances are frozen, compare and hash by their fields' values, and take their fields as
    keywords."""

    kind: ClassVar[str] = ""
    #: Automatic names are ``prefix`` + a counter: conv1, pool1, fc1 ...
    prefix: ClassVar[str] = ""
    #: Field filled by the scalar form, e.g. ``fc: 4096`` sets ``units``.
    primary: ClassVar[str | None] = None
    #: How many inputs the layer takes: 1, or ``None`` for any number of at least 2 (merges).
    arity: ClassVar[int | None] = 1
    #: False when the output needs no new memory: in-place activations, dropout, views.
    stores_output: ClassVar[bool] = True

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        """The output volume; raises :class:`Problem` when the input does not suit the
        layer."""
        return inputs[0]

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost()

    def describe(self) -> str:
        """Hyperparameters in the lectures' shorthand, e.g. ``11x11/4 p0 g2``."""
        return ""

    def window(self, inputs: tuple[Shape, ...]) -> Window | None:
        """The window one output position reads from the input, for receptive fields
        (``receptive.py``). ``None``, the default, means the position alone: element-wise and
        per-channel layers and merges. A layer that changes a spatial size must return its window.
        """
        return None


#: A window's or a receptive field's size, step or padding on each spatial axis, in input pixels:
#: whole, or fractional after upsampling.
ExactAxes = tuple[Exact, ...]


class Window(Record):
    """Where one output position reads its input, per spatial axis: ``kernel`` taps ``dilation``
    apart, consecutive outputs ``stride`` apart, the first window starting ``pad`` positions before
    the input (the padding before; the padding after does not move any window). ``stride``,
    ``dilation`` and ``pad`` default to 1, 1 and 0 on every axis of ``kernel``.

    A layer that upsamples has a stride below 1 and a window that need not be whole (see
    :func:`upsampling_window`): every value is then an exact :class:`~fractions.Fraction`."""

    kernel: ExactAxes
    stride: ExactAxes = ()
    dilation: ExactAxes = ()
    pad: ExactAxes = ()

    def __post_init__(self) -> None:
        rank = len(self.kernel)
        for name, fill in (("stride", 1), ("dilation", 1), ("pad", 0)):
            if not getattr(self, name):
                object.__setattr__(self, name, (fill,) * rank)


def upsampling_window(
    step: tuple[Fraction, ...],
    offset: tuple[Fraction, ...],
    taps: int,
    lead: int,
) -> Window:
    """The window of a layer whose output ``o`` reads the ``taps`` input pixels starting ``lead``
    before ``floor(a(o))``, with the anchor ``a(o) = o*step + offset`` in input pixels (pixel ``i``
    spans ``[i, i+1)``), per axis.

    ``floor(a)`` is at least ``a - (D - 1)/D`` for ``D`` the common denominator of ``step`` and
    ``offset`` (every anchor is a multiple of ``1/D``), so the pixels read lie in
    ``[a(o) - slack - lead, a(o) + taps - lead)`` with ``slack = (D - 1)/D``: a window of
    ``taps + slack`` pixels, ``step`` apart, the first starting ``slack + lead - offset`` before
    the input. It covers what every output reads (checked against PyTorch's gradients in
    ``tests/layers/test_layer_reference.py``), and is less than a pixel wider than the widest
    read."""
    from fractions import Fraction

    kernel, pad = [], []
    for q, c in zip(step, offset, strict=True):
        d = q.denominator * c.denominator // math.gcd(q.denominator, c.denominator)
        slack = Fraction(d - 1, d)
        kernel.append(exact(taps + slack))
        pad.append(exact(slack + lead - c))
    return Window(tuple(kernel), tuple(exact(q) for q in step), pad=tuple(pad))


def sliding_window(x: Shape, kernel: Axes, stride: Axes, pad: Padding, dilation: Axes) -> Window:
    """The window of a conv or pool on ``x``, ``same`` padding resolved for its size."""
    before = tuple(
        resolve_padding(pad, n, k, s, d, axis)[0]
        for axis, (n, k, s, d) in enumerate(zip(x.spatial, kernel, stride, dilation, strict=True))
    )
    return Window(kernel, stride, dilation, before)


def whole_input(x: Shape) -> Window:
    """One window over the whole input map: every output of fc, flatten and global pooling reads
    every position."""
    return Window(x.spatial)


LAYERS: dict[str, type[Layer]] = {}
ALIASES: dict[str, str] = {}

L = TypeVar("L", bound=type[Layer])


def register(kind: str, *aliases: str) -> Callable[[L], L]:
    """Class decorator adding a layer type under ``kind`` (and ``aliases``) to :data:`LAYERS`.
    The fields' types are resolved here, so a field without a field type is a ``TypeError`` at
    import."""

    def add(cls: L) -> L:
        cls.kind = kind
        cls.prefix = cls.prefix or kind
        schema(cls)
        LAYERS[kind] = cls
        for alias in aliases:
            ALIASES[alias] = kind
        return cls

    return add


def axes_text(value: ExactAxes) -> str:
    """Per-axis values as the lectures write them: one number when every axis has it (``3``),
    else each (``1x7``, ``3x1x1``)."""
    return str(value[0]) if len(set(value)) == 1 else spatial_text(value)


def padding_text(pad: Padding) -> str:
    """``p1`` (every side), ``p1x2`` (both sides of each axis alike), else every side in order
    (``p0,1,0,1``: before and after each axis)."""
    if not isinstance(pad, tuple):
        return pad.value
    if len(set(pad)) == 1:
        return f"p{pad[0]}"
    before, after = pad[0::2], pad[1::2]
    if before == after:
        return "p" + spatial_text(before)
    return "p" + ",".join(map(str, pad))


def window_text(kernel: Axes, stride: Axes, pad: Padding) -> str:
    """``11x11/4 p0``: kernel (one size per axis), stride and padding in the lectures'
    shorthand."""
    return f"{spatial_text(kernel)}/{axes_text(stride)} {padding_text(pad)}"


def window_axes(
    x: Shape, kernel: Axes, stride: Axes, pad: Padding, dilation: Axes, rule: Rounding
) -> tuple[Axis, ...]:
    """Each spatial axis of a sliding window over ``x`` under ``rule`` (the numbers behind
    :func:`window_out`, for messages and the worked arithmetic of ``cnncalc conv``)."""
    axes: list[Axis] = []
    for axis, (n, k, s, d) in enumerate(zip(x.spatial, kernel, stride, dilation, strict=True)):
        if pad is PadMode.SAME:
            axes.append(same_axis(n, k, s, d))
            continue
        before, after = resolve_padding(pad, n, k, s, d, axis)
        axes.append(window_axis(n, k, s, d, before, after, rule))
    return tuple(axes)


def window_out(
    x: Shape,
    kernel: Axes,
    stride: Axes,
    pad: Padding,
    dilation: Axes,
    rounding: Rounding | None,
    ctx: Context,
) -> tuple[int, ...]:
    """Output size of each spatial axis of a sliding window over ``x`` (conv and pool share this).

    A fraction is an error (E301) under ``exact`` rounding, else rounded and noted (N301); axes
    that miss alike are named together (``height and width``).
    """
    rule = rounding or ctx.rounding
    axes = window_axes(x, kernel, stride, pad, dilation, rule)
    bad = alike(
        (word, ax) for word, ax in zip(axis_words(x.rank), axes, strict=True) if not ax.exact
    )
    for name, ax in bad:
        if rule is Rounding.EXACT:
            raise Problem(
                "E301",
                f"does not fit: {name} {ax.arithmetic()}",
                (f"{name} would fit with {nearby}; or " if (nearby := ax.fits_nearby()) else "")
                + "declare 'rounding: floor' (PyTorch) or 'rounding: ceil' (Caffe pooling) to"
                " accept it",
            )
        ctx.notes.append(("N301", f"{name} {ax.arithmetic()}, rounded by {rule.value} to {ax.out}"))
    return tuple(ax.out for ax in axes)


def check_rank(layer: Layer, x: Shape) -> None:
    """Refuse a layer whose per-axis fields are not as long as ``x`` has spatial axes (E103): a
    spec's layers are built at the input's rank, but a layer made in Python, or a volume given on
    the command line, may not match."""
    for name, spec in schema(type(layer)).items():
        found = getattr(layer, name)
        if spec.type.per_axis and isinstance(found, tuple):
            wanted = spec.type.per_axis * x.rank
            if len(found) != wanted:
                raise Problem(
                    "E103",
                    f"'{name}' has {len(found)} values {list(found)}, but {x} has"
                    f" {axes_count(x.rank)} ({wanted} values)",
                    "give one value per axis, or a single number for all",
                )


def channels_error(layer: str, expected: str, x: Shape) -> Problem:
    return Problem("E306", f"{layer} needs {expected}, got {x}", "check the layers before it")
