"""The JSON document of ``cnncalc diff --format json``, from a :class:`cnncalc.diff.Diff`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cnncalc.api import Report
from cnncalc.diff import COUNTS, Diff
from cnncalc.errors import Severity
from cnncalc.grouping import Row
from cnncalc.metrics import Totals
from cnncalc.render.data import JSON_SCHEMA_VERSION, layers_json, rf_dict
from cnncalc.render.diagnostics import diagnostics_text, exploration_text


def diff_dict(
    d: Diff, changed_only: bool = False, encode: Callable[[dict[str, Any]], Any] = lambda p: p
) -> dict[str, Any]:
    """Both sides, every aligned pair (or only the changed ones) with its changes and deltas
    ``B - A``, and the totals; ``encode`` turns each pair's dict into what the document holds
    (:func:`diff_json` encodes it at once)."""
    shown = [p for p in d.pairs if p.changed] if changed_only else list(d.pairs)
    return {
        "version": JSON_SCHEMA_VERSION,
        "a": _side(d.a),
        "b": _side(d.b),
        "layers": [
            encode(
                {
                    "match": p.match.value,
                    "a": _row(p.a),
                    "b": _row(p.b),
                    "changed": list(p.changed),
                    "delta": {key: p.delta(key) for key in COUNTS},
                }
            )
            for p in shown
        ],
        "totals": {
            "a": _totals(d.a.totals),
            "b": _totals(d.b.totals),
            "delta": {key: d.total_delta(key) for key in COUNTS},
        },
    }


def diff_json(d: Diff, changed_only: bool = False) -> str:
    """:func:`diff_dict` as :func:`cnncalc.render.data.layers_json` writes it, a pair a line: each
    pair is encoded as it is made, so 10,000 pairs peak at some 20 MB, where the indented
    document of ``json.dumps`` held five times that."""
    return layers_json(diff_dict(d, changed_only, json.dumps))


def _side(report: Report) -> dict[str, Any]:
    spec = report.spec
    return {
        "name": spec.name,
        "title": spec.title,
        "file": spec.file,
        "input": str(report.input),
        "ok": report.ok,
    }


def _row(row: Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "name": row.name,
        "type": row.type,
        "hyper": row.hyper,
        "output": str(row.output),
        "weights": row.weights,
        "biases": row.biases,
        "params": row.params,
        "macs": row.macs,
        "activations": row.activations,
        "rf": rf_dict(row.rf),
    }


def _totals(t: Totals) -> dict[str, int]:
    return {key: int(getattr(t, key)) for key in COUNTS}


def diff_problems(d: Diff) -> str:
    """What ``diff`` writes to standard error: each side's problems (notes left out) and, where a
    window does not fit, the sizes that do."""
    text = ""
    for side, report in (("A", d.a), ("B", d.b)):
        problems = tuple(x for x in report.diagnostics if x.severity is not Severity.NOTE)
        if not problems:
            continue
        text += f"{side} ({report.spec.name} at {report.input}):\n"
        text += diagnostics_text(problems, report.sources)
        found = report.exploration()
        if found is not None:
            text += exploration_text(found, report.spec.name)
    return text
