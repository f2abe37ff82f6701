"""Layers that enlarge the map: ``conv_transpose``, ``upsample``, ``pixel_shuffle`` (and its
inverse ``pixel_unshuffle``) and ``maxunpool``.

Their receptive-field windows step by less than one input pixel (a stride of ``1/s``), so the
fields after them are exact fractions; ``docs/receptive-fields.md`` derives each window.
"""

from __future__ import annotations

import math
from fractions import Fraction

from cnncalc.errors import Problem
from cnncalc.exact import exact, real_text
from cnncalc.layers.base import (
    Context,
    Cost,
    Layer,
    Window,
    axes_text,
    register,
    upsampling_window,
    window_text,
)
from cnncalc.shapes import IMAGE_RANK, Shape, both_sides, spatial_text
from cnncalc.values import (
    MAX_SIZE,
    Axes,
    Count,
    Flag,
    IndicesOf,
    Mode,
    OffsetAxes,
    Positive,
    SizeOf,
    UpsampleMode,
)


def transposed_axis(n: int, k: int, s: int, p: int, d: int, extra: int) -> int:
    """PyTorch's ``ConvTranspose2d`` (and ``MaxUnpool2d``) output on one axis:
    ``(n - 1)*s - 2p + d*(k - 1) + output_padding + 1``."""
    return (n - 1) * s - 2 * p + d * (k - 1) + extra + 1


def transposed_window(kernel: Axes, stride: Axes, pad: Axes, dilation: Axes) -> Window:
    """Output ``o`` of a transposed window receives input ``i`` through tap ``t`` when
    ``o = i*s - p + t*d``, so it reads the inputs in ``[(o + p - (F - 1))/s, (o + p)/s]``
    (``F = d*(k - 1) + 1``), whose pixels lie in a window of ``(F - 1)/s + 1`` input pixels,
    ``1/s`` apart, the first starting ``(F - 1 - p)/s`` before the input."""
    extent, step, before = [], [], []
    for k, s, p, d in zip(kernel, stride, pad, dilation, strict=True):
        f = d * (k - 1) + 1
        extent.append(exact(Fraction(f - 1, s) + 1))
        step.append(exact(Fraction(1, s)))
        before.append(exact(Fraction(f - 1 - p, s)))
    return Window(tuple(extent), tuple(step), pad=tuple(before))


def _fits(out: Axes, x: Shape, what: str) -> None:
    if min(out) < 1:
        raise Problem(
            "E306",
            f"{what} gives {spatial_text(out)} on {spatial_text(x.spatial)}: an output below 1",
            "lower the padding or feed a larger input",
        )


@register("conv_transpose", "deconv")
class ConvTranspose(Layer):
    """Transposed convolution (PyTorch ``ConvTranspose2d``): per axis ``out = (n - 1)*S - 2P +
    D*(F - 1) + output_padding + 1`` with ``output_padding < max(S, D)``; weights
    ``C_in*(C_out/groups)*kh*kw``, biases ``C_out``. MACs are counted per *input* position, each
    scattering every weight of its group once: ``H_in*W_in*C_in*(C_out/groups)*kh*kw`` (the
    multiplies the layer does; those landing in the cropped padding included); one op (bias add)
    per output element."""

    prefix = "deconv"
    primary = "filters"

    filters: Count
    kernel: Axes
    stride: Axes = (1, 1)
    pad: OffsetAxes = (0, 0)
    output_padding: OffsetAxes = (0, 0)
    dilation: Axes = (1, 1)
    groups: Count = 1
    bias: Flag = True

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        for count, what in ((x.c, "input channels"), (self.filters, "filters")):
            if count % self.groups:
                raise Problem(
                    "E303",
                    f"groups={self.groups} does not divide the {count} {what}",
                    f"use a divisor of {count}",
                )
        for extra, s, d in zip(self.output_padding, self.stride, self.dilation, strict=True):
            if extra >= max(s, d):
                raise Problem(
                    "E104",
                    f"output_padding {extra} must be smaller than the stride {s} or the"
                    f" dilation {d}",
                    f"use an output_padding below {max(s, d)}",
                )
        spatial = tuple(
            map(
                transposed_axis,
                x.spatial,
                self.kernel,
                self.stride,
                self.pad,
                self.dilation,
                self.output_padding,
            )
        )
        _fits(spatial, x, "conv_transpose")
        return Shape(*spatial, self.filters)

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        x = inputs[0]
        per_input = math.prod(self.kernel) * (out.c // self.groups)
        return Cost(
            weights=x.c * per_input,
            biases=out.c if self.bias else 0,
            macs=x.numel * per_input,
            ops=out.numel if self.bias else 0,
        )

    def describe(self) -> str:
        text = window_text(self.kernel, self.stride, both_sides(self.pad))
        if set(self.output_padding) != {0}:
            text += f" op{axes_text(self.output_padding)}"
        if set(self.dilation) != {1}:
            text += f" d{axes_text(self.dilation)}"
        if self.groups > 1:
            text += f" g{self.groups}"
        return text if self.bias else text + " nobias"

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return transposed_window(self.kernel, self.stride, self.pad, self.dilation)


#: Input pixels each output element reads, and how many before ``floor(anchor)``, per mode.
_TAPS = {
    UpsampleMode.NEAREST: (1, 0),
    UpsampleMode.LINEAR: (2, 0),
    UpsampleMode.BILINEAR: (2, 0),
    UpsampleMode.TRILINEAR: (2, 0),
    UpsampleMode.BICUBIC: (4, 1),
}
#: Multiply-adds per output element (and channel), per mode: see :class:`Upsample`.
_MULTIPLY_ADDS = {
    UpsampleMode.NEAREST: 0,
    UpsampleMode.LINEAR: 2,
    UpsampleMode.BILINEAR: 4,
    UpsampleMode.TRILINEAR: 8,
    UpsampleMode.BICUBIC: 20,
}
#: The rank each interpolating mode is defined for (PyTorch's ``interpolate`` refuses others).
_MODE_RANK = {
    UpsampleMode.LINEAR: 1,
    UpsampleMode.BILINEAR: 2,
    UpsampleMode.BICUBIC: 2,
    UpsampleMode.TRILINEAR: 3,
}


@register("upsample")
class Upsample(Layer):
    """Resizing (PyTorch ``nn.Upsample`` / ``F.interpolate``) by one of ``scale`` (integer or
    fractional: ``out = floor(n * scale)`` per axis, computed in doubles as PyTorch does), ``size``
    (an absolute ``[h, w]``, one size per axis) or ``like`` (the height and width, every spatial
    size, of a named earlier layer, as FPN,
    U-Net and DeepLab need); channels kept, no parameters.

    ``align_corners`` changes which input pixels are read, never the output size; ``nearest``
    refuses it, as PyTorch does. ``recompute_scale_factor`` changes neither the size (it is
    ``floor(n * scale)`` both ways) nor, here, the field, which follows the default: coordinates
    scaled by ``1/scale`` (exactly, from the decimal written), or by ``n/out`` for ``size`` and
    ``like``.

    Ops per output element, counted as multiply-adds of a tap by its weight (the weights are
    computed once per row and column): nearest 0, a copy (fvcore counts 1); linear 2 and trilinear
    8, the taps of the 1-D and 3-D maps they are defined for; bilinear 4, the four
    weighted taps (fvcore's count too: ``upsample_bilinear2d`` is 4 per output element in
    ``fvcore/nn/flop_count.py``); bicubic 20, PyTorch's separable kernel (``cubic_interp1d`` in
    ``aten/src/ATen/native/UpSample.h``, four taps times four coefficients, applied to four rows
    along the width, then once along the height: 5 x 4)."""

    primary = "scale"

    scale: Positive | None = None
    size: Axes | None = None
    like: SizeOf | None = None
    mode: Mode = UpsampleMode.NEAREST
    align_corners: Flag = False

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        given = [f for f in ("scale", "size", "like") if getattr(self, f) is not None]
        if len(given) != 1:
            raise Problem(
                "E103" if given else "E105",
                f"upsample takes exactly one of scale, size and like, got {len(given)}"
                + (f" ({', '.join(given)})" if given else ""),
                "e.g. 'scale: 2', 'size: [56, 56]' or 'like: skip1'",
            )
        x = inputs[0]
        fitting = [m.value for m, rank in _MODE_RANK.items() if rank == x.rank]
        if self.align_corners and self.mode is UpsampleMode.NEAREST:
            raise Problem(
                "E103",
                f"align_corners only applies to {' and '.join(fitting)}",
                "drop align_corners, or choose an interpolating mode",
            )
        if _MODE_RANK.get(self.mode, x.rank) != x.rank:
            raise Problem(
                "E103",
                f"mode {self.mode.value} is for {_MODE_RANK[self.mode]}-D maps, not the {x.rank}-D"
                f" volume {x}",
                f"use {' or '.join(['nearest', *fitting])}",
            )
        if self.scale is not None:
            exact = [n * self.scale for n in x.spatial]  # doubles, as PyTorch computes them
            if max(exact) > MAX_SIZE:  # an infinity too: 1e308 times a side overflows
                raise Problem(
                    "E007",
                    f"upsample by {real_text(self.scale)} gives a side of {max(exact):g},"
                    f" above the limit of {MAX_SIZE:,}",
                    "use a realistic scale",
                )
            spatial = tuple(math.floor(e) for e in exact)
            _fits(spatial, x, f"upsample by {real_text(self.scale)}")
        elif self.size is not None:
            spatial = self.size
        else:
            spatial = inputs[1].spatial
        return Shape(*spatial, x.c)

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=out.numel * _MULTIPLY_ADDS[self.mode])

    def describe(self) -> str:
        if self.scale is not None:
            target = f"x{real_text(self.scale)}"
        elif self.size is not None:
            target = f"to {axes_text(self.size)}"
        else:
            target = f"like {self.like}"
        return f"{self.mode.value} {target}" + (" align_corners" if self.align_corners else "")

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        """Output ``o`` reads from ``floor(a(o))``: nearest ``a = o*q``; bilinear and bicubic
        ``a = (o + 1/2)*q - 1/2`` (``o*(n - 1)/(out - 1)`` with ``align_corners``), PyTorch's
        source index, with ``q = 1/scale`` or ``n/out``. The border clamp is left out, as padding
        is: the field counts the clamped taps as reads beyond the edge."""
        x = inputs[0]
        out = self.infer(inputs, Context())
        step, offset = [], []
        for n, m in zip(x.spatial, out.spatial, strict=True):
            if self.align_corners:
                q = Fraction(n - 1, m - 1) if m > 1 else Fraction(0)
                c = Fraction(0)
            else:
                q = 1 / Fraction(repr(self.scale)) if self.scale is not None else Fraction(n, m)
                c = Fraction(0) if self.mode is UpsampleMode.NEAREST else (q - 1) / 2
            step.append(q)
            offset.append(c)
        taps, lead = _TAPS[self.mode]
        return upsampling_window(tuple(step), tuple(offset), taps, lead)


@register("pixel_shuffle")
class PixelShuffle(Layer):
    """Depth to space (PyTorch ``PixelShuffle``, ESPCN): ``H x W x C r^2 -> Hr x Wr x C``; a copy,
    no ops. Output ``o`` reads input ``floor(o/r)``: nearest upsampling's window."""

    primary = "factor"

    factor: Count

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x, r = inputs[0], self.factor
        _image_only(x, "pixel_shuffle")
        if x.c % (r * r):
            raise Problem(
                "E306",
                f"pixel_shuffle by {r} needs channels divisible by {r * r}, got {x.c}",
                f"give the layer before {r * r}x the output channels",
            )
        return Shape(*(n * r for n in x.spatial), x.c // (r * r))

    def describe(self) -> str:
        return f"x{self.factor}"

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        step = Fraction(1, self.factor)
        return upsampling_window((step, step), (Fraction(0), Fraction(0)), 1, 0)


def _image_only(x: Shape, kind: str) -> None:
    """PyTorch's ``PixelShuffle`` and ``PixelUnshuffle`` act on the last two axes: images only."""
    if x.rank != IMAGE_RANK:
        raise Problem(
            "E306",
            f"{kind} needs an image (H x W x C), got the {x.rank}-D volume {x}",
            "PyTorch defines it for images only",
        )


@register("pixel_unshuffle", "reorg")
class PixelUnshuffle(Layer):
    """Space to depth (PyTorch ``PixelUnshuffle``, Darknet's ``reorg``): ``Hr x Wr x C -> H x W x
    C r^2``; a copy, no ops; each output position reads an ``r x r`` block."""

    primary = "factor"

    factor: Count

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x, r = inputs[0], self.factor
        _image_only(x, "pixel_unshuffle")
        if any(n % r for n in x.spatial):
            raise Problem(
                "E306",
                f"pixel_unshuffle by {r} needs a height and width divisible by {r}, got {x}",
                f"feed a map whose sides are multiples of {r}",
            )
        return Shape(*(n // r for n in x.spatial), x.c * r * r)

    def describe(self) -> str:
        return f"/{self.factor}"

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        r = self.factor
        return Window((r, r), (r, r))


@register("maxunpool")
class MaxUnpool(Layer):
    """Max unpooling (PyTorch ``MaxUnpool2d``, SegNet): each input value goes back to the position
    its pool took it from (``indices``, the named ``maxpool``, whose output has this layer's input
    volume); the rest is zero. The output has the pool's input height and width, as SegNet passes
    PyTorch's ``output_size``: PyTorch takes any size within ``S - 1`` of its default
    ``(n - 1)*S - 2P + F``, which is the pool's input when the pool fits exactly. ``kernel``,
    ``stride`` and ``pad`` are the pool's. No parameters, no ops (a scatter)."""

    prefix = "unpool"
    primary = "kernel"

    indices: IndicesOf
    kernel: Axes
    stride: Axes | None = None
    pad: OffsetAxes = (0, 0)

    @property
    def step(self) -> Axes:
        return self.stride or self.kernel

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x, pooled, before = inputs[0], inputs[1], inputs[2]
        if pooled != x:
            raise Problem(
                "E304",
                f"maxunpool needs indices of its input's volume {x}, got {pooled} from"
                f" '{self.indices}'",
                "name the pool whose output this layer undoes",
            )
        default = [
            transposed_axis(n, k, s, p, 1, 0)
            for n, k, s, p in zip(x.spatial, self.kernel, self.step, self.pad, strict=True)
        ]
        steps = tuple(zip(default, self.step, strict=True))
        if any(abs(t - d) >= s for t, (d, s) in zip(before.spatial, steps, strict=True)):
            accepted = " x ".join(f"{d - s + 1}..{d + s - 1}" for d, s in steps)
            raise Problem(
                "E306",
                f"maxunpool cannot restore {spatial_text(before.spatial)}, the input of"
                f" '{self.indices}': from {spatial_text(x.spatial)} PyTorch takes {accepted}",
                "give the pool's kernel, stride and padding",
            )
        return Shape(*before.spatial, x.c)

    def describe(self) -> str:
        return window_text(self.kernel, self.step, both_sides(self.pad))

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return transposed_window(self.kernel, self.step, self.pad, (1,) * len(self.kernel))
