"""Pooling (``cnncalc/layers/pool.py``): the conv arithmetic with the channels kept, the stride
defaulting to the kernel; ``kh*kw - 1`` comparisons per output for max, ``kh*kw`` operations for
average, one per input element read for global and adaptive average."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnncalc.errors import Problem
from cnncalc.shapes import Rounding, window_axis
from tests.helpers import network, single
from tests.layers.cases import Case, Figures, Refusal

CASES = (
    Case(
        input="55x55x96",
        layer="maxpool: {kernel: 3, stride: 2}",
        expected=Figures(
            output="27x27x96",  # (55 - 3)/2 + 1 = 27 (AlexNet's pool1)
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=559_872,  # 27*27*96 * (3*3 - 1) = 69,984 * 8
            activations=69_984,
            hyper="3x3/2 p0",
        ),
    ),
    Case(
        input="224x224x64",
        layer="maxpool: 2",
        expected=Figures(
            output="112x112x64",  # stride defaults to the kernel: (224 - 2)/2 + 1 = 112
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=2_408_448,  # 112*112*64 * (2*2 - 1) = 802,816 * 3
            activations=802_816,
            hyper="2x2/2 p0",
        ),
    ),
    Case(
        input="112x112x64",
        layer="maxpool: {kernel: 3, stride: 2}",
        rounding="floor",
        expected=Figures(
            output="55x55x64",  # (112 - 3)/2 + 1 = 55.5, floored
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=1_548_800,  # 55*55*64 * 8 = 193,600 * 8
            activations=193_600,
            hyper="3x3/2 p0",
            notes=("N301",),
        ),
    ),
    Case(
        input="4x4x1",
        layer="avgpool: 2",
        expected=Figures(
            output="2x2x1",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=16,  # 2*2*1 outputs * 2*2
            activations=4,
            hyper="2x2/2 p0",
        ),
    ),
    Case(
        input="8x8x16",
        layer="avgpool: {kernel: 3, stride: 1, pad: 1}",
        expected=Figures(
            output="8x8x16",  # (8 - 3 + 2)/1 + 1 = 8
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=9216,  # 8*8*16 * 3*3 = 1,024 * 9
            activations=1024,
            hyper="3x3/1 p1",
        ),
    ),
    Case(
        input="7x7x2048",
        layer="gap",
        expected=Figures(
            output="1x1x2048",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=100_352,  # 7*7*2048 input elements read
            activations=2048,
            hyper="global",
        ),
    ),
    Case(
        input="2x2x3",
        layer="global_avgpool",
        expected=Figures(
            output="1x1x3",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=12,  # 2*2*3
            activations=3,
            hyper="global",
        ),
    ),
    Case(
        input="13x13x256",
        layer="adaptive_avgpool: 6",
        expected=Figures(
            output="6x6x256",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            # window i spans [floor(13i/6), ceil(13(i+1)/6)): [0,3) [2,5) [4,7) [6,9) [8,11)
            # [10,13), 3 cells each, 6*3 = 18 per axis: 18*18*256 = 82,944
            ops=82_944,
            activations=9216,  # 6*6*256
            hyper="to 6",
        ),
    ),
    Case(
        input="7x7x512",
        layer="adaptive_avgpool: [7, 1]",
        expected=Figures(
            output="7x1x512",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=25_088,  # height windows of 1 cell (7 reads), one width window of 7: 7*7*512
            activations=3584,  # 7*1*512
            hyper="to 7x1",
        ),
    ),
    Case(
        input="56x300",  # a 56-word sentence of 300-d embeddings
        layer="global_maxpool",
        expected=Figures(
            output="1x300",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=16_500,  # 55 comparisons per channel: 55*300
            activations=300,
            hyper="global",
        ),
    ),
    Case(
        input="4x7x7x512",
        layer="gmp",
        expected=Figures(
            output="1x1x1x512",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=100_352 - 512,  # 4*7*7 = 196 positions, 195 comparisons per channel
            activations=512,
            hyper="global",
        ),
    ),
    Case(
        input="13x13x256",
        layer="adaptive_maxpool: 6",
        expected=Figures(
            output="6x6x256",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            # windows of 3x3 cells (as adaptive_avgpool above): 8 comparisons each,
            # 6*6*256 windows: 82,944 - 9,216
            ops=73_728,
            activations=9216,
            hyper="to 6",
        ),
    ),
    Case(
        input="16x112x112x64",
        layer="maxpool: {kernel: [1, 2, 2]}",  # C3D's pool1: time kept, space halved
        expected=Figures(
            output="16x56x56x64",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=9_633_792,  # 16*56*56*64 outputs, 1*2*2 - 1 = 3 comparisons each
            activations=3_211_264,
            hyper="1x2x2/1x2x2 p0",
        ),
    ),
    Case(
        input="8x7x7x512",
        layer="avgpool: {kernel: [2, 7, 7], stride: 1}",  # S3D's head
        expected=Figures(
            output="7x1x1x512",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=351_232,  # 7*1*1*512 outputs, 2*7*7 = 98 adds each
            activations=3584,
            hyper="2x7x7/1 p0",
        ),
    ),
    Case(
        input="2000x128",
        layer="maxpool: 4",  # M5's pools
        expected=Figures(
            output="500x128",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=192_000,  # 500*128 outputs, 3 comparisons each
            activations=64_000,
            hyper="4/4 p0",
        ),
    ),
    Case(
        input="8x14x14x832",
        layer="adaptive_avgpool: [1, 7, 7]",
        expected=Figures(
            output="1x7x7x832",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=1_304_576,  # one window of 8 in time, 14 = 7 windows of 2 per axis: 8*14*14*832
            activations=40_768,
            hyper="to 1x7x7",
        ),
    ),
)

REFUSALS = (
    Refusal(
        input="112x112x64",
        layer="maxpool: {kernel: 3, stride: 2}",
        code="E301",
        message="pool1 on 112x112x64: does not fit: height and width (112 - 3 + 2·0)/2 + 1 = 55.5",
    ),
    Refusal(
        input="4x4x1",
        layer="avgpool: 5",
        code="E302",
        message="pool1 on 4x4x1: kernel 5 is larger than the padded input 4",
    ),
    Refusal(
        input="16x112x112x64",
        layer="maxpool: {kernel: 3, stride: 2}",
        code="E301",
        # depth 7.5 and height and width 55.5: the first axis that misses is reported
        message="pool1 on 16x112x112x64: does not fit: depth (16 - 3 + 2·0)/2 + 1 = 7.5",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()


@pytest.mark.parametrize("refusal", REFUSALS, ids=str)
def test_refusals(refusal: Refusal) -> None:
    refusal.check()


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [("floor", "55x55x64"), ("ceil", "56x56x64")],
)
def test_declared_rounding(rounding: str, expected: str) -> None:
    # (112 - 3)/2 + 1 = 55.5
    assert (
        str(single("112x112x64", "maxpool: {kernel: 3, stride: 2}", rounding=rounding).output)
        == expected
    )


def test_ceil_drops_a_window_starting_in_the_padding() -> None:
    # PyTorch: MaxPool2d(2, 2, padding=1, ceil_mode=True) on 4x4 gives 3x3, not 4x4.
    assert (
        str(single("4x4x1", "maxpool: {kernel: 2, stride: 2, pad: 1}", rounding="ceil").output)
        == "3x3x1"
    )


def _aten_ceil_out(n: int, k: int, s: int, d: int, before: int, after: int) -> int:
    """ATen's ``pooling_output_shape_pad_lr`` with ``ceil_mode`` (aten/src/ATen/native/Pool.h),
    transcribed: ``div_rtn`` rounds towards minus infinity, as Python's ``//`` does."""
    out = (n + before + after - d * (k - 1) - 1 + (s - 1)) // s + 1
    if (out - 1) * s >= n + before:
        out -= 1
    return out


@given(
    st.integers(1, 12),
    st.integers(1, 9),
    st.integers(1, 5),
    st.integers(1, 3),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_ceil_is_atens_pooling_output_shape(
    n: int, k: int, s: int, d: int, before: int, after: int
) -> None:
    expected = _aten_ceil_out(n, k, s, d, before, after)
    if expected < 1:  # PyTorch refuses it too: "Output size is too small"
        with pytest.raises(Problem, match="larger than the padded input"):
            window_axis(n, k, s, d, before, after, Rounding.CEIL)
    else:
        assert window_axis(n, k, s, d, before, after, Rounding.CEIL).out == expected


def test_ceil_takes_a_kernel_up_to_s_minus_1_beyond_the_input() -> None:
    # PyTorch: MaxPool2d(3, 2, ceil_mode=True) on 2x2 gives 1x1 (GoogLeNet's pool3 at 15x15).
    assert str(single("2x2x1", "maxpool: {kernel: 3, stride: 2}", rounding="ceil").output) == (
        "1x1x1"
    )
    # floor((2 - 4 + 1)/2) + 1 = 0: refused, as PyTorch refuses it; floor refuses 3 already.
    assert [
        d.code
        for d in network("2x2x1", "maxpool: {kernel: 4, stride: 2}", rounding="ceil").diagnostics
    ] == ["E302"]
    assert [
        d.code
        for d in network("2x2x1", "maxpool: {kernel: 3, stride: 2}", rounding="floor").diagnostics
    ] == ["E302"]
