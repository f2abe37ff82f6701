"""A report's layers as rows: one per layer, or block instances collapsed to a chosen depth.

This is analysis, not formatting: a :class:`Row` holds numbers and the layer it stands for, so
``diff`` compares figures and every renderer formats the same rows. The network input is the first
row, as in torchinfo's and Keras's summaries.
"""

from __future__ import annotations

from collections.abc import Mapping

from cnncalc.infer import LayerResult
from cnncalc.layers.base import Layer
from cnncalc.receptive import Field, input_field
from cnncalc.records import Record
from cnncalc.shapes import Shape


class Row(Record, kw_only=True):
    """One row: a layer, or a block instance collapsed into one (``layer`` is then ``None``)."""

    name: str
    #: The layer type, the block's name for a collapsed block, or ``input``.
    type: str
    layer: Layer | None
    output: Shape
    activations: int
    weights: int
    biases: int
    buffers: int
    macs: int
    ops: int
    #: Layers the row stands for: 1 for a layer, 0 for the input.
    layers: int = 1
    #: The receptive field of the row's output (of its last layer, for a collapsed block).
    rf: Field | None = None
    #: The volumes the row reads: the layer's inputs, or a collapsed block's first layer's.
    inputs: tuple[Shape, ...] = ()

    @property
    def params(self) -> int:
        return self.weights + self.biases

    @property
    def hyper(self) -> str:
        """Hyperparameters in the lectures' shorthand (``3x3/1 p1``), or a collapsed block's
        size."""
        if self.layer is not None:
            return self.layer.describe()
        return f"{self.layers} layers" if self.layers else ""


def _layer_row(result: LayerResult, rf: Field | None) -> Row:
    cost = result.cost
    return Row(
        name=result.node.name,
        type=result.node.layer.kind,
        layer=result.node.layer,
        output=result.output,
        activations=result.activations,
        weights=cost.weights,
        biases=cost.biases,
        buffers=cost.buffers,
        macs=cost.macs,
        ops=cost.ops,
        rf=rf,
        inputs=result.inputs,
    )


def _group_row(name: str, block: str, members: list[LayerResult], rf: Field | None) -> Row:
    return Row(
        name=name,
        type=block,
        layer=None,
        output=members[-1].output,
        activations=sum(m.activations for m in members),
        weights=sum(m.cost.weights for m in members),
        biases=sum(m.cost.biases for m in members),
        buffers=sum(m.cost.buffers for m in members),
        macs=sum(m.cost.macs for m in members),
        ops=sum(m.cost.ops for m in members),
        layers=len(members),
        rf=rf,
        inputs=members[0].inputs,
    )


def input_row(source: Shape) -> Row:
    """The network input as a row: its elements count towards activation memory."""
    return Row(
        name="input",
        type="input",
        layer=None,
        output=source,
        activations=source.numel,
        weights=0,
        biases=0,
        buffers=0,
        macs=0,
        ops=0,
        layers=0,
        rf=input_field(source.rank),
    )


def group_rows(
    source: Shape,
    layers: tuple[LayerResult, ...],
    fields: Mapping[str, Field],
    depth: int | None = None,
) -> tuple[Row, ...]:
    """One row per layer, or with block instances nested deeper than ``depth`` collapsed into one
    row each (``depth=0``: top-level items only). The input is the first row."""
    out = [input_row(source)]
    group: list[LayerResult] = []
    group_key: tuple[str, str] | None = None
    for result in layers:
        scope = result.node.scope
        key = scope[depth] if depth is not None and len(scope) > depth else None
        if group and key != group_key:
            assert group_key is not None
            out.append(_group_row(*group_key, group, fields.get(group[-1].node.name)))
            group = []
        if key is None:
            out.append(_layer_row(result, fields.get(result.node.name)))
        else:
            group.append(result)
        group_key = key
    if group and group_key is not None:
        out.append(_group_row(*group_key, group, fields.get(group[-1].node.name)))
    return tuple(out)
