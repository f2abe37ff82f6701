"""Normalisation: ``batchnorm``, ``groupnorm``, ``instancenorm`` and ``lrn``.

Batch norm learns a scale and a shift per channel (counted as weights and biases, PyTorch's
``weight`` and ``bias``) and keeps a running mean and variance per channel as non-trainable
buffers (PyTorch's scalar ``num_batches_tracked`` is not counted). At inference it costs two
operations per element (scale and shift). LRN has no parameters and costs ``size + 3`` operations
per element (the sum of squares over ``size`` channels, then scale, power and divide).
"""

from __future__ import annotations

from cnncalc.errors import Problem
from cnncalc.layers.base import Context, Cost, Layer, register
from cnncalc.shapes import Shape
from cnncalc.values import Count, Flag, NonNegative, Positive


@register("batchnorm", "bn")
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


def _per_sample(affine: bool, running: bool, out: Shape) -> Cost:
    """Statistics computed per image at inference: 4 ops per element (the sum for the mean, the
    sum of squares, subtract and divide); 2 with running statistics (subtract, divide); 2 more
    with ``affine`` (scale and shift)."""
    per_element = (2 if running else 4) + (2 if affine else 0)
    learned = out.c if affine else 0
    return Cost(
        weights=learned,
        biases=learned,
        buffers=2 * out.c if running else 0,
        ops=per_element * out.numel,
    )


@register("groupnorm", "gn")
class GroupNorm(Layer):
    """Group normalisation (PyTorch ``GroupNorm``, Wu & He 2018): statistics over each of
    ``groups`` groups of channels, which must divide the channels; weights and biases ``C`` each
    with ``affine``, no buffers; 4 ops per element, 2 more with ``affine``."""

    prefix = "gn"
    primary = "groups"

    groups: Count
    eps: Positive = 1e-5
    affine: Flag = True

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        if x.c % self.groups:
            raise Problem(
                "E303",
                f"groups={self.groups} does not divide the {x.c} channels",
                f"use a divisor of {x.c}",
            )
        return x

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return _per_sample(self.affine, False, out)

    def describe(self) -> str:
        return f"g{self.groups}" + ("" if self.affine else " no affine")


@register("instancenorm")
class InstanceNorm(Layer):
    """Instance normalisation (PyTorch ``InstanceNorm2d``; its defaults: no ``affine``, no running
    statistics): weights and biases ``C`` each with ``affine``; buffers ``2C`` (running mean and
    variance) with ``running_stats`` (PyTorch's ``track_running_stats``; its scalar
    ``num_batches_tracked`` is not counted); 4 ops per element (2 with running statistics), 2 more
    with ``affine``. Without running statistics a single position is refused, as PyTorch refuses
    it."""

    prefix = "in"

    eps: Positive = 1e-5
    affine: Flag = False
    running_stats: Flag = False

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        """Statistics over one position are refused, as PyTorch refuses them whatever the batch
        (``F.instance_norm`` calls ``_verify_spatial_size`` when it uses the input's statistics);
        running statistics need none."""
        x = inputs[0]
        if x.positions == 1 and not self.running_stats:
            raise Problem(
                "E306",
                f"instancenorm needs more than one position to take statistics over, got {x}",
                "normalise before the map shrinks to one position, or use running_stats",
            )
        return x

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return _per_sample(self.affine, self.running_stats, out)

    def describe(self) -> str:
        return " ".join(
            word
            for word, on in (("affine", self.affine), ("running stats", self.running_stats))
            if on
        )
