"""NASNet-A Mobile against Cadene's pretrainedmodels port, the PyTorch implementation with
published weights (neither torchvision nor timm has the model). Figures recorded by
``scripts/make_nasnet_mobile_reference.py`` in ``tests/reference/nasnet_mobile_cadene.json``.

Parameters, buffers and every conv and fc layer agree, in execution order, except in one place
by construction: Cadene's strided separable branches in the second stem cell and the reduction
cells pad one extra row and column on top and left, convolve, then crop the first output row and
column (TensorFlow's 'same' padding emulated), so its hooks see an ``(n+1) x (n+1)`` output where
the network (and cnncalc, with ``pad: same``) has ``n x n``. Those MACs differ by exactly the
cropped positions; everything else is equal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cnncalc import analyze, load

REFERENCE = Path(__file__).parent / "reference" / "nasnet_mobile_cadene.json"


def _reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return data


def test_totals_match_cadene() -> None:
    ref = _reference()
    report = analyze(load("nasnet_a_mobile"))
    assert [report.input.h, report.input.w, report.input.c] == ref["input"]
    assert report.totals.params == ref["total_params"] == 5_289_978
    assert report.totals.buffers == ref["buffers"]
    assert [report.layers[-1].output.c] == ref["output"]


def test_every_conv_and_fc_matches_but_the_cropped_ones() -> None:
    ref = _reference()
    report = analyze(load("nasnet_a_mobile"))
    ours = [r for r in report.layers if r.node.layer.kind in ("conv", "dwconv", "fc")]
    assert len(ours) == len(ref["layers"])
    cropped_macs = 0
    cropped = []
    for mine, (name, shape, weights, biases, macs) in zip(ours, ref["layers"], strict=True):
        h, w, c = shape if len(shape) == 3 else (1, 1, shape[0])
        assert (mine.cost.weights, mine.cost.biases) == (weights, biases), name
        if (h, w, c) == (mine.output.h, mine.output.w, mine.output.c):
            assert mine.cost.macs == macs, name
            continue
        # a cropped conv: one extra row and column, the same MACs per output position
        assert (h, w, c) == (mine.output.h + 1, mine.output.w + 1, mine.output.c), name
        assert mine.cost.macs * h * w == macs * mine.output.h * mine.output.w, name
        cropped_macs += macs - mine.cost.macs
        cropped.append(name)
    assert all(".separable_1." in name for name in cropped)
    assert len(cropped) == 30  # 3 cells x 5 strided separable branches x (depthwise + pointwise)
    assert report.totals.macs == ref["macs"] - cropped_macs


def test_macs_are_the_papers_564_million() -> None:
    assert round(analyze(load("nasnet_a_mobile")).totals.macs / 1e6) == 564
