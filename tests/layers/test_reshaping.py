"""crop and reshape (``cnncalc/layers/reshaping.py``), worked by hand: a crop cuts its sides (to a
named layer's size, centred with the odd pixel after, or as given); a reshape keeps the element
count. Neither computes anything; a reshape is a view (no new memory)."""

from __future__ import annotations

import pytest

from cnncalc.receptive import receptive_fields
from tests.helpers import network
from tests.layers.cases import Case, Figures, Refusal

CASES = (
    Case(
        input="64x64x128",
        layer="crop: {sides: 4}",
        expected=Figures(
            output="56x56x128",  # U-Net: 64 - 4 - 4
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=401_408,  # 56*56*128
            hyper="p4",
        ),
    ),
    Case(
        input="10x12x2",
        layer="crop: {sides: [1, 2, 3, 4]}",
        expected=Figures(
            output="7x5x2",  # 10 - 1 - 2, 12 - 3 - 4
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=70,
            hyper="p1,2,3,4",
        ),
    ),
    Case(
        input="64x64x8",
        prelude=("conv: {filters: 8, kernel: 5, name: small}", "identity: {input: input}"),
        layer="crop: {to: small}",
        expected=Figures(
            output="60x60x8",  # small is (64 - 5)/1 + 1 = 60
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=28_800,
            hyper="to small",
        ),
    ),
    Case(
        input="1x1x8192",
        layer="reshape: [4, 4, 512]",
        expected=Figures(
            output="4x4x512",  # DCGAN's projection: 4*4*512 = 8192
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=0,  # a view
            hyper="to 4x4x512",
        ),
    ),
)

REFUSALS = (
    Refusal(
        input="1x1x8000",
        layer="reshape: [4, 4, 512]",
        code="E306",
        message="reshape1 on 1x1x8000: reshape to 4x4x512 needs 8,192 elements, got 8,000",
    ),
    Refusal(
        input="8x8x1",
        prelude=("zeropad: {pad: 2, name: big}", "identity: {input: input}"),
        layer="crop: {to: big}",
        code="E306",
        message="crop1 on 8x8x1, 12x12x1: crop to 12x12 ('big') needs an input at least that"
        " large, got 8x8",
    ),
    Refusal(
        input="8x8x1",
        layer="crop: {sides: [4, 4, 0, 0]}",
        code="E306",
        message="crop1 on 8x8x1: crop of 4+4 x 0+0 leaves nothing of 8x8",
    ),
    Refusal(
        input="8x8x1",
        layer="crop",
        code="E105",
        message="crop1 on 8x8x1: crop takes exactly one of to and sides",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()


@pytest.mark.parametrize("refusal", REFUSALS, ids=str)
def test_refusals(refusal: Refusal) -> None:
    refusal.check()


def test_a_centre_crop_cuts_the_odd_pixel_after() -> None:
    # 9x10 to 6x6: cut 3 rows, 1 before and 2 after; 4 columns, 2 and 2. The field of output 0
    # then starts 1 row and 2 columns into the input (a padding of -1 and -2), size 1.
    report = network(
        "9x10x1",
        "zeropad: {pad: [0, 0, 0, 0]}",
        "conv: {filters: 1, kernel: [4, 5], name: small}",
        "crop: {input: input, to: small}",
    )
    assert str(report.layers[-1].output) == "6x6x1"
    field = receptive_fields(report.graph, report.layers)["crop1"]
    assert (field.size, field.jump, field.padding) == ((1, 1), (1, 1), (-1, -2))


@pytest.mark.parametrize(
    ("volume", "layer", "hint"),
    [
        (
            "1x1x8000",
            "reshape: [4, 4, 512]",
            "the product h*w*c must equal the input's element count",
        ),
        (
            "1x3x4x512",
            "reshape: [1, 1, 1, 8192]",
            "the product d*h*w*c must equal the input's element count",
        ),  # C3D at 95 px
        ("10x3", "reshape: [4, 8]", "the product l*c must equal the input's element count"),
    ],
    ids=["image", "clip", "sequence"],
)
def test_count_hint_names_the_axes_of_the_rank(volume: str, layer: str, hint: str) -> None:
    report = network(volume, layer)
    assert [(d.code, d.hint) for d in report.diagnostics] == [("E306", hint)]
