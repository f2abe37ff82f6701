"""The padding solver: which paddings make a sliding window fit, and which input sizes would.

One axis of a window maps an input of ``n`` with ``t = before + after`` padding to

    out = (n + t - F)/s + 1,   F = d*(k - 1) + 1 (the dilated kernel)

(the lectures' ``(W - F + 2P)/S + 1`` with ``t = 2P``). It *fits* when the division is exact and
``n + t >= F``. This module answers, with integers only:

- :func:`fitting_paddings`: every total padding up to a bound that fits, each split as TensorFlow
  splits it (``t // 2`` before, the rest after), so an odd total is the asymmetric case;
- :func:`padding_for_output`: the one padding that yields a wanted output, or why none does;
- :func:`same_padding`: TensorFlow's ``same`` (``out = ceil(n/s)``, the odd pixel after), which at
  stride 1 is the lectures' ``(F - 1)/2`` on each side;
- :func:`nearest_inputs`: the input sizes closest to ``n`` that fit with a given padding.

``shapes.py`` resolves ``pad: same`` and writes the "would fit with ..." hints of E301 through
these functions, and ``cnncalc pad`` prints them, so the command and the hints cannot disagree.
Nothing here imports the rest of cnncalc except the error type.
"""

from __future__ import annotations

from cnncalc.errors import Problem
from cnncalc.exact import ratio_text
from cnncalc.records import Record


def dilated(k: int, d: int) -> int:
    """The extent of a kernel of ``k`` taps with dilation ``d``: ``d*(k - 1) + 1``."""
    return d * (k - 1) + 1


class Fit(Record):
    """A padding (``before`` and ``after`` the axis) and the exact output it gives."""

    before: int
    after: int
    out: int

    @property
    def total(self) -> int:
        return self.before + self.after

    @property
    def symmetric(self) -> bool:
        return self.before == self.after

    def __str__(self) -> str:
        return (
            f"pad {self.before}"
            if self.symmetric
            else f"pad {self.before} before, {self.after} after"
        )


def split(total: int) -> tuple[int, int]:
    """TensorFlow's split of a total padding: half before, the odd pixel after."""
    return total // 2, total - total // 2


def _check(n: int, k: int, s: int, d: int) -> None:
    for name, value in (("input", n), ("kernel", k), ("stride", s), ("dilation", d)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")


def fitting_paddings(
    n: int, k: int, s: int, d: int = 1, max_total: int | None = None
) -> tuple[Fit, ...]:
    """Every total padding ``0 <= t <= max_total`` that fits exactly, smallest first, split as
    :func:`split` does (an odd total is asymmetric). The default bound, ``2*(F - 1)``, is the
    largest padding after which every window still reads at least one input pixel."""
    _check(n, k, s, d)
    f = dilated(k, d)
    bound = 2 * (f - 1) if max_total is None else max_total
    first = max(f - n, 0)  # the kernel must fit in the padded input
    first += (f - n - first) % s  # then every s-th total divides exactly
    return tuple(
        Fit(*split(total), (n + total - f) // s + 1) for total in range(first, bound + 1, s)
    )


def padding_for_output(n: int, k: int, s: int, d: int, out: int) -> Fit:
    """The padding that makes the window give exactly ``out``: the total is
    ``t = (out - 1)*s + F - n``, unique because the output grows by one every ``s`` pixels of
    padding.
    Raises :class:`Problem` (E301) with the reason when no padding does."""
    _check(n, k, s, d)
    if out < 1:
        raise ValueError(f"output must be at least 1, got {out}")
    f = dilated(k, d)
    total = (out - 1) * s + f - n
    if total >= 0:
        return Fit(*split(total), out)
    unpadded = (n - f) // s + 1
    fraction = f" (floored: {unpadded})" if (n - f) % s else ""
    raise Problem(
        "E301",
        f"no padding gives {out}: padding only adds, and with none the output is already ({n} -"
        f" {f})/{s} + 1 = {ratio_text(n - f + s, s)}{fraction}",
        f"an input of {(out - 1) * s + f} gives {out} with no padding; so does a larger stride or"
        " kernel",
    )


def same_padding(n: int, k: int, s: int, d: int = 1) -> Fit:
    """TensorFlow's ``padding='SAME'``: ``out = ceil(n/s)``; the total padding
    ``max((out - 1)*s + F - n, 0)``, split with the odd pixel after. At stride 1 the output is ``n``
    and the padding ``(F - 1)/2`` per side for an odd ``F``. The fit is exact unless the total is
    clamped to 0 (a kernel narrower than the stride): then the last ``(n - F) % s`` pixels go unread
    and flooring gives ``out``."""
    out = -(-n // s)
    before, after = split(max((out - 1) * s + dilated(k, d) - n, 0))
    return Fit(before, after, out)


def nearest_inputs(n: int, k: int, s: int, d: int, before: int, after: int) -> tuple[int, ...]:
    """The input sizes nearest ``n`` that fit exactly with this padding: ``n`` itself when it fits,
    else the nearest below (when the kernel still fits in it) and above; fitting inputs are ``s``
    apart.
    """
    f = dilated(k, d)
    span = n + before + after - f
    below, above = n - span % s, n + (-span) % s
    return tuple(sorted({x for x in (below, above) if x >= max(f - before - after, 1)}))


def nearest_symmetric(n: int, k: int, s: int, d: int, at_least: int) -> int | None:
    """The smallest symmetric padding ``p >= at_least`` that fits, within one period of ``s``
    (the fit repeats with period ``s`` in ``2p``); ``None`` when parity rules every one out.

    Solved in closed form, ``2p = F - n (mod s)`` with ``n + 2p >= F``, rather than searched, so
    the cost does not grow with the stride (a hostile spec may ask for a stride of millions)."""
    _check(n, k, s, d)
    gap = dilated(k, d) - n
    if s % 2 == 0:
        if gap % 2:
            return None  # 2p is even: it cannot make up an odd gap modulo an even stride
        period, residue = s // 2, (gap // 2) % (s // 2)
    else:
        period, residue = s, gap * (s + 1) // 2 % s  # (s + 1)/2 is the inverse of 2 modulo an odd s
    lowest = max(at_least, -(-gap // 2))
    p = lowest + (residue - lowest) % period
    return p if p <= at_least + s else None
