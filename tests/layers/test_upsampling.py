"""Layers that enlarge the map (``cnncalc/layers/upsampling.py``), worked by hand.

conv_transpose per axis: ``(n - 1)*S - 2P + D*(F - 1) + output_padding + 1``; weights
``C_in*(C_out/g)*kh*kw``; MACs per input position ``H_in*W_in*C_in*(C_out/g)*kh*kw``. upsample:
``floor(n*scale)``; ops per output element 0 (nearest), 4 (bilinear), 20 (bicubic).
pixel_shuffle ``HxWxCr^2 -> HrxWrxC``; maxunpool ``(n - 1)*S - 2P + F`` or the size of ``like``.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from cnncalc.errors import SpecError
from cnncalc.receptive import receptive_fields
from cnncalc.render.data import report_csv, report_json
from tests.helpers import network
from tests.layers.cases import Case, Figures, Refusal

UNPOOL_PRELUDE = ("identity: {name: before}", "maxpool: {kernel: 2, name: pool1}")
#: SegNet's encoder step: a conv, then the pool whose input size the unpooling restores.
SEGNET_PRELUDE = ("conv: {filters: 4, kernel: 3, pad: 1}", "maxpool: {kernel: 2, name: pool1}")

CASES = (
    Case(
        input="4x4x1024",
        layer="conv_transpose: {filters: 512, kernel: 4, stride: 2, pad: 1}",
        expected=Figures(
            output="8x8x512",  # (4 - 1)*2 - 2 + 3 + 1 = 8 (DCGAN's generator)
            weights=8_388_608,  # 1024 * 512 * 16
            biases=512,
            buffers=0,
            macs=134_217_728,  # 4*4*1024 input values x 512*16 weights each
            ops=32_768,  # 8*8*512 bias adds
            activations=32_768,
            hyper="4x4/2 p1",
        ),
    ),
    Case(
        input="28x28x1024",
        layer="deconv: {filters: 512, kernel: 2, stride: 2}",
        expected=Figures(
            output="56x56x512",  # 27*2 + 1 + 1 = 56 (U-Net's up-convolution)
            weights=2_097_152,  # 1024 * 512 * 4
            biases=512,
            buffers=0,
            macs=1_644_167_168,  # 784 * 1024 * 512 * 4
            ops=1_605_632,  # 56*56*512
            activations=1_605_632,
            hyper="2x2/2 p0",
        ),
    ),
    Case(
        input="5x5x4",
        layer="conv_transpose: {filters: 6, kernel: 3, stride: 2, pad: 1, output_padding: 1,"
        " groups: 2}",
        expected=Figures(
            output="10x10x6",  # 4*2 - 2 + 2 + 1 + 1 = 10
            weights=108,  # 4 * (6/2) * 9
            biases=6,
            buffers=0,
            macs=2_700,  # 25 * 4 * 3 * 9
            ops=600,
            activations=600,
            hyper="3x3/2 p1 op1 g2",
        ),
    ),
    Case(
        input="7x7x256",
        layer="upsample: 2",
        expected=Figures(
            output="14x14x256",  # FPN's top-down path
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,  # nearest copies
            activations=50_176,  # 14*14*256
            hyper="nearest x2",
        ),
    ),
    Case(
        input="5x7x2",
        layer="upsample: {scale: 1.5, mode: bilinear}",
        expected=Figures(
            output="7x10x2",  # floor(7.5) = 7, floor(10.5) = 10
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=560,  # 4 multiply-adds x 7*10*2
            activations=140,
            hyper="bilinear x1.5",
        ),
    ),
    Case(
        input="10x10x1",
        layer="upsample: {scale: 2.7, mode: bicubic}",
        expected=Figures(
            output="27x27x1",  # floor(10 * 2.7) = 27
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=14_580,  # 20 multiply-adds x 729
            activations=729,
            hyper="bicubic x2.7",
        ),
    ),
    Case(
        input="3x4x8",
        layer="upsample: {size: [12, 16], mode: bilinear, align_corners: true}",
        expected=Figures(
            output="12x16x8",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=6_144,  # 4 x 12*16*8
            activations=1_536,
            hyper="bilinear to 12x16 align_corners",
        ),
    ),
    Case(
        input="16x16x3",
        prelude=("conv: {filters: 4, kernel: 3, pad: 1, name: skip1}", "maxpool: 2"),
        layer="upsample: {like: skip1}",
        expected=Figures(
            output="16x16x4",  # 8x8 back to skip1's 16x16
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=1_024,
            hyper="nearest like skip1",
        ),
    ),
    Case(
        input="17x17x36",
        layer="pixel_shuffle: 3",
        expected=Figures(
            output="51x51x4",  # ESPCN: 36 = 4 * 3^2
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=10_404,  # 51*51*4
            hyper="x3",
        ),
    ),
    Case(
        input="26x26x64",
        layer="reorg: 2",
        expected=Figures(
            output="13x13x256",  # YOLOv2's passthrough: 64 * 2^2
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=43_264,  # 13*13*256
            hyper="/2",
        ),
    ),
    Case(
        input="6x4x3",
        layer="pixel_unshuffle: 2",
        expected=Figures(
            output="3x2x12",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=72,
            hyper="/2",
        ),
    ),
    Case(
        input="8x8x4",
        prelude=UNPOOL_PRELUDE,
        layer="maxunpool: {kernel: 2, indices: pool1}",
        expected=Figures(
            output="8x8x4",  # (4 - 1)*2 + 2 = 8
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=256,
            hyper="2x2/2 p0",
        ),
    ),
    Case(
        input="9x9x3",
        prelude=SEGNET_PRELUDE,
        layer="maxunpool: {kernel: 2, indices: pool1}",
        rounding="floor",
        expected=Figures(
            output="9x9x4",  # the pool floored 4.5 to 4; back to its input, conv1's 9x9
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=324,
            hyper="2x2/2 p0",
            notes=("N301",),
        ),
    ),
)

REFUSALS = (
    Refusal(
        input="5x5x4",
        layer="deconv: {filters: 6, kernel: 3, stride: 2, output_padding: 2}",
        code="E104",
        message="deconv1 on 5x5x4: output_padding 2 must be smaller than the stride 2 or the"
        " dilation 1",
    ),
    Refusal(
        input="1x1x4",
        layer="deconv: {filters: 6, kernel: 1, pad: 1}",
        code="E306",
        message="deconv1 on 1x1x4: conv_transpose gives -1x-1 on 1x1: an output below 1",
    ),
    Refusal(
        input="4x4x6",
        layer="deconv: {filters: 4, kernel: 2, groups: 4}",
        code="E303",
        message="deconv1 on 4x4x6: groups=4 does not divide the 6 input channels",
    ),
    Refusal(
        input="4x4x6",
        layer="upsample: {scale: 2, size: 8}",
        code="E103",
        message="upsample1 on 4x4x6: upsample takes exactly one of scale, size and like, got 2"
        " (scale, size)",
    ),
    Refusal(
        input="4x4x6",
        layer="upsample",
        code="E105",
        message="upsample1 on 4x4x6: upsample takes exactly one of scale, size and like, got 0",
    ),
    Refusal(
        input="4x4x6",
        layer="upsample: {scale: 2, align_corners: true}",
        code="E103",
        message="upsample1 on 4x4x6: align_corners only applies to bilinear and bicubic",
    ),
    Refusal(
        input="3x3x6",
        layer="upsample: 0.3",
        code="E306",
        message="upsample1 on 3x3x6: upsample by 0.3 gives 0x0 on 3x3: an output below 1",
    ),
    Refusal(
        input="4x4x6",
        layer="pixel_shuffle: 2",
        code="E306",
        message="pixel_shuffle1 on 4x4x6: pixel_shuffle by 2 needs channels divisible by 4, got 6",
    ),
    Refusal(
        input="5x6x3",
        layer="pixel_unshuffle: 2",
        code="E306",
        message="pixel_unshuffle1 on 5x6x3: pixel_unshuffle by 2 needs a height and width"
        " divisible by 2, got 5x6x3",
    ),
    Refusal(
        input="8x8x4",
        prelude=UNPOOL_PRELUDE,
        layer="maxunpool: {kernel: 2, indices: before}",
        code="E304",
        message="unpool1 on 4x4x4, 8x8x4, 8x8x4: maxunpool needs indices of its input's volume"
        " 4x4x4, got 8x8x4 from 'before'",
    ),
    Refusal(
        input="8x8x4",
        prelude=UNPOOL_PRELUDE,
        layer="maxunpool: {kernel: 3, indices: pool1}",
        code="E306",
        message="unpool1 on 4x4x4, 4x4x4, 8x8x4: maxunpool cannot restore 8x8, the input of"
        " 'pool1': from 4x4 PyTorch takes 10..14 x 10..14",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()


@pytest.mark.parametrize("refusal", REFUSALS, ids=str)
def test_refusals(refusal: Refusal) -> None:
    refusal.check()


def test_a_reference_follows_the_rules_of_input() -> None:
    with pytest.raises(SpecError, match="E202 'later' is used before it is defined"):
        network("8x8x1", "upsample: {like: later}", "identity: {name: later}")
    with pytest.raises(SpecError, match="E201 no layer named 'nowhere' here"):
        network("8x8x1", "upsample: {like: nowhere}")
    with pytest.raises(SpecError, match="E103 a layer reference must be a name, not the number 3"):
        network("8x8x1", "upsample: {like: 3}")


def _field(*layers: str) -> tuple[tuple[object, ...], ...]:
    report = network("16x16x1", *layers)
    field = receptive_fields(report.graph, report.layers)[report.layers[-1].node.name]
    return field.size, field.jump, field.padding


def test_transposed_and_upsampled_fields_by_hand() -> None:
    # Deconv 2x2/2 p0 (U-Net): output o reads input floor(o/2): its window is (F - 1)/s + 1 =
    # 3/2 pixels, 1/2 apart, starting (F - 1 - p)/s = 1/2 before the input, so o = 0 covers
    # [-1/2, 1) and o = 1 covers [0, 3/2): each holds the pixel read, [0, 1).
    half, three_halves = Fraction(1, 2), Fraction(3, 2)
    assert _field("deconv: {filters: 1, kernel: 2, stride: 2}") == (
        (three_halves, three_halves),
        (half, half),
        (half, half),
    )
    # Nearest x2 reads the same pixel, floor(o/2): the same window.
    assert _field("upsample: 2") == _field("deconv: {filters: 1, kernel: 2, stride: 2}")
    # A 2x2/2 conv after it: r = 3/2 + 1 * 1/2 = 2, j = 1/2 * 2 = 1, P = 1/2 + 0 = 1/2.
    assert _field("upsample: 2", "conv: {filters: 1, kernel: 2, stride: 2}") == (
        (2, 2),
        (1, 1),
        (half, half),
    )
    # Deconv 4x4/2 p1 (DCGAN): (4 - 1)/2 + 1 = 5/2 pixels, (4 - 1 - 1)/2 = 1 before.
    assert _field("deconv: {filters: 1, kernel: 4, stride: 2, pad: 1}") == (
        (Fraction(5, 2),) * 2,
        (half, half),
        (1, 1),
    )
    # Bilinear x2: a(o) = o/2 - 1/4, D = 4, slack 3/4: 2 + 3/4 pixels, 3/4 + 1/4 = 1 before.
    assert _field("upsample: {scale: 2, mode: bilinear}") == (
        (Fraction(11, 4),) * 2,
        (half, half),
        (1, 1),
    )


def test_a_size_reference_is_not_part_of_the_field() -> None:
    # 'like' names a 7x7 conv's output, but only its size is used: the field is the pool's, then
    # nearest x2's.
    small = _field("maxpool: 2", "upsample: 2")
    assert (
        _field(
            "conv: {filters: 1, kernel: 7, pad: 3, name: big}",
            "maxpool: {kernel: 2, input: input}",
            "upsample: {like: big}",
        )
        == small
    )


def test_fractional_fields_print_exactly_in_every_format() -> None:
    # conv 3x3 (r = 3), then U-Net's 2x2/2 up-convolution: r = 3 + 1/2 = 7/2, j = 1/2, P = 1/2,
    # start = 7/4 - 1/2 = 5/4.
    report = network(
        "16x16x1", "conv: {filters: 1, kernel: 3}", "deconv: {filters: 1, kernel: 2, stride: 2}"
    )
    row = json.loads(report_json(report))["layers"][-1]
    assert row["rf"]["size"] == [3.5, 3.5]
    assert row["rf"]["jump"] == [0.5, 0.5]
    assert row["rf"]["start"] == [1.25, 1.25]
    assert report_csv(report).splitlines()[-1].endswith(",3.5,0.5,5/4")  # the shorter exact form
