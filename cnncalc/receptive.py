"""Receptive fields: which input pixels each layer's output positions depend on.

Per axis, a layer that reads a window (:meth:`Layer.window`: kernel ``k``, stride ``s``, dilation
``d``, padding before ``p``) maps the field of its input to

    r' = r + (F - 1)*j      size: input pixels one output position depends on, F = d*(k - 1) + 1
    j' = j*s                jump: input pixels between neighbouring output positions
    P' = P + p*j            effective padding: how far the first window reaches before the input

starting from the input itself (``r = 1, j = 1, P = 0``). This is the recurrence of Dang Ha The
Hien, "A guide to receptive field arithmetic for CNNs" (2017), in the closed form of Araujo,
Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019:
``r = 1 + sum_l (F_l - 1) prod_{i<l} s_i``, ``P = sum_l p_l prod_{i<l} s_i``. The centre of the
first output position's field is ``r/2 - P`` in input pixels, pixel ``i`` spanning ``[i, i+1)``
(Hien's ``start``: 0.5 for the input itself).

Conventions:

- Layers without a window (element-wise, per-channel) keep the field; one that changes height or
  width without declaring a window gets no field rather than a wrong one.
- fc, flatten and global pooling read the whole map: a window as large as their input, so the field
  then spans every position of the map, padding included (it may exceed the image).
- Merges (``add``, ``concat``, ``mul``) take the union of their inputs' fields. When the jumps agree
  (every real network) the union is exact: its size is the largest field when the paths are centred
  alike (``aligned``), larger otherwise. ``via`` names the input with the largest field, so
  :func:`path` walks back the path that gives it. Jumps that disagree have no common field; the
  largest path's is kept and the field is marked not aligned. A 1x1 input broadcast over a larger
  map (the gate of squeeze-and-excitation, ``mul``) is left out: it makes each output depend on the
  whole image, and counting it would make every field after it global, hiding the local one.
- Rounding (floor or ceil) does not move the first window, so it changes no field.

Size, jump, padding and start are exact (:data:`cnncalc.exact.Exact`): integers while every
window is whole, as in every built-in, and fractions where they are not (the start of a field
whose size is odd, a layer that upsamples). Nothing passes through a float, so a start of
1000000100000010000001.5 prints as that.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from cnncalc.exact import Exact, exact
from cnncalc.expand import INPUT, Graph, references
from cnncalc.infer import LayerResult
from cnncalc.layers.base import ExactAxes as ExactAxes  # the renderers import it from here
from cnncalc.layers.base import Layer, Window
from cnncalc.records import Record
from cnncalc.values import ReferenceType, schema

#: ``via`` of the network input's own field.
NETWORK_INPUT = "input"


class Field(Record):
    """The receptive field of a layer's output positions on the network input, per spatial axis
    (height and width on an image).
    """

    size: ExactAxes
    jump: ExactAxes
    padding: ExactAxes
    #: The input (a layer name, or ``"input"``) through which the largest field comes.
    via: str = ""
    #: False when a merge's inputs are not centred alike (or their jumps differ).
    aligned: bool = True

    @property
    def start(self) -> ExactAxes:
        """Centre of the first output position's field, ``r/2 - P`` (pixel ``i`` spans ``[i,
        i+1)``): a half of an integer while the field is whole, made a Fraction only then."""
        return tuple(map(_half, self.twice_start))

    @property
    def twice_start(self) -> ExactAxes:
        """``2·start = r - 2P``: an integer while the field is whole, so a renderer can print a
        start without making a Fraction (one costs about a microsecond)."""
        return tuple(r - 2 * p for r, p in zip(self.size, self.padding, strict=True))

    def through(self, window: Window, via: str) -> Field:
        """The field after ``window`` (the recurrence above, each axis apart)."""
        size, jump, padding = [], [], []
        for axis, (r, j, p) in enumerate(zip(self.size, self.jump, self.padding, strict=True)):
            extent = window.dilation[axis] * (window.kernel[axis] - 1) + 1
            size.append(r + (extent - 1) * j)
            jump.append(j * window.stride[axis])
            padding.append(p + window.pad[axis] * j)
        return Field(tuple(size), tuple(jump), tuple(padding), via, self.aligned)


def input_field(rank: int) -> Field:
    """The network input's own field: each position itself (``r = 1, j = 1, P = 0``)."""
    return Field((1,) * rank, (1,) * rank, (0,) * rank)


def _half(twice: Exact) -> Exact:
    if isinstance(twice, int):
        if twice % 2 == 0:
            return twice // 2
        from fractions import Fraction

        return Fraction(twice, 2)
    return exact(twice / 2)


def union(fields: Iterable[tuple[str, Field]]) -> Field:
    """The field of a merge: the union of its inputs' fields (see the module docstring)."""
    named = list(fields)
    name, widest = max(named, key=lambda item: math.prod(item[1].size))
    if any(f.jump != widest.jump for _, f in named):
        return Field(widest.size, widest.jump, widest.padding, name, aligned=False)
    size, padding = [], []
    for axis in range(len(widest.size)):
        before = max(f.padding[axis] for _, f in named)  # the leftmost start is the largest padding
        size.append(before + max(f.size[axis] - f.padding[axis] for _, f in named))
        padding.append(before)
    aligned = all(f.aligned for _, f in named) and len({f.twice_start for _, f in named}) == 1
    return Field(tuple(size), widest.jump, tuple(padding), name, aligned)


def receptive_fields(graph: Graph, layers: Iterable[LayerResult]) -> dict[str, Field]:
    """The field of every inferred layer, by layer name. A layer whose field cannot be known (it
    changes the map's size without declaring a window) is left out, and so is everything after it.
    """
    fields: dict[str, Field] = {}
    start: Field | None = None
    for result in layers:
        node = result.node
        merge = node.layer.arity is None
        # A one-input layer's other inputs are named references: only those it reads count.
        read = node.inputs if merge or len(node.inputs) == 1 else _read(node.layer, node.inputs)
        if start is None:
            start = input_field(result.inputs[0].rank)
        sources = [
            (NETWORK_INPUT, start)
            if i == INPUT
            else (graph.nodes[i].name, fields.get(graph.nodes[i].name))
            for i in read
        ]
        present = [(name, field) for name, field in sources if field is not None]
        if len(present) < len(sources):
            continue  # an input has no field
        if merge:
            # A 1x1 input broadcast over a larger map (a squeeze-and-excitation gate) is global
            # context: left out, or it would make every later field the whole image.
            local = [
                item
                for item, x in zip(present, result.inputs, strict=True)
                if x.positions != 1 or result.output.positions == 1
            ]
            fields[node.name] = union(local)
            continue
        source, field = present[0]
        window = node.layer.window(result.inputs)
        if window is not None:
            fields[node.name] = (
                field.through(window, source)
                if len(present) == 1
                else union((name, f.through(window, name)) for name, f in present)
            )
        elif result.output.spatial == result.inputs[0].spatial:
            fields[node.name] = Field(field.size, field.jump, field.padding, source, field.aligned)
    return fields


def _read(layer: Layer, inputs: tuple[int, ...]) -> tuple[int, ...]:
    """The inputs of a one-input layer whose fields flow through its window: the main one, and
    each named reference whose values the layer reads (maxunpool's ``indices``), but not one used
    only for its size (``like``, ``to``, the input size a reference brings along)."""
    kinds = schema(type(layer))
    read, at = [inputs[0]], 1
    for name in references(type(layer)):
        kind = kinds[name].type
        if getattr(layer, name) is None or not isinstance(kind, ReferenceType):
            continue
        if kind.data:
            read.append(inputs[at])
        at += kind.inputs
    return tuple(read)


def path(fields: dict[str, Field], name: str) -> tuple[str, ...]:
    """The layers from the network input to ``name`` through which its largest field comes."""
    steps = [name]
    while steps[-1] in fields:
        steps.append(fields[steps[-1]].via)
    return tuple(reversed(steps))
