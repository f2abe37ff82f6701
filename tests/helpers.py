"""Small builders shared by the tests: a one-layer network and its result; the benchmark harness
as a module."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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


@functools.cache
def benchmark_module() -> ModuleType:
    """``benchmarks/run.py``, loaded from its path (it is a script, not a package module)."""
    spec = importlib.util.spec_from_file_location(
        "benchmark_run", Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module
