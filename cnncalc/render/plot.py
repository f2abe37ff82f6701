"""``cnncalc profile --format png``: the profile picture drawn by matplotlib, the optional extra
``cnncalc[plot]``. matplotlib because it is the most used and best kept plotting library of the
Python world (a PNG for slides needs no browser or server), and only as an extra: cnncalc itself
writes SVG (:func:`cnncalc.render.profile.profile_svg`) with no dependency at all.
"""

from __future__ import annotations

import io
from typing import Any

from cnncalc.api import Report
from cnncalc.render.escape import visible
from cnncalc.render.profile import COLOURS, FIGURES, profile_rows
from cnncalc.render.rows import human

#: What to run when the extra is missing.
INSTALL = "pip install 'cnncalc[plot]'"


class MissingExtra(RuntimeError):
    """matplotlib is not installed."""


def _pyplot() -> Any:
    try:
        import matplotlib  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise MissingExtra(
            f"--format png needs matplotlib: {INSTALL} (or use --format svg, which needs nothing)"
        ) from None
    matplotlib.use("Agg")  # no display: a file is drawn
    import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]

    return plt


def profile_png(report: Report, depth: int | None = None) -> bytes:
    """The terminal's picture as a PNG: the same rows, a panel per figure, each with its scale."""
    plt = _pyplot()
    rows, hidden = profile_rows(report, depth)
    height = 1.6 + 0.2 * len(rows)
    figure, axes = plt.subplots(1, len(FIGURES), sharey=True, figsize=(12, height))
    places = list(range(len(rows)))
    for axis, (key, title), colour in zip(axes, FIGURES, COLOURS, strict=True):
        values = [getattr(r, key) for r in rows]
        axis.barh(places, values, color=colour)
        axis.set_title(f"{title} (max {human(max(values, default=0))})", fontsize=10)
        axis.tick_params(axis="x", labelsize=7)
    axes[0].set_yticks(places, [visible(r.name) for r in rows], fontsize=7)
    axes[0].invert_yaxis()
    spec = report.spec
    note = f"; {hidden} row(s) without memory, params or MACs not drawn" if hidden else ""
    figure.suptitle(visible(f"{spec.title or spec.name} — input {report.input}{note}"), fontsize=11)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()
