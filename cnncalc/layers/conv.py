"""Convolutions: ``conv`` (standard and grouped) and ``dwconv`` (depthwise).

Per axis ``out = (W - F + 2P)/S + 1`` with the dilated kernel ``F = d(k-1)+1``; with ``g`` groups
each filter sees ``C_in/g`` channels, so on an image

    weights = kh * kw * (C_in/g) * filters,   biases = filters (when ``bias``)
    MACs    = H_out * W_out * filters * kh * kw * (C_in/g)
    ops     = H_out * W_out * filters (one bias add per output element, when ``bias``)

and alike on any rank, the kernel's sizes and the output's positions multiplied over every
spatial axis (PyTorch's ``Conv1d``, ``Conv2d``, ``Conv3d``).
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
    window_out,
    window_text,
)
from cnncalc.shapes import Shape
from cnncalc.values import Axes, Count, Flag, Padding, Rounding


def _conv_shape(
    layer: Conv | DepthwiseConv, x: Shape, filters: int, groups: int, ctx: Context
) -> Shape:
    if x.c % groups:
        raise Problem(
            "E303",
            f"groups={groups} does not divide the {x.c} input channels",
            f"use a divisor of {x.c}",
        )
    if filters % groups:
        raise Problem(
            "E303",
            f"groups={groups} does not divide the {filters} filters",
            f"use a divisor of {filters}",
        )
    spatial = window_out(
        x, layer.kernel, layer.stride, layer.pad, layer.dilation, layer.rounding, ctx
    )
    return Shape(*spatial, filters)


def _conv_cost(layer: Conv | DepthwiseConv, x: Shape, out: Shape, groups: int) -> Cost:
    per_filter = math.prod(layer.kernel) * (x.c // groups)
    return Cost(
        weights=per_filter * out.c,
        biases=out.c if layer.bias else 0,
        macs=out.numel * per_filter,
        ops=out.numel if layer.bias else 0,
    )


def _conv_text(layer: Conv | DepthwiseConv, groups: str) -> str:
    text = window_text(layer.kernel, layer.stride, layer.pad)
    if set(layer.dilation) != {1}:
        text += f" d{axes_text(layer.dilation)}"
    text += groups
    return text if layer.bias else text + " nobias"


@register("conv")
class Conv(Layer):
    """Convolution (1-D, 2-D or 3-D, as the input) with ``filters`` output channels, optionally
    grouped: per axis ``(W - d(k-1) - 1 + 2P)/S + 1``; weights ``kh*kw*(C_in/groups)*filters``,
    biases ``filters``; MACs ``H_out*W_out*filters*kh*kw*(C_in/groups)`` (every spatial axis's
    kernel size and output size multiplied in); one op (bias add) per output element."""

    primary = "filters"

    filters: Count
    kernel: Axes
    stride: Axes = (1, 1)
    pad: Padding = (0, 0, 0, 0)
    dilation: Axes = (1, 1)
    groups: Count = 1
    bias: Flag = True
    rounding: Rounding | None = None

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        return _conv_shape(self, inputs[0], self.filters, self.groups, ctx)

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return _conv_cost(self, inputs[0], out, self.groups)

    def describe(self) -> str:
        return _conv_text(self, f" g{self.groups}" if self.groups > 1 else "")

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return sliding_window(inputs[0], self.kernel, self.stride, self.pad, self.dilation)


@register("dwconv")
class DepthwiseConv(Layer):
    """Depthwise convolution: one ``kernel`` per input channel (``groups = C_in``), producing
    ``C_out = multiplier * C_in`` channels; weights ``kh*kw*C_out``, biases ``C_out``; MACs
    ``H_out*W_out*C_out*kh*kw``; one op (bias add) per output element."""

    prefix = "dwconv"

    kernel: Axes
    stride: Axes = (1, 1)
    pad: Padding = (0, 0, 0, 0)
    dilation: Axes = (1, 1)
    multiplier: Count = 1
    bias: Flag = True
    rounding: Rounding | None = None

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        return _conv_shape(self, x, x.c * self.multiplier, x.c, ctx)

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return _conv_cost(self, inputs[0], out, inputs[0].c)

    def describe(self) -> str:
        return _conv_text(self, " dw" + (f"x{self.multiplier}" if self.multiplier > 1 else ""))

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return sliding_window(inputs[0], self.kernel, self.stride, self.pad, self.dilation)
