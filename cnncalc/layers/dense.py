"""Fully connected layers and the shape-only operations around them: ``fc``, ``flatten``,
``dropout``.

An fc layer flattens whatever volume it receives, as the lectures do: ``7x7x512 -> 4096`` has
``7*7*512*4096`` weights and as many MACs, plus ``units`` biases (one bias add each). Its output
keeps the input's rank, every spatial axis 1 (``1x1x4096``, ``1x1x1x487`` after a 3-D network).
"""

from __future__ import annotations

from cnncalc.exact import real_text
from cnncalc.layers.base import Context, Cost, Layer, Window, register, whole_input
from cnncalc.shapes import Shape
from cnncalc.values import Count, Flag, Ratio


@register("fc", "linear")
class FullyConnected(Layer):
    """Fully connected (PyTorch ``Linear`` after an implicit flatten): ``H*W*C -> units``;
    weights ``H*W*C*units`` and as many MACs, biases ``units``; one op (bias add) per unit."""

    primary = "units"

    units: Count
    bias: Flag = True

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        return Shape(*(1,) * inputs[0].rank, self.units)

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        fan_in = inputs[0].numel
        return Cost(
            weights=fan_in * self.units,
            biases=self.units if self.bias else 0,
            macs=fan_in * self.units,
            ops=self.units if self.bias else 0,
        )

    def describe(self) -> str:
        return str(self.units) + ("" if self.bias else " nobias")

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return whole_input(inputs[0])


@register("flatten")
class Flatten(Layer):
    """``H x W x C -> 1 x 1 x HWC`` (every spatial axis to 1, the rank kept); a view, no new
    memory."""

    stores_output = False

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        return Shape(*(1,) * x.rank, x.numel)

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return whole_input(inputs[0])


@register("dropout")
class Dropout(Layer):
    """Dropout: an identity at inference; counted in place, no cost."""

    primary = "p"
    stores_output = False

    p: Ratio = 0.5

    def describe(self) -> str:
        return f"p={real_text(self.p)}"
