"""fc, flatten and dropout (``cnncalc/layers/dense.py``): fc flattens what it receives, as the
lectures do."""

from __future__ import annotations

import pytest

from tests.layers.cases import Case, Figures

CASES = (
    Case(
        input="7x7x512",
        layer="fc: 4096",
        expected=Figures(
            output="1x1x4096",
            weights=102_760_448,  # 7*7*512 * 4096 = 25,088 * 4,096 (VGG-16's fc6)
            biases=4096,
            buffers=0,
            macs=102_760_448,  # one per weight
            ops=4096,  # one bias add per output
            activations=4096,
            hyper="4096",
        ),
    ),
    Case(
        input="1x1x84",
        layer="linear: {units: 10, bias: false}",
        expected=Figures(
            output="1x1x10",
            weights=840,  # 84*10
            biases=0,
            buffers=0,
            macs=840,
            ops=0,
            activations=10,
            hyper="10 nobias",
        ),
    ),
    Case(
        input="2x2x3",
        layer="flatten",
        expected=Figures(
            output="1x1x12",  # 2*2*3
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=0,  # a view
            hyper="",
        ),
    ),
    Case(
        input="1x1x4096",
        layer="dropout",
        expected=Figures(
            output="1x1x4096",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,  # an identity at inference
            activations=0,
            hyper="p=0.5",
        ),
    ),
    Case(
        input="1x1x4096",
        layer="dropout: 0.2",
        expected=Figures(
            output="1x1x4096",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=0,
            hyper="p=0.2",
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()
