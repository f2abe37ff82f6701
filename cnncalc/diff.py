"""Two networks, or one at two input sizes, layer by layer: ``cnncalc diff A B``.

The rows of each report (as ``show`` prints them, blocks collapsed to ``depth``) are aligned

1. by name: a row of A pairs with the row of B of the same name;
2. else by position and type: the rows left over on each side are matched in order where their
   types agree (the longest common subsequence of types, :class:`difflib.SequenceMatcher`);
3. what remains is in A only or in B only, listed where it sits in its own network.

Each pair carries its changes (type, hyperparameters, output volume), found by comparing the
layers and numbers themselves, and the deltas ``B - A`` of weights, biases, params, MACs and
activations; the totals are the reports'. This module aligns and subtracts; ``render/table.py``
draws the table and ``render/diff.py`` writes the JSON document.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum

from cnncalc.api import Report
from cnncalc.grouping import Row


class Match(str, Enum):
    """How a row of A and a row of B were paired."""

    NAME = "name"
    POSITION = "position"
    A_ONLY = "a-only"
    B_ONLY = "b-only"


#: The counts whose change a pair reports, ``B - A``.
COUNTS = ("weights", "biases", "params", "macs", "activations")


@dataclass(frozen=True, slots=True)
class Aligned:
    """A row of A and its counterpart in B (either may be missing)."""

    a: Row | None
    b: Row | None
    match: Match

    @property
    def changed(self) -> tuple[str, ...]:
        """What differs between the two rows: ``type``, ``hyper`` (the hyperparameters as the layer
        states them, :meth:`Layer.describe`, or a collapsed block's layer count), ``output`` (the
        volume) and the counts; ``layer`` when one side is missing. A different receptive field
        alone is not a change of the layer: it follows from the layers before (the table and JSON
        still show it)."""
        a, b = self.a, self.b
        if a is None or b is None:
            return ("layer",)
        differs = {
            "type": a.type != b.type,
            "hyper": a.hyper != b.hyper,
            "output": a.output != b.output,
        }
        differs |= {key: getattr(a, key) != getattr(b, key) for key in COUNTS}
        return tuple(key for key, changed in differs.items() if changed)

    def delta(self, key: str) -> int:
        """``B - A`` of a count in :data:`COUNTS` (a missing row counts 0)."""
        return (getattr(self.b, key) if self.b else 0) - (getattr(self.a, key) if self.a else 0)


@dataclass(frozen=True, slots=True)
class Diff:
    """Two reports and their rows aligned."""

    a: Report
    b: Report
    pairs: tuple[Aligned, ...]

    def total_delta(self, key: str) -> int:
        return int(getattr(self.b.totals, key)) - int(getattr(self.a.totals, key))


def diff(a: Report, b: Report, depth: int | None = None) -> Diff:
    """Align the rows of ``a`` and ``b`` (see the module docstring)."""
    return Diff(a, b, align(list(a.rows(depth)), list(b.rows(depth))))


def align(a_rows: list[Row], b_rows: list[Row]) -> tuple[Aligned, ...]:
    """Pairs in A's order, rows only in B placed after the row that precedes them in B."""
    b_by_name = {row.name: j for j, row in enumerate(b_rows)}
    partner: dict[int, tuple[int, Match]] = {
        i: (b_by_name[row.name], Match.NAME)
        for i, row in enumerate(a_rows)
        if row.name in b_by_name
    }
    rest_a = [i for i in range(len(a_rows)) if i not in partner]
    taken = {j for j, _ in partner.values()}
    rest_b = [j for j in range(len(b_rows)) if j not in taken]
    matcher = SequenceMatcher(
        None, [a_rows[i].type for i in rest_a], [b_rows[j].type for j in rest_b], autojunk=False
    )
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            partner[rest_a[block.a + offset]] = (rest_b[block.b + offset], Match.POSITION)
    entries: list[tuple[int | None, int | None, Match]] = [
        (i, partner[i][0], partner[i][1]) if i in partner else (i, None, Match.A_ONLY)
        for i in range(len(a_rows))
    ]
    paired = {j for _, j, _ in entries if j is not None}
    for j in (j for j in range(len(b_rows)) if j not in paired):
        before = [k for k, (_, other, _) in enumerate(entries) if other is not None and other < j]
        entries.insert(before[-1] + 1 if before else 0, (None, j, Match.B_ONLY))
    return tuple(
        Aligned(a_rows[i] if i is not None else None, b_rows[j] if j is not None else None, match)
        for i, j, match in entries
    )
