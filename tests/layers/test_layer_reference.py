"""The newer layer types against PyTorch: every record of ``tests/reference/layer_reference.json``
(written by ``scripts/make_layer_reference.py``, torch not needed here) gives the output volume,
weights, biases and buffers cnncalc must report for the layer, or says PyTorch refuses it, and then
cnncalc must refuse it too."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cnncalc.errors import Severity
from tests.helpers import network

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "layer_reference.json"


@cache
def records() -> tuple[dict[str, Any], ...]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return tuple(data["records"])


def _id(record: dict[str, Any]) -> str:
    h, w, c = record["input"]
    return f"{record['item']} on {h}x{w}x{c}"


@pytest.mark.parametrize("record", records(), ids=_id)
def test_matches_pytorch(record: dict[str, Any]) -> None:
    h, w, c = record["input"]
    report = network(f"{h}x{w}x{c}", *record["prelude"], record["item"], rounding="floor")
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    if "refused" in record:
        assert errors, f"PyTorch refuses it ({record['torch']}: {record['refused']})"
        return
    assert not errors, errors
    last = report.layers[-1]
    assert [last.output.h, last.output.w, last.output.c] == record["output"]
    assert (last.cost.weights, last.cost.biases, last.cost.buffers) == (
        record["weights"],
        record["biases"],
        record["buffers"],
    )


def test_reference_covers_the_grid() -> None:
    kinds = Counter(r["item"].split(":")[0] for r in records())
    for kind in ("conv_transpose", "upsample", "pixel_shuffle", "pixel_unshuffle", "maxunpool"):
        assert kinds[kind] >= 10, kind
    for kind in ("groupnorm", "instancenorm", "prelu", "elu", "selu", "mish", "reshape"):
        assert kinds[kind] >= 1, kind
    scales = {
        r["item"] for r in records() if "scale: 1.5" in r["item"] or "scale: 2.7" in r["item"]
    }
    assert scales, "fractional scale factors"
    assert any("refused" in r for r in records())
