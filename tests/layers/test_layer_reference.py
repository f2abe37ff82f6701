"""The newer layer types against PyTorch: every record of ``tests/reference/layer_reference.json``
(written by ``scripts/make_layer_reference.py``, torch not needed here) gives the output volume,
weights, biases and buffers cnncalc must report for the layer, or says PyTorch refuses it, and then
cnncalc must refuse it too; and, for the layers that upsample, which input columns each output
column reads, which its receptive field must cover."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cnncalc.errors import Severity
from cnncalc.receptive import receptive_fields
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


@cache
def field_records() -> tuple[dict[str, Any], ...]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return tuple(data["fields"])


@pytest.mark.parametrize("record", field_records(), ids=_id)
def test_the_receptive_field_covers_what_pytorch_reads(record: dict[str, Any]) -> None:
    """Output column ``o``'s field is ``[o*j - P, o*j - P + r)`` in input columns: it holds every
    column PyTorch's gradient says ``o`` depends on. Where cnncalc's window is the least cover
    (nearest, pixel shuffle, undilated transposed convolutions), it is less than a pixel wider
    than the widest read: the slack of an anchor that may fall anywhere within a pixel. (A
    dilated kernel skips inputs; bilinear and bicubic taps may weigh 0, at scale 1 for one.)"""
    h, w, c = record["input"]
    report = network(f"{h}x{w}x{c}", *record["prelude"], record["item"], rounding="floor")
    name = report.layers[-1].node.name
    field = receptive_fields(report.graph, report.layers)[name]
    r, j, p = field.size[1], field.jump[1], field.padding[1]
    widest = 0
    for o, read in enumerate(record["reads"]):
        if read is None:
            continue
        first, last = read
        assert o * j - p <= first, (o, read)
        assert last + 1 <= o * j - p + r, (o, read)
        widest = max(widest, last + 1 - first)
    item = record["item"]
    if "bilinear" not in item and "bicubic" not in item and "dilation: 2" not in item:
        assert r - widest < 1
