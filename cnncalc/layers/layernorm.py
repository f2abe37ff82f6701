"""Layer normalisation over channels: ``layernorm`` (ConvNeXt).

At every position the ``C`` channels are normalised by their own mean and variance, then scaled and
shifted per channel: PyTorch ``LayerNorm(C)`` on a channels-last tensor, torchvision's
``LayerNorm2d``. Unlike batch norm, the statistics are computed at inference too, so they cannot be
folded into the scale, and there are no running buffers.

    weights = C, biases = C (when ``affine``)
    ops     = 6 per element: the statistics (a sum and a sum of squares), normalisation
              (subtract the mean, multiply by 1/std), then scale and shift (4 without ``affine``)
"""

from __future__ import annotations

from cnncalc.layers.base import Cost, Layer, register
from cnncalc.shapes import Shape
from cnncalc.values import Flag, Positive


@register("layernorm", "ln")
class LayerNorm(Layer):
    """Normalisation over the channels of each position, with a learned scale and shift per
    channel: weights and biases ``C`` each (with ``affine``), no buffers; 6 ops per element (4
    without ``affine``)."""

    prefix = "ln"

    eps: Positive = 1e-5
    affine: Flag = True

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        learned = out.c if self.affine else 0
        return Cost(weights=learned, biases=learned, ops=(6 if self.affine else 4) * out.numel)

    def describe(self) -> str:
        return "over channels" + ("" if self.affine else ", no affine")
