"""The layer types against PyTorch, on images and on 1-D and 3-D volumes: every record of
``tests/reference/layer_reference.json`` (written by ``scripts/make_layer_reference.py``, torch not
needed here) gives the output volume, weights, biases and buffers cnncalc must report for the
layer, or says PyTorch refuses it, and then cnncalc must refuse it too; and, for the layers that
upsample, which input positions each output position reads along an axis, which its receptive
field must cover."""

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


def _volume(record: dict[str, Any]) -> str:
    """The record's input as cnncalc writes a volume: ``5x8x4``, ``9x4``, ``3x4x5x4``."""
    return "x".join(map(str, record["input"]))


def _rank(record: dict[str, Any]) -> int:
    return len(record["input"]) - 1


def _id(record: dict[str, Any]) -> str:
    return f"{record['item']} on {_volume(record)}"


@pytest.mark.parametrize("record", records(), ids=_id)
def test_matches_pytorch(record: dict[str, Any]) -> None:
    report = network(_volume(record), *record["prelude"], record["item"], rounding="floor")
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    if "refused" in record:
        assert errors, f"PyTorch refuses it ({record['torch']}: {record['refused']})"
        return
    assert not errors, errors
    last = report.layers[-1]
    assert [*last.output.spatial, last.output.c] == record["output"]
    assert (last.cost.weights, last.cost.biases, last.cost.buffers) == (
        record["weights"],
        record["biases"],
        record["buffers"],
    )


#: Layer types measured on 1-D and 3-D volumes: on a grid of cases, and at least once.
VOLUME_GRIDS = (
    "conv",
    "conv_transpose",
    "upsample",
    "maxpool",
    "avgpool",
    "maxunpool",
    "adaptive_avgpool",
    "adaptive_maxpool",
)
VOLUME_KINDS = (
    *("dwconv", "gap", "global_maxpool", "batchnorm", "instancenorm", "groupnorm", "layernorm"),
    *("prelu", "crop", "zeropad", "flatten", "fc", "concat", "add", "dropout", "reshape"),
)


def test_reference_covers_the_grid() -> None:
    kinds = Counter((r["item"].split(":")[0], _rank(r)) for r in records())
    for kind in ("conv_transpose", "upsample", "pixel_shuffle", "pixel_unshuffle", "maxunpool"):
        assert kinds[kind, 2] >= 10, kind
    for kind in ("groupnorm", "instancenorm", "prelu", "elu", "selu", "mish", "reshape"):
        assert kinds[kind, 2] >= 1, kind
    for rank in (1, 3):
        for kind in VOLUME_GRIDS:
            assert kinds[kind, rank] >= 10, (kind, rank)
        for kind in VOLUME_KINDS:
            assert kinds[kind, rank] >= 1, (kind, rank)
    scales = {
        r["item"] for r in records() if "scale: 1.5" in r["item"] or "scale: 2.7" in r["item"]
    }
    assert scales, "fractional scale factors"
    modes = {(_rank(r), r["item"].split("mode: ")[-1].split(",")[0].rstrip("}")) for r in records()}
    assert {(1, "linear"), (3, "trilinear")} <= modes
    assert {_rank(r) for r in records() if "refused" in r} == {1, 2, 3}
    axes = {(_rank(r), r.get("axis")) for r in field_records()}
    assert {(1, 0), (3, 0), (3, 1), (3, 2)} <= axes


@cache
def field_records() -> tuple[dict[str, Any], ...]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return tuple(data["fields"])


def _axis(record: dict[str, Any]) -> int:
    """The spatial axis a field record reads along: its ``axis``, else the last (an image's
    width)."""
    axis: int = record.get("axis", _rank(record) - 1)
    return axis


def _field_id(record: dict[str, Any]) -> str:
    return f"{_id(record)} along axis {_axis(record)}"


@pytest.mark.parametrize("record", field_records(), ids=_field_id)
def test_the_receptive_field_covers_what_pytorch_reads(record: dict[str, Any]) -> None:
    """Output position ``o``'s field along the axis is ``[o*j - P, o*j - P + r)`` in input
    positions: it holds every position PyTorch's gradient says ``o`` depends on. Where cnncalc's
    window is the least cover (nearest, pixel shuffle, undilated transposed convolutions), it is
    less than a pixel wider than the widest read: the slack of an anchor that may fall anywhere
    within a pixel. (A dilated kernel skips inputs; linear, bilinear, bicubic and trilinear taps
    may weigh 0, at scale 1 for one.)"""
    report = network(_volume(record), *record["prelude"], record["item"], rounding="floor")
    name = report.layers[-1].node.name
    field = receptive_fields(report.graph, report.layers)[name]
    axis = _axis(record)
    r, j, p = field.size[axis], field.jump[axis], field.padding[axis]
    widest = 0
    for o, read in enumerate(record["reads"]):
        if read is None:
            continue
        first, last = read
        assert o * j - p <= first, (o, read)
        assert last + 1 <= o * j - p + r, (o, read)
        widest = max(widest, last + 1 - first)
    item = record["item"]
    if "linear" not in item and "bicubic" not in item and "dilation: 2" not in item:
        assert r - widest < 1
