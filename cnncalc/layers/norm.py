"""Normalisation: ``batchnorm`` and ``lrn``.

Batch norm learns a scale and a shift per channel (counted as weights and biases, PyTorch's
``weight`` and ``bias``) and keeps a running mean and variance per channel as non-trainable
buffers (PyTorch's scalar ``num_batches_tracked`` is not counted). At inference it costs two
operations per element (scale and shift). LRN has no parameters and costs ``size + 3`` operations
per element (the sum of squares over ``size`` channels, then scale, power and divide).
"""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.layers.base import Context, Cost, Layer, register
from cnncalc.shapes import Shape
from cnncalc.values import Count, Flag, NonNegative, Positive


@register("batchnorm", "bn")
@dataclass(frozen=True, slots=True, kw_only=True)
class BatchNorm(Layer):
    """Batch normalisation over channels (PyTorch ``BatchNorm2d``, or ``BatchNorm1d`` after fc):
    weights (scale) and biases (shift) ``C`` each with ``affine``; buffers ``2C``, the running mean
    and variance (PyTorch's scalar ``num_batches_tracked`` is not counted); 2 ops per element."""

    prefix = "bn"

    eps: Positive = 1e-5
    affine: Flag = True

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        learned = out.c if self.affine else 0
        return Cost(weights=learned, biases=learned, buffers=2 * out.c, ops=2 * out.numel)

    def describe(self) -> str:
        return "" if self.affine else "no affine"


@register("lrn")
@dataclass(frozen=True, slots=True, kw_only=True)
class LocalResponseNorm(Layer):
    """Local response normalisation across ``size`` neighbouring channels (AlexNet): no
    parameters; ``size + 3`` ops per element."""

    primary = "size"

    size: Count = 5
    alpha: NonNegative = 1e-4
    beta: NonNegative = 0.75
    k: Positive = 2.0

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        return inputs[0]

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=out.numel * (self.size + 3))

    def describe(self) -> str:
        return f"size {self.size}"
