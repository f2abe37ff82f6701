"""Convolutions against the lectures' worked examples (seeds 000-003) and the networks' layers:
``(W - F + 2P)/S + 1`` per axis with ``F = d(k-1) + 1``; ``kh*kw*C_in/g`` weights per filter; one
MAC per weight per output position; one bias add per output element."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnncalc.arithmetic import pad as pad_command
from cnncalc.shapes import same_axis
from tests.helpers import network
from tests.layers.cases import Case, Figures, Refusal

CASES = (
    Case(
        input="7x7x1",
        layer="conv: {filters: 1, kernel: 3, stride: 1}",
        expected=Figures(
            output="5x5x1",  # (7 - 3)/1 + 1 = 5
            weights=9,  # 3*3*1*1
            biases=1,
            buffers=0,
            macs=225,  # 5*5*1 * 9
            ops=25,  # 5*5*1 bias adds
            activations=25,
            hyper="3x3/1 p0",
        ),
    ),
    Case(
        input="7x7x1",
        layer="conv: {filters: 1, kernel: 3, stride: 2}",
        expected=Figures(
            output="3x3x1",  # (7 - 3)/2 + 1 = 3
            weights=9,
            biases=1,
            buffers=0,
            macs=81,  # 3*3 * 9
            ops=9,
            activations=9,
            hyper="3x3/2 p0",
        ),
    ),
    Case(
        input="7x7x1",
        layer="conv: {filters: 1, kernel: 3, stride: 3, pad: 1}",
        expected=Figures(
            output="3x3x1",  # (7 - 3 + 2)/3 + 1 = 3
            weights=9,
            biases=1,
            buffers=0,
            macs=81,
            ops=9,
            activations=9,
            hyper="3x3/3 p1",
        ),
    ),
    Case(
        input="32x32x3",
        layer="conv: {filters: 10, kernel: 5, stride: 1, pad: 2}",
        expected=Figures(
            output="32x32x10",  # (32 - 5 + 4)/1 + 1 = 32
            weights=750,  # 5*5*3 = 75 per filter, x 10
            biases=10,  # 76 params per filter, 760 in all
            buffers=0,
            macs=768_000,  # 32*32*10 * 75 = 10,240 * 75
            ops=10_240,
            activations=10_240,
            hyper="5x5/1 p2",
        ),
    ),
    Case(
        input="227x227x3",
        layer="conv: {filters: 96, kernel: 11, stride: 4}",
        expected=Figures(
            output="55x55x96",  # (227 - 11)/4 + 1 = 55 (AlexNet conv1)
            weights=34_848,  # 11*11*3 * 96 = 363 * 96
            biases=96,  # 34,944 params, the slide's "35K"
            buffers=0,
            macs=105_415_200,  # 55*55*96 * 363 = 290,400 * 363
            ops=290_400,
            activations=290_400,
            hyper="11x11/4 p0",
        ),
    ),
    Case(
        input="27x27x96",
        layer="conv: {filters: 256, kernel: 5, pad: 2, groups: 2}",
        expected=Figures(
            output="27x27x256",  # AlexNet conv2, two towers
            weights=307_200,  # 5*5*(96/2) * 256 = 1,200 * 256
            biases=256,
            buffers=0,
            macs=223_948_800,  # 27*27*256 * 1,200 = 186,624 * 1,200
            ops=186_624,
            activations=186_624,
            hyper="5x5/1 p2 g2",
        ),
    ),
    Case(
        input="112x112x64",
        layer="conv: {filters: 128, kernel: 3, pad: 1, bias: false}",
        expected=Figures(
            output="112x112x128",
            weights=73_728,  # 3*3*64*128
            biases=0,
            buffers=0,
            macs=924_844_032,  # 112*112*128 * 3*3*64 = 1,605,632 * 576 (VGG-16's stage2 conv)
            ops=0,  # no bias to add
            activations=1_605_632,
            hyper="3x3/1 p1 nobias",
        ),
    ),
    Case(
        input="27x27x96",
        layer="conv: {filters: 8, kernel: 3, dilation: 2}",
        expected=Figures(
            output="23x23x8",  # F = 2*(3 - 1) + 1 = 5: (27 - 5)/1 + 1 = 23
            weights=6912,  # 3*3*96*8: dilation spreads the taps, adds none
            biases=8,
            buffers=0,
            macs=3_656_448,  # 23*23*8 * 864 = 4,232 * 864
            ops=4232,
            activations=4232,
            hyper="3x3/1 p0 d2",
        ),
    ),
    Case(
        input="17x17x128",
        layer="conv: {filters: 128, kernel: [1, 7], pad: [0, 3]}",
        expected=Figures(
            output="17x17x128",  # height (17 - 1)/1 + 1, width (17 - 7 + 6)/1 + 1 (Inception v3)
            weights=114_688,  # 1*7*128 * 128 = 896 * 128
            biases=128,
            buffers=0,
            macs=33_144_832,  # 17*17*128 * 896 = 36,992 * 896
            ops=36_992,
            activations=36_992,
            hyper="1x7/1 p0x3",
        ),
    ),
    Case(
        input="27x27x96",
        layer="conv: {filters: 8, kernel: 3, stride: 2, pad: same}",
        expected=Figures(
            output="14x14x8",  # TensorFlow's same: ceil(27/2) = 14
            weights=6912,  # 3*3*96*8
            biases=8,
            buffers=0,
            macs=1_354_752,  # 14*14*8 * 864 = 1,568 * 864
            ops=1568,
            activations=1568,
            hyper="3x3/2 same",
        ),
    ),
    Case(
        input="224x224x3",
        layer="conv: {filters: 64, kernel: 11, stride: 4, pad: 2}",
        rounding="floor",
        expected=Figures(
            output="55x55x64",  # (224 - 11 + 4)/4 + 1 = 55.25, floored (torchvision's AlexNet)
            weights=23_232,  # 11*11*3*64 = 363 * 64
            biases=64,
            buffers=0,
            macs=70_276_800,  # 55*55*64 * 363 = 193,600 * 363
            ops=193_600,
            activations=193_600,
            hyper="11x11/4 p2",
            notes=("N301",),
        ),
    ),
    Case(
        input="112x112x32",
        layer="dwconv: {kernel: 3, pad: 1}",
        expected=Figures(
            output="112x112x32",  # MobileNet v1's first depthwise conv
            weights=288,  # 3*3*1 per filter, one filter per channel: 9 * 32
            biases=32,
            buffers=0,
            macs=3_612_672,  # 112*112*32 * 9 = 401,408 * 9
            ops=401_408,
            activations=401_408,
            hyper="3x3/1 p1 dw",
        ),
    ),
    Case(
        input="9x9x4",
        layer="dwconv: {kernel: 3, stride: 2, pad: 1, multiplier: 2, bias: false}",
        expected=Figures(
            output="5x5x8",  # (9 - 3 + 2)/2 + 1 = 5; 2 * 4 channels
            weights=72,  # 3*3*1 * 8 filters
            biases=0,
            buffers=0,
            macs=1800,  # 5*5*8 * 9 = 200 * 9
            ops=0,
            activations=200,
            hyper="3x3/2 p1 dwx2 nobias",
        ),
    ),
)

REFUSALS = (
    Refusal(
        input="7x7x1",
        layer="conv: {filters: 1, kernel: 3, stride: 3}",
        code="E301",
        message="conv1 on 7x7x1: does not fit: height and width (7 - 3 + 2·0)/3 + 1 = 7/3",
    ),
    Refusal(
        input="224x224x3",
        layer="conv: {filters: 96, kernel: 11, stride: 4}",
        code="E301",
        message="conv1 on 224x224x3: does not fit: height and width (224 - 11 + 2·0)/4 + 1 = 54.25",
    ),
    Refusal(
        input="4x4x1",
        layer="conv: {filters: 1, kernel: 5}",
        code="E302",
        message="conv1 on 4x4x1: kernel 5 is larger than the padded input 4",
    ),
    Refusal(
        input="8x8x6",
        layer="conv: {filters: 8, kernel: 1, groups: 4}",
        code="E303",
        message="conv1 on 8x8x6: groups=4 does not divide the 6 input channels",
    ),
    Refusal(
        input="8x8x8",
        layer="conv: {filters: 6, kernel: 1, groups: 4}",
        code="E303",
        message="conv1 on 8x8x8: groups=4 does not divide the 6 filters",
    ),
    Refusal(
        input="5x5x3",
        layer="dwconv: {kernel: 2, stride: 2}",
        code="E301",
        message="dwconv1 on 5x5x3: does not fit: height and width (5 - 2 + 2·0)/2 + 1 = 2.5",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()


@pytest.mark.parametrize("refusal", REFUSALS, ids=str)
def test_refusals(refusal: Refusal) -> None:
    refusal.check()


def test_the_hint_says_what_would_fit() -> None:
    (problem,) = network("7x7x1", "conv: {filters: 1, kernel: 3, stride: 3}").diagnostics
    # (6 - 3)/3 + 1 = 2, (9 - 3)/3 + 1 = 3, (7 - 3 + 2·1)/3 + 1 = 3: the nearest that fit
    assert problem.hint is not None
    assert problem.hint.startswith("height and width would fit with input 6 or 9, or pad 1; ")


def test_same_is_tensorflows_whatever_the_rounding() -> None:
    # Xception's 1x1/2 shortcut on 74x74: TensorFlow gives ceil(74/2) = 37 with no padding (the
    # last row and column unread), and nothing to round or note.
    for rounding in ("exact", "floor", "ceil"):
        report = network(
            "74x74x128", "conv: {filters: 256, kernel: 1, stride: 2, pad: same}", rounding=rounding
        )
        assert str(report.layers[-1].output) == "37x37x256"
        assert report.diagnostics == ()


@given(st.integers(1, 300), st.integers(1, 11), st.integers(1, 6), st.integers(1, 3))
def test_same_fits_and_says_so(n: int, k: int, s: int, d: int) -> None:
    # TensorFlow's conv_output_length for 'same': ceil(n/s); the worked arithmetic ends in it.
    axis = same_axis(n, k, s, d)
    assert axis.exact
    assert axis.out == -(-n // s)
    assert axis.arithmetic().split(" = ")[1].split(" ")[0] == str(axis.out)
    pad = pad_command(n, k, s, d, same=True)
    assert pad.ok
    assert pad.steps[-1].endswith(f"= {axis.out} ('same' floors: ceil({n}/{s}))") or (
        pad.steps[-1].endswith(f"= {axis.out}")
    )
