"""Gates on a change: ``cnncalc diff base.yaml head.yaml --fail-on params+10%``.

A gate names a total (:data:`FIGURES`) and how much B may exceed A: a percentage of A
(``params+10%``) or an absolute amount with an optional SI suffix (``macs+50M``, ``params+0``).
``diff`` fails (exit 1) when ``B - A`` is larger than that allowance; the allowance of a percentage
is exact (``100 * (B - A) > pct * A`` in integers).
"""

from __future__ import annotations

from fractions import Fraction

from cnncalc.diff import Diff
from cnncalc.records import Record

#: The totals a gate may name: :class:`cnncalc.metrics.Totals` attributes.
FIGURES = ("params", "weights", "biases", "macs", "activations")


class Gate(Record, kw_only=True):
    """``figure`` may grow by at most ``percent`` percent of A, or by ``amount``."""

    figure: str
    percent: Fraction | None = None
    amount: int | None = None

    def text(self) -> str:
        limit = f"{float(self.percent):g}%" if self.percent is not None else f"{self.amount:,}"
        return f"{self.figure}+{limit}"

    def breach(self, change: Diff) -> str | None:
        """Why ``change`` fails this gate, with the figures; ``None`` when it passes."""
        before = int(getattr(change.a.totals, self.figure))
        grown = change.total_delta(self.figure)
        if self.percent is not None:
            over = 100 * grown > self.percent * before
            shown = f" ({float(Fraction(100 * grown, before)):+.2f}%)" if before else ""
        else:
            assert self.amount is not None
            over = grown > self.amount
            shown = ""
        if not over:
            return None
        return (
            f"{self.figure} grew by {grown:,}{shown}, from {before:,} to {before + grown:,}:"
            f" more than --fail-on {self.text()} allows"
        )
