"""Learned per-channel scaling: ``layer_scale`` (ConvNeXt, CaiT).

The residual branch is multiplied by a learned vector ``gamma`` of one value per channel (PyTorch:
a ``(C, 1, 1)`` parameter owned by the block, ``gamma * x``):

    weights = C, ops = 1 multiply per element; the product is a new tensor, so its output is stored.
"""

from __future__ import annotations

from cnncalc.layers.base import Cost, Layer, register
from cnncalc.shapes import Shape


@register("layer_scale")
class LayerScale(Layer):
    """``gamma * x`` with one learned ``gamma`` per channel: weights ``C``; one op per
    element."""

    prefix = "scale"

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(weights=out.c, ops=out.numel)

    def describe(self) -> str:
        return "per channel"
