"""layernorm over channels (ConvNeXt; PyTorch ``LayerNorm(C)`` channels-last): C weights, C
biases, no buffers; 6 operations per element, 4 without the affine scale and shift."""

from __future__ import annotations

import pytest

from tests.layers.cases import Case, Figures

CASES = (
    Case(
        input="56x56x96",
        layer="layernorm: {eps: 1.0e-6}",
        expected=Figures(
            output="56x56x96",
            weights=96,
            biases=96,
            buffers=0,  # statistics are computed at inference: nothing running
            macs=0,
            ops=1_806_336,  # 6 * 56*56*96 = 6 * 301,056
            activations=301_056,
            hyper="over channels",
        ),
    ),
    Case(
        input="7x7x768",
        layer="ln: {affine: false}",
        expected=Figures(
            output="7x7x768",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=150_528,  # 4 * 7*7*768 = 4 * 37,632
            activations=37_632,
            hyper="over channels, no affine",
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()
