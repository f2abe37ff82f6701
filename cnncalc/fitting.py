"""A spec at an input size where some window does not fit: every window that fails, and the
nearest input sizes at which the whole network fits.

Inference stops at the first window that does not fit, since everything after it depends on it.
To show the rest, :func:`explore` infers once more with every window floored, as PyTorch would,
and lists each window whose ``(W - F + 2P)/S + 1`` is a fraction on the way (the AlexNet-at-224
puzzle: conv1 54.25, then pool1 26.5, pool2 12.5, pool3 5.5). Then it tries the input sizes
``(h + δ) x (w + δ)`` outwards from the given one, below and above, until the whole spec fits
under its own rounding rules (each axis apart, as a 3-D clip's depth fits apart from its
height and width). Fitting sizes of a chain of windows repeat with the product of their
strides, so the search reaches twice the largest jump (:mod:`cnncalc.receptive`), within a budget
of layer inferences that keeps it well under a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from cnncalc.api import Report
from cnncalc.errors import Severity
from cnncalc.infer import infer
from cnncalc.receptive import receptive_fields
from cnncalc.records import Record
from cnncalc.shapes import Rounding, Shape

#: Most layer inferences one search may spend (a probe costs one per layer, some microseconds):
#: a typical network searches its full reach in milliseconds, a 100,000-layer spec a few steps.
BUDGET = 300_000


class Exploration(Record):
    """What does not fit at ``input``, and the nearest input sizes that do (``None``: none within
    ``reach``).
    """

    input: Shape
    misfits: tuple[str, ...]
    below: Shape | None
    above: Shape | None
    reach: int


def fits(report: Report, volume: Shape) -> bool:
    """True when the spec has no geometry error at ``volume``."""
    _, diagnostics = infer(report.graph, volume, report.spec.rounding)
    return not any(d.severity is Severity.ERROR for d in diagnostics)


def explore(report: Report) -> Exploration:
    """The windows that do not fit at the report's input (each floored to reach the next) and the
    nearest input sizes at which the whole spec fits."""
    floored, diagnostics = infer(report.graph, report.input, Rounding.FLOOR)
    misfits = tuple(
        d.message for d in diagnostics if d.code == "N301" or d.severity is Severity.ERROR
    )
    # a jump is a fraction after upsampling: the search reaches the whole pixel above it
    jumps = [math.ceil(max(f.jump)) for f in receptive_fields(report.graph, floored).values()]
    reach = max(min(2 * max([4, *jumps]), BUDGET // (4 * max(len(report.graph.nodes), 1))), 1)
    x, own = report.input, report.spec.input
    if own.rank == x.rank and fits(report, own):
        # The axes fit independently (windows and merges act on each axis alone), so each is
        # searched with the others at the spec's own size, which fits.
        nearest = [_nearest_on(report, own, axis, x, reach) for axis in range(x.rank)]
        below = _found([low for low, _ in nearest], x.c)
        above = _found([high for _, high in nearest], x.c)
    else:  # no size known to fit: move every axis together
        low, high = _nearest(
            lambda d: fits(report, _grown(x, d)), 0, reach, floor=1 - min(x.spatial)
        )
        below = _grown(x, low) if low is not None else None
        above = _grown(x, high) if high is not None else None
    return Exploration(input=x, misfits=misfits, below=below, above=above, reach=reach)


def _nearest_on(
    report: Report, own: Shape, axis: int, x: Shape, reach: int
) -> tuple[int | None, int | None]:
    """The nearest fitting sizes of ``axis`` to ``x``'s, the other axes at the spec's own."""
    return _nearest(lambda n: fits(report, _moved(own, axis, n, x.c)), x.spatial[axis], reach)


def _moved(shape: Shape, axis: int, n: int, c: int) -> Shape:
    """``shape`` with spatial ``axis`` of size ``n`` and ``c`` channels."""
    return Shape(*shape.spatial[:axis], n, *shape.spatial[axis + 1 :], c)


def _grown(shape: Shape, d: int) -> Shape:
    return Shape(*(n + d for n in shape.spatial), shape.c)


def _found(sizes: list[int | None], c: int) -> Shape | None:
    """The volume of the sizes found on every axis, or ``None`` when one has none."""
    whole = [n for n in sizes if n]
    return Shape(*whole, c) if len(whole) == len(sizes) else None


def _nearest(
    fit: Callable[[int], bool], n: int, reach: int, floor: int = 1
) -> tuple[int | None, int | None]:
    """The nearest values to ``n`` within ``reach`` for which ``fit`` holds, below and above (both
    ``n`` when it holds already); none below ``floor``."""
    if fit(n):
        return n, n
    below = next((m for m in range(n - 1, max(n - reach, floor) - 1, -1) if fit(m)), None)
    above = next((m for m in range(n + 1, n + reach + 1) if fit(m)), None)
    return below, above
