"""Layers that only move data: ``zeropad`` and ``identity``."""

from __future__ import annotations

from cnncalc.layers.base import Context, Layer, Window, padding_text, register
from cnncalc.shapes import PadMode, Shape
from cnncalc.values import Padding


@register("zeropad")
class ZeroPad(Layer):
    """Zero padding: ``H + top + bottom``, ``W + left + right`` (each spatial axis plus its sides);
    no ops."""

    prefix = "pad"
    primary = "pad"

    pad: Padding

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        if isinstance(self.pad, PadMode):
            return x
        return Shape(
            *(n + self.pad[2 * i] + self.pad[2 * i + 1] for i, n in enumerate(x.spatial)), x.c
        )

    def describe(self) -> str:
        return padding_text(self.pad)

    def window(self, inputs: tuple[Shape, ...]) -> Window | None:
        if isinstance(self.pad, PadMode):
            return None  # resolves to no padding: 'same' and 'valid' of a 1x1 window
        return Window((1,) * (len(self.pad) // 2), pad=self.pad[0::2])


@register("identity")
class Identity(Layer):
    """Passes its input on unchanged (an explicit shortcut, or a stand-in)."""

    stores_output = False
