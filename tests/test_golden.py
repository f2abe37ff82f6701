"""Golden files for every built-in architecture: totals and every layer's output volume.

A golden file is the engine's own output, reviewed when written (``pytest --update-goldens``)
and compared ever after; the invariants below need no golden file at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cnncalc import Severity, analyze, load
from cnncalc.api import Report
from cnncalc.library import builtin_names

GOLDEN = Path(__file__).parent / "golden"


def _golden(report: Report) -> dict[str, Any]:
    t = report.totals
    return {
        "input": str(report.input),
        "params": t.params,
        "weights": t.weights,
        "biases": t.biases,
        "buffers": t.buffers,
        "macs": t.macs,
        "ops": t.ops,
        "activations": t.activations,
        "layers": [f"{r.node.name} {r.output}" for r in report.layers],
    }


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_matches_golden(name: str, update_goldens: bool) -> None:
    report = analyze(load(name))
    actual = _golden(report)
    path = GOLDEN / f"{name}.json"
    if update_goldens or not path.exists():
        path.write_text(json.dumps(actual, indent=1) + "\n")
        if not update_goldens:
            pytest.fail(
                f"golden file {path.name} was missing and has been written: review and commit it"
            )
    assert actual == json.loads(path.read_text())


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_is_sound_and_totals_add_up(name: str) -> None:
    report = analyze(load(name))
    assert not [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert len(report.layers) == len(report.graph.nodes)
    t = report.totals
    assert t.params == sum(r.cost.weights + r.cost.biases for r in report.layers)
    assert t.activations == report.input.numel + sum(r.activations for r in report.layers)
    assert t.flops == 2 * t.macs
    assert report.spec.source, "every built-in cites its source"


def test_every_golden_has_a_builtin() -> None:
    stale = sorted({p.stem for p in GOLDEN.glob("*.json")} - set(builtin_names()))
    assert not stale, f"golden files without a built-in: {stale}"
