"""Volumes and the sliding-window arithmetic every conv and pool shares.

One axis of a window layer maps an input of ``n`` to

    out = (n + p_before + p_after - d*(k - 1) - 1) / s + 1

which is the lectures' ``(W - F + 2P)/S + 1`` with the dilated kernel ``d*(k-1) + 1`` and
possibly asymmetric padding (Dumoulin & Visin, "A guide to convolution arithmetic",
arXiv:1603.07285, relationship 15). All arithmetic is on integers, so "does not fit" is exact,
and the fraction behind it is printed exactly (:mod:`cnncalc.exact`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from enum import Enum
from typing import TypeVar

from cnncalc.errors import Problem
from cnncalc.exact import ratio_text
from cnncalc.padding import nearest_inputs, nearest_symmetric, same_padding
from cnncalc.records import Record

#: The spatial axes of a volume of each rank, outermost first, by the letter an expression and the
#: input mapping use (``input.h``) and the word a message uses. Rank 1 is a signal or a sentence
#: (``L x C``), 2 an image (``H x W x C``), 3 a clip or a scan (``D x H x W x C``): PyTorch's
#: ``Conv1d``, ``Conv2d`` and ``Conv3d`` (``N, C, *spatial``), channels written last as the lectures
#: write them.
AXES: dict[int, tuple[tuple[str, str], ...]] = {
    1: (("l", "length"),),
    2: (("h", "height"), ("w", "width")),
    3: (("d", "depth"), ("h", "height"), ("w", "width")),
}
#: The image rank: what a layer built without a spec (and every 2-D default) assumes.
IMAGE_RANK = 2


class Shape(Record):
    """A volume as the lectures write it, channels last, batch excluded: ``Shape(28, 28, 6)`` is
    ``28x28x6`` (height, width, channels), ``Shape(8000, 32)`` a signal (length, channels),
    ``Shape(16, 112, 112, 3)`` a clip (depth, height, width, channels). ``spatial`` holds the
    sizes before the channels, in :data:`AXES` order; each is also named by its letter
    (``shape.h``, ``shape.d``, ``shape.l``)."""

    spatial: tuple[int, ...]
    c: int

    def __init__(self, *dims: int) -> None:
        object.__setattr__(self, "spatial", dims[:-1])
        object.__setattr__(self, "c", dims[-1])

    @property
    def rank(self) -> int:
        return len(self.spatial)

    @property
    def positions(self) -> int:
        """Spatial positions: the product of the spatial sizes."""
        return math.prod(self.spatial)

    @property
    def numel(self) -> int:
        return self.positions * self.c

    @property
    def h(self) -> int:
        """The height: the second-to-last spatial size of an image or a clip."""
        return self._axis("h")

    @property
    def w(self) -> int:
        """The width: the last spatial size of an image or a clip."""
        return self._axis("w")

    @property
    def d(self) -> int:
        """A clip's depth (time, or a scan's slices): its first spatial size."""
        return self._axis("d")

    @property
    def l(self) -> int:  # noqa: E743 - the letter the lectures and input.l use for a length
        """A signal's or a sentence's length: its one spatial size."""
        return self._axis("l")

    def _axis(self, letter: str) -> int:
        for (name, _), size in zip(AXES.get(self.rank, ()), self.spatial, strict=False):
            if name == letter:
                return size
        raise AttributeError(f"a {self.rank}-D volume {self} has no axis '{letter}'")

    def with_spatial(self, spatial: tuple[int, ...]) -> Shape:
        return Shape(*spatial, self.c)

    def with_channels(self, c: int) -> Shape:
        return Shape(*self.spatial, c)

    def __str__(self) -> str:
        return spatial_text((*self.spatial, self.c))


def axis_words(rank: int) -> tuple[str, ...]:
    """The spatial axes' words at ``rank``: ``("height", "width")``."""
    return tuple(word for _, word in AXES[rank])


T = TypeVar("T")


def alike(named: Iterable[tuple[str, T]]) -> list[tuple[str, T]]:
    """Axes whose values agree, named together (``height and width``) in the order of their first
    axis: one line, one message, for what a square kernel does on both axes."""
    groups: list[tuple[list[str], T]] = []
    for word, value in named:
        same = next((words for words, other in groups if other == value), None)
        if same is None:
            groups.append(([word], value))
        else:
            same.append(word)
    return [
        (words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1], value)
        for words, value in groups
    ]


def both_sides(per_axis: tuple[int, ...]) -> tuple[int, ...]:
    """Padding of ``per_axis[i]`` before and after each axis, as the sides a :data:`Padding`
    lists: ``(1, 2)`` is ``(1, 1, 2, 2)``."""
    return tuple(side for size in per_axis for side in (size, size))


def axes_count(rank: int) -> str:
    """``1 spatial axis``, ``3 spatial axes``."""
    return f"{rank} spatial {'axis' if rank == 1 else 'axes'}"


def spatial_text(sizes: tuple[object, ...]) -> str:
    """Spatial sizes as a volume prints them: ``56x56``, ``16x112x112``, ``8000``."""
    return "x".join(map(str, sizes))


#: Largest spatial size or channel count of an input volume, whichever way it is written.
MAX_DIMENSION = 10**6
#: ``HxWxC`` (and ``LxC``, ``DxHxWxC``) in ASCII digits only: ``re``'s ``\d`` would take any
#: Unicode digit, and int() reads the Bengali four, which looks like an eight, as 4.
_VOLUME = re.compile(r"[ \t]*[0-9]+(?:[ \t]*[xX×][ \t]*[0-9]+){1,3}[ \t]*")
_DIGITS = re.compile(r"[0-9]+")


def parse_volume(text: str) -> Shape:
    """Parse ``227x227x3`` (H x W x C), ``32000x1`` (L x C) or ``16x112x112x3`` (D x H x W x C),
    then check it as :func:`volume` does. Raises :class:`Problem`: E108 when it is not a volume,
    E007 when a dimension is beyond :data:`MAX_DIMENSION`."""
    shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:37] + "..."
    if not _VOLUME.fullmatch(text):
        raise Problem(
            "E108",
            f"'{shown}' is not a volume",
            "write HxWxC, e.g. 224x224x3 (or LxC for 1-D, DxHxWxC for 3-D)",
        )
    digits = _DIGITS.findall(text)
    if any(len(g.lstrip("0")) > len(str(MAX_DIMENSION)) for g in digits):  # before int(): cheap
        raise _beyond_the_limit(shown)
    *spatial, c = (int(g) for g in digits)
    return volume(tuple(spatial), c)


def volume(spatial: tuple[int, ...], c: int) -> Shape:
    """The input volume ``spatial x c``, each size at least 1 and at most :data:`MAX_DIMENSION`:
    the one check of an input, written ``224x224x3``, ``{h: 224, w: 224, c: 3}`` or on the command
    line. Raises :class:`Problem` (E108, E007)."""
    shape = Shape(*spatial, c)
    if min(*spatial, c) < 1:
        raise Problem(
            "E108",
            f"input {shape} has a zero dimension",
            "every size must be at least 1, e.g. 224x224x3",
        )
    if max(*spatial, c) > MAX_DIMENSION:
        raise _beyond_the_limit(str(shape))
    return shape


def _beyond_the_limit(shown: str) -> Problem:
    return Problem(
        "E007",
        f"input {shown} is beyond the limit of {MAX_DIMENSION:,} per dimension",
        "use a realistic size",
    )


class Rounding(str, Enum):
    """What to do when a window does not fit exactly.

    ``exact`` (the default) makes it an error, as the lectures do; ``floor`` is PyTorch's conv and
    pool rule; ``ceil`` is Caffe's pooling rule and PyTorch's ``ceil_mode=True`` (a last window
    that would start in the right padding is dropped).
    """

    EXACT = "exact"
    FLOOR = "floor"
    CEIL = "ceil"


class PadMode(str, Enum):
    """Padding computed from the input: ``same`` (TensorFlow's: out = ceil(n/s), the odd pixel
    after) and ``valid`` (none)."""

    SAME = "same"
    VALID = "valid"


#: Explicit padding, before and after each spatial axis in order (``(top, bottom, left, right)``
#: for an image), or a mode resolved against the input size.
Padding = tuple[int, ...] | PadMode
#: One whole number per spatial axis (kernel, stride, dilation, a size).
Axes = tuple[int, ...]


class Axis(Record):
    """One axis of a window: its outcome and the numbers behind it, for messages and hints."""

    n: int
    k: int
    s: int
    d: int
    before: int
    after: int
    out: int
    exact: bool
    #: TensorFlow's ``same``: the output is ``ceil(n/s)`` by definition and the division floored
    #: (a kernel narrower than the stride leaves the last pixels unread), so it always fits.
    same: bool = False

    @property
    def k_eff(self) -> int:
        return self.d * (self.k - 1) + 1

    def arithmetic(self) -> str:
        """The lecture's formula with this axis's numbers and its exact value (never rounded, so a
        misfit cannot read as a whole number): ``(224 - 11 + 2·0)/4 + 1 = 54.25``, ``... = 7/3``.
        """
        pad = f"2·{self.before}" if self.before == self.after else f"{self.before} + {self.after}"
        kernel = str(self.k) if self.d == 1 else f"{self.k_eff} (dilated {self.k}·{self.d})"
        division = f"({self.n} - {kernel} + {pad})/{self.s}"
        if self.same and (self.n - self.k_eff + self.before + self.after) % self.s:
            return f"floor({division}) + 1 = {self.out} ('same' floors: ceil({self.n}/{self.s}))"
        value = ratio_text(self.n - self.k_eff + self.before + self.after + self.s, self.s)
        return f"{division} + 1 = {value}"

    def fits_nearby(self) -> str:
        """Nearest input sizes and symmetric padding that would make this axis fit exactly (from
        the padding solver, :mod:`cnncalc.padding`, which ``cnncalc pad`` prints in full)."""
        inputs = [
            str(x) for x in nearest_inputs(self.n, self.k, self.s, self.d, self.before, self.after)
        ]
        pad = nearest_symmetric(self.n, self.k, self.s, self.d, at_least=self.before)
        parts = []
        if inputs:
            parts.append("input " + " or ".join(inputs))
        if pad is not None:
            parts.append(f"pad {pad}")
        return ", or ".join(parts)


def resolve_padding(padding: Padding, n: int, k: int, s: int, d: int, axis: int) -> tuple[int, int]:
    """Padding before and after on spatial ``axis`` (0 = the outermost) for an input of ``n``."""
    if padding is PadMode.VALID:
        return 0, 0
    if padding is PadMode.SAME:
        fit = same_padding(n, k, s, d)
        return fit.before, fit.after
    return padding[2 * axis], padding[2 * axis + 1]


def same_axis(n: int, k: int, s: int, d: int) -> Axis:
    """One axis under TensorFlow's ``padding='SAME'`` (:func:`cnncalc.padding.same_padding`):
    ``out = ceil(n/s)`` whatever the rounding, as TensorFlow and Keras define it (``conv_utils.
    conv_output_length``); the padded division is whole, or floored when the total padding is
    clamped to 0."""
    fit = same_padding(n, k, s, d)
    return Axis(
        n=n, k=k, s=s, d=d, before=fit.before, after=fit.after, out=fit.out, exact=True, same=True
    )


def window_axis(
    n: int, k: int, s: int, d: int, before: int, after: int, rounding: Rounding
) -> Axis:
    """Output size of one axis under ``rounding``; raises :class:`Problem` (E302) when no window
    fits in the padded input. A fraction under ``exact`` is reported by the caller, which sees
    ``exact=False`` (the floor value is kept so inference can go on).

    Under ``ceil`` this is ATen's ``pooling_output_shape``: ``out = floor((span + s - 1)/s) + 1``
    with ``span = n + before + after - F``, less one when the last window would start in the right
    padding (``(out - 1)*s >= n + before``, checked even when the division is whole). So a kernel
    up to ``s - 1`` larger than the padded input still gives one window (``span >= 1 - s``; 3x3/2
    on 2x2 gives 1), and only a smaller span is refused, as PyTorch refuses an output below 1."""
    k_eff = d * (k - 1) + 1
    span = n + before + after - k_eff
    overhang = s - 1 if rounding is Rounding.CEIL else 0
    if span < -overhang:
        size = f"{n} + {before + after}" if before + after else str(n)
        raise Problem(
            "E302",
            f"kernel {k_eff} is larger than the padded input {size}",
            f"use a kernel of at most {n + before + after + overhang}, pad the input, or feed a"
            " larger input",
        )
    out = span // s + 1
    exact = span % s == 0
    if rounding is Rounding.CEIL:
        out = (span + overhang) // s + 1
        if (out - 1) * s >= n + before:  # ATen: the last window may not start in the padding
            out -= 1
    return Axis(n=n, k=k, s=s, d=d, before=before, after=after, out=out, exact=exact)
