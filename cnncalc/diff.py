"""Two networks, or one at two input sizes, layer by layer: ``cnncalc diff A B``.

The rows of each report (as ``show`` prints them, blocks collapsed to ``depth``) are aligned

1. by name: a row of A pairs with the row of B of the same name;
2. else by position and type: the rows left over on each side are matched in order where their
   types agree (the longest common subsequence of types, :class:`difflib.SequenceMatcher`);
3. what remains is in A only or in B only, listed where it sits in its own network.

Each pair carries its changes (type, hyperparameters, output volume) and the
deltas ``B - A`` of weights, biases, params, MACs and activations; the totals are the reports'.
This module aligns and subtracts; ``render/table.py`` draws the table and the CLI prints JSON
from :meth:`Diff.as_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum
from typing import Any

from cnncalc.api import Report
from cnncalc.metrics import Totals
from cnncalc.render.data import JSON_SCHEMA_VERSION, rf_dict
from cnncalc.render.rows import Row, rows


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
        """What differs between the two rows: ``type``, ``hyper``, ``output`` and the counts
        (``layer``
        when one side is missing). A different receptive field alone is not a change of the layer:
        it follows from the layers before (the table and JSON still show it)."""
        if self.a is None or self.b is None:
            return ("layer",)
        return tuple(
            key
            for key in ("type", "hyper", "output", *COUNTS)
            if getattr(self.a, key) != getattr(self.b, key)
        )

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

    def as_dict(self, changed_only: bool = False) -> dict[str, Any]:
        """The JSON document of ``cnncalc diff --format json``."""
        shown = [p for p in self.pairs if p.changed] if changed_only else list(self.pairs)
        return {
            "version": JSON_SCHEMA_VERSION,
            "a": _side(self.a),
            "b": _side(self.b),
            "layers": [
                {
                    "match": p.match.value,
                    "a": _row(p.a),
                    "b": _row(p.b),
                    "changed": list(p.changed),
                    "delta": {key: p.delta(key) for key in COUNTS},
                }
                for p in shown
            ],
            "totals": {
                "a": _totals(self.a.totals),
                "b": _totals(self.b.totals),
                "delta": {key: self.total_delta(key) for key in COUNTS},
            },
        }


def diff(a: Report, b: Report, depth: int | None = None) -> Diff:
    """Align the rows of ``a`` and ``b`` (see the module docstring)."""
    return Diff(a, b, align(rows(a, depth), rows(b, depth)))


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


def _side(report: Report) -> dict[str, Any]:
    return {
        "name": report.spec.name,
        "title": report.spec.title,
        "file": report.spec.file,
        "input": str(report.input),
        "ok": report.ok,
    }


def _row(row: Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    fields = (
        "name",
        "type",
        "hyper",
        "output",
        "weights",
        "biases",
        "params",
        "macs",
        "activations",
    )
    return {key: getattr(row, key) for key in fields} | {"rf": rf_dict(row.rf)}


def _totals(t: Totals) -> dict[str, int]:
    return {key: int(getattr(t, key)) for key in COUNTS}
