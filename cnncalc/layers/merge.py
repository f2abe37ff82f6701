"""Merges of several inputs: ``add`` (residuals), ``concat`` (channel axis), ``mul`` (broadcast,
squeeze-and-excitation). Their inputs come from branches or named references (see ``expand.py``).

``add`` and ``mul`` cost ``(n - 1)`` operations per output element for ``n`` inputs; ``concat``
only copies.
"""

from __future__ import annotations

from cnncalc.errors import Problem
from cnncalc.layers.base import Context, Cost, Layer, register
from cnncalc.shapes import Shape, axis_words


def _shapes(inputs: tuple[Shape, ...]) -> str:
    return ", ".join(str(x) for x in inputs)


def same_rank(inputs: tuple[Shape, ...]) -> bool:
    return len({x.rank for x in inputs}) == 1


class _Merge(Layer):
    """Two or more inputs, from branches or references."""

    arity = None

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=(len(inputs) - 1) * out.numel)


@register("add")
class Add(_Merge):
    """Element-wise sum of inputs of identical shape: ``n - 1`` ops per element for ``n``
    inputs."""

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        if any(x != inputs[0] for x in inputs):
            raise Problem(
                "E304",
                f"add needs inputs of one shape, got {_shapes(inputs)}",
                "make the branches end in the same volume (a 1x1 conv with a stride can project a"
                " shortcut)",
            )
        return inputs[0]


@register("concat")
class Concat(_Merge):
    """Concatenation along channels: equal spatial sizes (``H x W``), channels summed; a copy, no
    ops."""

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        first = inputs[0]
        if any(x.spatial != first.spatial for x in inputs):
            sizes = " and ".join(axis_words(first.rank)) if same_rank(inputs) else "rank"
            raise Problem(
                "E304",
                f"concat needs inputs of one {sizes}, got {_shapes(inputs)}",
                "make every branch keep the same spatial size",
            )
        return Shape(*first.spatial, sum(x.c for x in inputs))

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost()


@register("mul")
class Mul(_Merge):
    """Element-wise product with broadcasting: each dimension equal, or 1 in all inputs but one
    (e.g. a ``1x1xC`` gate times an ``HxWxC`` volume); ``n - 1`` ops per output element for ``n``
    inputs."""

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        if not same_rank(inputs):
            raise Problem(
                "E304",
                f"mul needs inputs of one rank, got {_shapes(inputs)}",
                "each input needs as many spatial axes as the network's input",
            )
        dims = []
        for axis in zip(*((*x.spatial, x.c) for x in inputs), strict=True):
            sizes = {n for n in axis if n != 1}
            if len(sizes) > 1:
                raise Problem(
                    "E304",
                    f"mul cannot broadcast {_shapes(inputs)}",
                    "each dimension must match or be 1",
                )
            dims.append(sizes.pop() if sizes else 1)
        return Shape(*dims)
