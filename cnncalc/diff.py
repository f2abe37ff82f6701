"""Two networks, or one at two input sizes, layer by layer: ``cnncalc diff A B``.

The rows of each report (as ``show`` prints them, blocks collapsed to ``depth``) are aligned

1. by name: a row of A pairs with the row of B of the same name;
2. else by position and type, between anchors: the name pairs that keep their order on both sides
   (the longest increasing run of B positions along A) cut both networks into gaps, and the rows
   left over in a gap are matched in order where their types agree (the longest common
   subsequence of types, :class:`difflib.SequenceMatcher`). A gap with more than
   :data:`GAP_CELLS` pairs of rows to compare takes the linear fallback instead: the k-th row of a
   type left in A's part pairs with the k-th row of that type left in B's part. A leftover never
   pairs across an anchor (DenseNet-161's ``denseblock3.33`` with DenseNet-169's
   ``denseblock4.25``, as a matcher over all the leftovers at once did);
3. what remains is in A only or in B only, listed where it sits in its own network.

So aligning costs ``O(n log n)`` for the anchors, and the gaps cost work linear in the rows,
never ``len(A) * len(B)``: a gap of ``a`` by ``b`` rows reaches the matcher only when
``a*b <= GAP_CELLS``, so its shorter side has at most ``sqrt(GAP_CELLS)`` = 64 rows; each of the
matcher's passes over it (at most one per row of the shorter side) costs at most ``a*b``, which is
at most 64 times ``a + b``.

Each pair carries its changes (type, hyperparameters, output volume), found by comparing the
layers and numbers themselves, and the deltas ``B - A`` of weights, biases, params, MACs and
activations; the totals are the reports'. This module aligns and subtracts; ``render/table.py``
draws the table and ``render/diff.py`` writes the JSON document.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from difflib import SequenceMatcher
from enum import Enum

from cnncalc.api import Report
from cnncalc.grouping import Row
from cnncalc.records import Record


class Match(str, Enum):
    """How a row of A and a row of B were paired."""

    NAME = "name"
    POSITION = "position"
    A_ONLY = "a-only"
    B_ONLY = "b-only"


#: Largest gap, in pairs of leftover rows (``len(a_part) * len(b_part)``), that the sequence matcher
#: aligns; a larger one is paired by type in order. Every diff of two built-ins stays below it.
GAP_CELLS = 4096

#: The counts whose change a pair reports, ``B - A``.
COUNTS = ("weights", "biases", "params", "macs", "activations")


class Aligned(Record):
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


class Diff(Record):
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
    anchors = _increasing([(i, j) for i, (j, _) in partner.items()])
    taken = {j for j, _ in partner.values()}
    gaps_a: dict[int, list[int]] = defaultdict(list)
    gaps_b: dict[int, list[int]] = defaultdict(list)
    a_cuts, b_cuts = [i for i, _ in anchors], [j for _, j in anchors]
    for i in range(len(a_rows)):
        if i not in partner:
            gaps_a[bisect_left(a_cuts, i)].append(i)
    for j in range(len(b_rows)):
        if j not in taken:
            gaps_b[bisect_left(b_cuts, j)].append(j)
    for gap, rest_a in gaps_a.items():
        rest_b = gaps_b.get(gap, [])
        pairs = _by_type([a_rows[i].type for i in rest_a], [b_rows[j].type for j in rest_b])
        for x, y in pairs:
            partner[rest_a[x]] = (rest_b[y], Match.POSITION)
    entries: list[tuple[int | None, int | None, Match]] = [
        (i, partner[i][0], partner[i][1]) if i in partner else (i, None, Match.A_ONLY)
        for i in range(len(a_rows))
    ]
    # A row only in B goes after the last entry whose B row comes before it in B (and after the
    # B-only rows already placed there): ``after[j]`` is that entry, a running maximum over B.
    last_at = [-1] * (len(b_rows) + 1)
    for k, (_, other, _) in enumerate(entries):
        if other is not None:
            last_at[other + 1] = k
    after = [-1] * len(b_rows)
    latest = -1
    for j in range(len(b_rows)):
        latest = max(latest, last_at[j])
        after[j] = latest
    paired = {j for _, j, _ in entries if j is not None}
    placed: dict[int, list[int]] = defaultdict(list)
    for j in range(len(b_rows)):
        if j not in paired:
            placed[after[j]].append(j)
    ordered: list[tuple[int | None, int | None, Match]] = [
        (None, j, Match.B_ONLY) for j in placed[-1]
    ]
    for k, entry in enumerate(entries):
        ordered.append(entry)
        ordered.extend((None, j, Match.B_ONLY) for j in placed.get(k, ()))
    return tuple(
        Aligned(a_rows[i] if i is not None else None, b_rows[j] if j is not None else None, match)
        for i, j, match in ordered
    )


def _by_type(a_types: list[str], b_types: list[str]) -> list[tuple[int, int]]:
    """Positions ``(x, y)`` paired in one gap: the matching blocks of the sequence matcher (a
    longest common subsequence of types), or beyond :data:`GAP_CELLS` the k-th of each type with
    the k-th of that type."""
    if not a_types or not b_types:
        return []
    if len(a_types) * len(b_types) <= GAP_CELLS:
        matcher = SequenceMatcher(None, a_types, b_types, autojunk=False)
        return [
            (block.a + offset, block.b + offset)
            for block in matcher.get_matching_blocks()
            for offset in range(block.size)
        ]
    waiting: dict[str, list[int]] = defaultdict(list)
    for y, kind in enumerate(b_types):
        waiting[kind].append(y)
    seen: dict[str, int] = defaultdict(int)
    pairs = []
    for x, kind in enumerate(a_types):
        if seen[kind] < len(waiting[kind]):
            pairs.append((x, waiting[kind][seen[kind]]))
            seen[kind] += 1
    return pairs


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by their first item) whose second items increase:
    patience sorting, ``O(n log n)``."""
    tails: list[int] = []  # the smallest last second item of a run of each length
    tail_index: list[int] = []
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        length = bisect_left(tails, j)
        if length == len(tails):
            tails.append(j)
            tail_index.append(k)
        else:
            tails[length] = j
            tail_index[length] = k
        back[k] = tail_index[length - 1] if length else -1
    run = []
    k = tail_index[-1] if tail_index else -1
    while k >= 0:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]
