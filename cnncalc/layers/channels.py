"""Layers that rearrange channels without arithmetic: ``slice`` and ``channel_shuffle``
(ShuffleNet).

``slice`` takes ``channels`` consecutive channels from ``start`` (PyTorch ``x[:,
start:start+channels]``,
or one part of ``x.chunk(n, dim=1)``): a view, so no new memory. ``channel_shuffle`` with ``g``
groups reorders ``C = g * n`` channels as a ``g x n`` matrix transposed to ``n x g`` (PyTorch's
view, transpose, contiguous): the same volume, stored anew by the copy. Neither has parameters or
operations.
"""

from __future__ import annotations

from cnncalc.errors import Problem
from cnncalc.layers.base import Context, Layer, channels_error, register
from cnncalc.shapes import Shape
from cnncalc.values import Count, Offset


@register("slice")
class ChannelSlice(Layer):
    """Channels ``start`` to ``start + channels - 1`` of the input, every position kept; a view,
    no ops."""

    primary = "channels"
    stores_output = False

    channels: Count
    start: Offset = 0

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        if self.start + self.channels > x.c:
            raise channels_error(
                "slice",
                f"at least {self.start + self.channels} channels (start {self.start} +"
                f" {self.channels})",
                x,
            )
        return x.with_channels(self.channels)

    def describe(self) -> str:
        return f"channels {self.start}:{self.start + self.channels}"


@register("channel_shuffle", "shuffle")
class ChannelShuffle(Layer):
    """ShuffleNet's channel shuffle: ``C = groups * n`` channels read as a ``groups x n`` matrix,
    transposed; ``groups`` must divide the channels; no ops."""

    prefix = "shuffle"
    primary = "groups"

    groups: Count

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        if x.c % self.groups:
            raise Problem(
                "E303",
                f"groups={self.groups} does not divide the {x.c} channels",
                f"use a divisor of {x.c}",
            )
        return x

    def describe(self) -> str:
        return f"g{self.groups}"
