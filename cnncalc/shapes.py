"""Volumes and the sliding-window arithmetic every conv and pool shares.

One axis of a window layer maps an input of ``n`` to

    out = (n + p_before + p_after - d*(k - 1) - 1) / s + 1

which is the lectures' ``(W - F + 2P)/S + 1`` with the dilated kernel ``d*(k-1) + 1`` and
possibly asymmetric padding (Dumoulin & Visin, "A guide to convolution arithmetic",
arXiv:1603.07285, relationship 15). All arithmetic is on integers, so "does not fit" is exact,
and the fraction behind it is printed exactly (:mod:`cnncalc.exact`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from cnncalc.errors import Problem
from cnncalc.exact import exact_text
from cnncalc.padding import nearest_inputs, nearest_symmetric, same_padding


@dataclass(frozen=True, slots=True)
class Shape:
    """A volume ``h x w x c`` (height, width, channels), batch excluded."""

    h: int
    w: int
    c: int

    @property
    def numel(self) -> int:
        return self.h * self.w * self.c

    def __str__(self) -> str:
        return f"{self.h}x{self.w}x{self.c}"


#: Largest height, width or channel count of an input volume, whichever way it is written.
MAX_DIMENSION = 10**6
#: ``HxWxC`` in ASCII digits only: ``re``'s ``\d`` would take any Unicode digit, and int() reads
#: the Bengali four, which looks like an eight, as 4.
_VOLUME = re.compile(r"[ \t]*([0-9]+)[ \t]*[xX×][ \t]*([0-9]+)[ \t]*[xX×][ \t]*([0-9]+)[ \t]*")


def parse_volume(text: str) -> Shape:
    """Parse ``227x227x3`` (H x W x C), then check it as :func:`volume` does. Raises
    :class:`Problem`: E108 when it is not a volume, E007 when a dimension is beyond
    :data:`MAX_DIMENSION`."""
    match = _VOLUME.fullmatch(text)
    shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:37] + "..."
    if not match:
        raise Problem("E108", f"'{shown}' is not a volume", "write HxWxC, e.g. 224x224x3")
    digits = match.groups()
    if any(len(g.lstrip("0")) > len(str(MAX_DIMENSION)) for g in digits):  # before int(): cheap
        raise _beyond_the_limit(shown)
    h, w, c = (int(g) for g in digits)
    return volume(h, w, c)


def volume(h: int, w: int, c: int) -> Shape:
    """The input volume ``h x w x c``, each at least 1 and at most :data:`MAX_DIMENSION`: the one
    check of an input, written ``224x224x3``, ``{h: 224, w: 224, c: 3}`` or on the command line.
    Raises :class:`Problem` (E108, E007)."""
    shape = Shape(h, w, c)
    if min(h, w, c) < 1:
        raise Problem(
            "E108",
            f"input {shape} has a zero dimension",
            "every size must be at least 1, e.g. 224x224x3",
        )
    if max(h, w, c) > MAX_DIMENSION:
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


#: Explicit padding (top, bottom, left, right), or a mode resolved against the input size.
Padding = tuple[int, int, int, int] | PadMode
Pair = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Axis:
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
        value = Fraction(self.n - self.k_eff + self.before + self.after, self.s) + 1
        return f"{division} + 1 = {exact_text(value)}"

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
    """Padding before and after on ``axis`` (0 = height, 1 = width) for an input of ``n``."""
    if padding is PadMode.VALID:
        return 0, 0
    if padding is PadMode.SAME:
        fit = same_padding(n, k, s, d)
        return fit.before, fit.after
    return (padding[0], padding[1]) if axis == 0 else (padding[2], padding[3])


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
