"""Layers that cut or re-view the volume: ``crop`` and ``reshape``. Neither computes anything."""

from __future__ import annotations

from cnncalc.errors import Problem
from cnncalc.layers.base import Context, Layer, Window, padding_text, register, whole_input
from cnncalc.shapes import AXES, Shape, spatial_text
from cnncalc.values import Sides, SizeOf, Volume


@register("crop")
class Crop(Layer):
    """Cropping (U-Net's skips after valid convolutions; Keras ``Cropping2D``): to the height and
    width (every spatial size) of a named layer (``to``), centred with the odd pixel cut after
    (``(H - h)//2`` before, as U-Net implementations do), or by explicit ``sides`` (``[top, bottom,
    left, right]``, or a number or ``[h, w]`` for both sides alike; before and after each axis on
    any rank). Channels kept; a copy, no ops."""

    to: SizeOf | None = None
    sides: Sides | None = None

    def cut(self, inputs: tuple[Shape, ...]) -> tuple[int, ...]:
        """Pixels cut before and after each spatial axis (top, bottom, left, right on an
        image)."""
        x = inputs[0]
        if (self.to is None) == (self.sides is None):
            raise Problem(
                "E103" if self.to else "E105",
                "crop takes exactly one of to and sides",
                "e.g. 'to: conv4' or 'sides: [4, 4, 4, 4]'",
            )
        if self.sides is not None:
            sides = self.sides
        else:
            target = inputs[1]
            excess = tuple(n - m for n, m in zip(x.spatial, target.spatial, strict=True))
            if min(excess) < 0:
                raise Problem(
                    "E306",
                    f"crop to {spatial_text(target.spatial)} ('{self.to}') needs an input at least"
                    f" that large, got {spatial_text(x.spatial)}",
                    "crop the larger map to the smaller one",
                )
            sides = tuple(side for e in excess for side in (e // 2, e - e // 2))
        if any(sides[2 * i] + sides[2 * i + 1] >= n for i, n in enumerate(x.spatial)):
            cut = " x ".join(f"{sides[2 * i]}+{sides[2 * i + 1]}" for i in range(x.rank))
            raise Problem(
                "E306",
                f"crop of {cut} leaves nothing of {spatial_text(x.spatial)}",
                "cut less than the map",
            )
        return sides

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        sides = self.cut(inputs)
        return Shape(*(n - sides[2 * i] - sides[2 * i + 1] for i, n in enumerate(x.spatial)), x.c)

    def describe(self) -> str:
        return f"to {self.to}" if self.to else padding_text(self.sides or (0,))

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        """Output ``o`` is input ``o + top``: a window starting ``top`` into the input."""
        before = self.cut(inputs)[0::2]
        return Window((1,) * len(before), pad=tuple(-b for b in before))


@register("reshape")
class Reshape(Layer):
    """Re-viewing the elements as ``shape`` (``[h, w, c]``, ``[l, c]``, ``[d, h, w, c]``: the
    network's rank; e.g. fc 8192 to 4x4x512 in DCGAN's
    generator): the element count must match. A view: no memory, no ops. Every output position
    may hold any input position's elements, so its field is the whole input's (as flatten's)."""

    primary = "shape"
    stores_output = False

    shape: Volume

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x, out = inputs[0], self.target
        if out.numel != x.numel:
            raise Problem(
                "E306",
                f"reshape to {out} needs {out.numel:,} elements, got {x.numel:,}",
                f"the product {'*'.join((*(a for a, _ in AXES[out.rank]), 'c'))} must equal"
                " the input's element count",
            )
        if out.rank != x.rank:
            raise Problem(
                "E306",
                f"reshape to {out} changes the rank of {x}",
                f"give {x.rank + 1} numbers: the spatial sizes and the channels",
            )
        return out

    @property
    def target(self) -> Shape:
        return Shape(*self.shape)

    def describe(self) -> str:
        return f"to {self.target}"

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return whole_input(inputs[0])
