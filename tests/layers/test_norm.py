"""batchnorm and lrn (``cnncalc/layers/norm.py``).

Batch norm follows PyTorch's ``BatchNorm2d(C)``: ``weight`` (C) and ``bias`` (C) are parameters,
``running_mean`` and ``running_var`` (C each) buffers; the scalar ``num_batches_tracked`` buffer is
not counted (a convention stated in norm.py and the README). With ``affine=False`` PyTorch keeps
the running buffers and has no parameters.
"""

from __future__ import annotations

import pytest

from tests.helpers import single
from tests.layers.cases import Case, Figures, Refusal

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
    Case(
        input="56x56x64",
        layer="groupnorm: 32",
        expected=Figures(
            output="56x56x64",
            weights=64,  # a scale per channel (PyTorch's GroupNorm: C, not groups)
            biases=64,
            buffers=0,  # statistics per image: nothing kept
            macs=0,
            ops=1_204_224,  # (4 + 2) x 56*56*64 = 6 x 200,704
            activations=200_704,
            hyper="g32",
        ),
    ),
    Case(
        input="8x8x6",
        layer="gn: {groups: 3, affine: false}",
        expected=Figures(
            output="8x8x6",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=1_536,  # 4 x 384
            activations=384,
            hyper="g3 no affine",
        ),
    ),
    Case(
        input="32x32x16",
        layer="instancenorm",
        expected=Figures(
            output="32x32x16",
            weights=0,  # PyTorch's InstanceNorm2d: affine=False by default
            biases=0,
            buffers=0,  # and no running statistics
            macs=0,
            ops=65_536,  # 4 x 16,384
            activations=16_384,
            hyper="",
        ),
    ),
    Case(
        input="32x32x16",
        layer="instancenorm: {affine: true, running_stats: true}",
        expected=Figures(
            output="32x32x16",
            weights=16,
            biases=16,
            buffers=32,  # running mean and variance, 16 each
            macs=0,
            ops=65_536,  # (2 + 2) x 16,384
            activations=16_384,
            hyper="affine running stats",
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()


REFUSALS = (
    Refusal(
        input="8x8x6",
        layer="groupnorm: 4",
        code="E303",
        message="gn1 on 8x8x6: groups=4 does not divide the 6 channels",
    ),
    Refusal(
        # PyTorch's InstanceNorm1d on (N, 16, 1): "Expected more than 1 spatial element"
        input="7x16",
        prelude=("gap",),
        layer="instancenorm",
        code="E306",
        message="in1 on 1x16: instancenorm needs more than one position to take statistics over,"
        " got 1x16",
    ),
)


@pytest.mark.parametrize("refusal", REFUSALS, ids=str)
def test_refusals(refusal: Refusal) -> None:
    refusal.check()


def test_running_statistics_normalise_a_single_position() -> None:
    # PyTorch's InstanceNorm3d(16, track_running_stats=True) in eval mode on (N, 16, 1, 1, 1)
    assert str(single("1x1x1x16", "instancenorm: {running_stats: true}").output) == "1x1x1x16"
