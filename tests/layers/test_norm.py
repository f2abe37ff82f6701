"""batchnorm and lrn (``cnncalc/layers/norm.py``).

Batch norm follows PyTorch's ``BatchNorm2d(C)``: ``weight`` (C) and ``bias`` (C) are parameters,
``running_mean`` and ``running_var`` (C each) buffers; the scalar ``num_batches_tracked`` buffer is
not counted (a convention stated in norm.py and the README). With ``affine=False`` PyTorch keeps
the running buffers and has no parameters.
"""

from __future__ import annotations

import pytest

from tests.layers.cases import Case, Figures

CASES = (
    Case(
        input="56x56x64",
        layer="batchnorm",
        expected=Figures(
            output="56x56x64",
            weights=64,  # scale, one per channel
            biases=64,  # shift, one per channel
            buffers=128,  # running mean and variance: 2*64
            macs=0,
            ops=401_408,  # 2 * 56*56*64 = 2 * 200,704: scale and shift
            activations=200_704,  # 56*56*64
            hyper="",
        ),
    ),
    Case(
        input="7x7x32",
        layer="bn: {affine: false}",
        expected=Figures(
            output="7x7x32",
            weights=0,
            biases=0,
            buffers=64,  # 2*32: the running statistics stay
            macs=0,
            ops=3136,  # 2 * 7*7*32 = 2 * 1,568
            activations=1568,
            hyper="no affine",
        ),
    ),
    Case(
        input="55x55x96",
        layer="lrn",
        expected=Figures(
            output="55x55x96",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=2_323_200,  # 55*55*96 * (5 + 3) = 290,400 * 8
            activations=290_400,  # 55*55*96
            hyper="size 5",
        ),
    ),
    Case(
        input="4x4x8",
        layer="lrn: {size: 3, alpha: 1.0e-3, beta: 0.5, k: 1.0}",
        expected=Figures(
            output="4x4x8",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=768,  # 4*4*8 * (3 + 3) = 128 * 6
            activations=128,
            hyper="size 3",
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()
