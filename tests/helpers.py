"""Small builders shared by the tests: a one-layer network and its result."""

from __future__ import annotations

from cnncalc import analyze, loads
from cnncalc.api import Report
from cnncalc.infer import LayerResult


def network(input_volume: str, *layers: str, rounding: str = "exact") -> Report:
    """Analyze a sequential spec written as flow-style YAML layer items."""
    body = "\n".join(f"  - {layer}" for layer in layers)
    return analyze(
        loads(f"input: {input_volume}\nrounding: {rounding}\nlayers:\n{body}\n", "test.yaml")
    )


def single(input_volume: str, layer: str, rounding: str = "exact") -> LayerResult:
    """The result of one layer applied to ``input_volume``."""
    report = network(input_volume, layer, rounding=rounding)
    assert report.layers, report.diagnostics
    return report.layers[0]
