"""Layers that cut or re-view the volume: ``crop`` and ``reshape``. Neither computes anything."""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.errors import Problem
from cnncalc.layers.base import Context, Layer, Window, padding_text, register, whole_input
from cnncalc.shapes import Shape
from cnncalc.values import Sides, SizeOf, Volume


@register("crop")
@dataclass(frozen=True, slots=True, kw_only=True)
class Crop(Layer):
    """Cropping (U-Net's skips after valid convolutions; Keras ``Cropping2D``): to the height and
    width of a named layer (``to``), centred with the odd pixel cut after (``(H - h)//2`` before,
    as U-Net implementations do), or by explicit ``sides`` (``[top, bottom, left, right]``, or a
    number or ``[h, w]`` for both sides alike). Channels kept; a copy, no ops."""

    to: SizeOf | None = None
    sides: Sides | None = None

    def cut(self, inputs: tuple[Shape, ...]) -> tuple[int, int, int, int]:
        """Pixels cut at the top, bottom, left and right."""
        x = inputs[0]
        if (self.to is None) == (self.sides is None):
            raise Problem(
                "E103" if self.to else "E105",
                "crop takes exactly one of to and sides",
                "e.g. 'to: conv4' or 'sides: [4, 4, 4, 4]'",
            )
        if self.sides is not None:
            top, bottom, left, right = self.sides
        else:
            target = inputs[1]
            dh, dw = x.h - target.h, x.w - target.w
            if dh < 0 or dw < 0:
                raise Problem(
                    "E306",
                    f"crop to {target.h}x{target.w} ('{self.to}') needs an input at least that"
                    f" large, got {x.h}x{x.w}",
                    "crop the larger map to the smaller one",
                )
            top, left = dh // 2, dw // 2
            bottom, right = dh - top, dw - left
        if top + bottom >= x.h or left + right >= x.w:
            raise Problem(
                "E306",
                f"crop of {top}+{bottom} x {left}+{right} leaves nothing of {x.h}x{x.w}",
                "cut less than the map",
            )
        return top, bottom, left, right

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x = inputs[0]
        top, bottom, left, right = self.cut(inputs)
        return Shape(x.h - top - bottom, x.w - left - right, x.c)

    def describe(self) -> str:
        return f"to {self.to}" if self.to else padding_text(self.sides or (0, 0, 0, 0))

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        """Output ``o`` is input ``o + top``: a window starting ``top`` into the input."""
        top, _, left, _ = self.cut(inputs)
        return Window((1, 1), pad=(-top, -left))


@register("reshape")
@dataclass(frozen=True, slots=True, kw_only=True)
class Reshape(Layer):
    """Re-viewing the elements as ``shape`` (``[h, w, c]``; e.g. fc 8192 to 4x4x512 in DCGAN's
    generator): the element count must match. A view: no memory, no ops. Every output position
    may hold any input position's elements, so its field is the whole input's (as flatten's)."""

    primary = "shape"
    stores_output = False

    shape: Volume

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        x, out = inputs[0], Shape(*self.shape)
        if out.numel != x.numel:
            raise Problem(
                "E306",
                f"reshape to {out} needs {out.numel:,} elements, got {x.numel:,}",
                "the product h*w*c must equal the input's element count",
            )
        return out

    def describe(self) -> str:
        return f"to {Shape(*self.shape)}"

    def window(self, inputs: tuple[Shape, ...]) -> Window:
        return whole_input(inputs[0])
