"""Pooling: ``maxpool``, ``avgpool``, ``gap`` (global average), ``global_maxpool``,
``adaptive_avgpool`` and ``adaptive_maxpool``.

Window pools use the conv arithmetic with ``filters = C_in``; the stride defaults to the kernel
(as in PyTorch). No parameters. Operations per output element: ``kh*kw - 1`` comparisons for max,
``kh*kw`` (adds and the division) for average (the kernel's sizes multiplied over every spatial
axis); a global or adaptive average costs one operation per input element it reads, a global or
adaptive max one comparison per element read beyond the first of each window.
"""

from __future__ import annotations

import math

from cnncalc.errors import Problem
from cnncalc.layers.base import (
    Context,
    Cost,
    Layer,
    Window,
    axes_text,
    register,
    sliding_window,
    whole_input,
    window_out,
    window_text,
)
from cnncalc.shapes import Shape, axis_words, spatial_text
from cnncalc.values import Axes, Padding, Rounding

#: The rank whose average pool refuses a kernel larger than the unpadded input (PyTorch's
#: ``AvgPool3d``).
_CHECKED_RANK = 3


class _WindowPool(Layer):
    """Window as for conv, channels kept; ``stride`` defaults to ``kernel``."""

    prefix = "pool"
    primary = "kernel"

    kernel: Axes
    stride: Axes | None = None
    pad: Padding = (0, 0, 0, 0)
    rounding: Rounding | None = None

    @property
    def step(self) -> Axes:
        return self.stride or self.kernel

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        ones = (1,) * x.rank
        return Shape(
            *window_out(x, self.kernel, self.step, self.pad, ones, self.rounding, ctx), x.c
        )

    def describe(self) -> str:
        return window_text(self.kernel, self.step, self.pad)

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return sliding_window(inputs[0], self.kernel, self.step, self.pad, (1,) * inputs[0].rank)


@register("maxpool")
class MaxPool(_WindowPool):
    """Max pooling: ``kh*kw - 1`` comparisons per output element."""

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=out.numel * (math.prod(self.kernel) - 1))


@register("avgpool")
class AvgPool(_WindowPool):
    """Average pooling: ``kh*kw`` operations per output element. On a 3-D volume the kernel may
    not be larger than the input before padding on any axis, as PyTorch's ``AvgPool3d`` refuses
    (ATen's ``avg_pool3d`` checks ``pool3d_shape_check(..., check_input_size=true)``; its 1-D and
    2-D pools do not)."""

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        if x.rank == _CHECKED_RANK:
            larger = [
                word
                for word, n, k in zip(axis_words(x.rank), x.spatial, self.kernel, strict=True)
                if k > n
            ]
            if larger:
                raise Problem(
                    "E302",
                    f"kernel {spatial_text(self.kernel)} is larger than the input"
                    f" {spatial_text(x.spatial)} before padding, along the {', '.join(larger)}",
                    "PyTorch's AvgPool3d needs the input at least as large as the kernel on every"
                    " axis, padding aside: use a smaller kernel or feed a larger input",
                )
        return _WindowPool.infer(self, inputs, ctx)  # zero-argument super() fails in a slots class

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=out.numel * math.prod(self.kernel))


@register("gap", "global_avgpool")
class GlobalAvgPool(Layer):
    """Global average pooling: ``H x W x C -> 1 x 1 x C`` (every spatial axis to 1), one operation
    per input element."""

    prefix = "pool"

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        return _global(inputs[0])

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=inputs[0].numel)

    def describe(self) -> str:
        return "global"

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return whole_input(inputs[0])


def _adaptive_reads(n: int, out: int) -> int:
    """Input elements read along one axis by PyTorch's adaptive pooling, whose window ``i`` spans
    ``[floor(i*n/out), ceil((i+1)*n/out))``: ``n + out - gcd(n, out)``.

    The windows tile the axis, and two neighbours share an element exactly when their boundary
    ``i*n/out`` (``i = 1 .. out-1``) is not a whole number: for all but the ``gcd(n, out) - 1``
    multiples of ``out/gcd``. So the lengths add up to ``n + (out - 1) - (gcd - 1)``.
    """
    return n + out - math.gcd(n, out)


def _adaptive_window(n: int, out: int) -> tuple[int, int]:
    """Kernel and stride of the adaptive windows along one axis: exact when ``out`` divides ``n``
    (windows of ``n/out``, ``n/out`` apart); otherwise the windows differ, and the longest one with
    the stride rounded up bounds the receptive field from above.

    With ``n = q*out + r`` (``0 < r``) and ``g = gcd(n, out)``, window ``i`` is
    ``q + ceil((t + r)/out)`` long, ``t = i*r mod out``, which takes every multiple of ``g`` up to
    ``out - g``: the longest is ``q + 2`` when ``r > g`` and ``q + 1`` when ``r = g``.
    """
    q, r = divmod(n, out)
    if r == 0:
        return q, q
    return q + (2 if r > math.gcd(n, out) else 1), q + 1


def _global(x: Shape) -> Shape:
    return Shape(*(1,) * x.rank, x.c)


class _AdaptivePool(Layer):
    """Adaptive pooling to a fixed ``size`` per axis (PyTorch ``AdaptiveAvgPool1d/2d/3d``, and the
    max ones): window ``i`` of ``out`` over ``n`` spans ``[floor(i*n/out), ceil((i+1)*n/out))``."""

    prefix = "pool"
    primary = "size"

    size: Axes

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        return Shape(*self.size, inputs[0].c)

    def reads(self, x: Shape, out: Shape) -> int:
        """Input elements the windows read together, over every channel."""
        return math.prod(map(_adaptive_reads, x.spatial, out.spatial)) * x.c

    def describe(self) -> str:
        return f"to {axes_text(self.size)}"

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        kernel, stride = zip(*map(_adaptive_window, inputs[0].spatial, self.size), strict=True)
        return Window(kernel, stride)


@register("adaptive_avgpool")
class AdaptiveAvgPool(_AdaptivePool):
    """Adaptive average pooling to a fixed ``size`` (PyTorch ``AdaptiveAvgPool2d``): window ``i``
    of ``out`` over ``n`` spans ``[floor(i*n/out), ceil((i+1)*n/out))``; one op per element each
    window reads."""

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=self.reads(inputs[0], out))


@register("adaptive_maxpool")
class AdaptiveMaxPool(_AdaptivePool):
    """Adaptive max pooling to a fixed ``size`` (PyTorch ``AdaptiveMaxPool1d/2d/3d``), windows as
    adaptive average pooling's; a window of ``m`` elements costs ``m - 1`` comparisons."""

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=self.reads(inputs[0], out) - out.numel)


@register("global_maxpool", "gmp")
class GlobalMaxPool(Layer):
    """Global max pooling: every spatial axis to 1 (Kim 2014's max over time; PyTorch
    ``AdaptiveMaxPool(1)``); ``positions - 1`` comparisons per channel."""

    prefix = "pool"

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        return _global(inputs[0])

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=inputs[0].numel - out.numel)

    def describe(self) -> str:
        return "global"

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return whole_input(inputs[0])
