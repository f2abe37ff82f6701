"""Merges: add, concat and mul (``cnncalc/layers/merge.py``). ``add`` and ``mul`` cost ``n - 1``
operations per output element for ``n`` inputs, ``concat`` nothing; every merge stores its output.
"""

from __future__ import annotations

import pytest

from tests.helpers import network
from tests.layers.cases import Case, Figures, Refusal

CASES = (
    Case(
        input="8x8x4",
        layer="add: [[{conv: {filters: 4, kernel: 3, pad: 1}}], []]",
        expected=Figures(
            output="8x8x4",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=256,  # (2 - 1) * 8*8*4
            activations=256,  # 8*8*4
            hyper="",
        ),
    ),
    Case(
        input="8x8x4",
        layer="add: [[], [relu], [sigmoid]]",
        expected=Figures(
            output="8x8x4",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=512,  # (3 - 1) * 8*8*4 = 2 * 256
            activations=256,
            hyper="",
        ),
    ),
    Case(
        input="8x8x4",
        layer="concat: [[{conv: {filters: 3, kernel: 1}}], [{conv: {filters: 5, kernel: 3, pad:"
        " 1}}], []]",
        expected=Figures(
            output="8x8x12",  # 3 + 5 + 4 channels
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,  # a copy
            activations=768,  # 8*8*12
            hyper="",
        ),
    ),
    Case(
        input="14x14x64",
        layer="mul: [[], [gap, {fc: 4}, relu, {fc: 64}, sigmoid]]",
        expected=Figures(
            output="14x14x64",  # the 1x1x64 gate broadcast over 14x14
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=12_544,  # (2 - 1) * 14*14*64
            activations=12_544,
            hyper="",
        ),
    ),
    Case(
        input="4x4x8",
        layer="mul: [[], [{conv: {filters: 1, kernel: 1}}]]",
        expected=Figures(
            output="4x4x8",  # a 4x4x1 spatial gate broadcast over 8 channels
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=128,  # 4*4*8
            activations=128,
            hyper="",
        ),
    ),
)

REFUSALS = (
    Refusal(
        input="8x8x4",
        layer="add: [[{conv: {filters: 8, kernel: 3, pad: 1}}], []]",
        code="E304",
        message="add1 on 8x8x8, 8x8x4: add needs inputs of one shape, got 8x8x8, 8x8x4",
    ),
    Refusal(
        input="8x8x4",
        layer="concat: [[{maxpool: 2}], []]",
        code="E304",
        message="concat1 on 4x4x4, 8x8x4: concat needs inputs of one height and width, got"
        " 4x4x4, 8x8x4",
    ),
    Refusal(
        input="14x14x64",
        layer="mul: [[], [{conv: {filters: 32, kernel: 1}}]]",
        code="E304",
        message="mul1 on 14x14x64, 14x14x32: mul cannot broadcast 14x14x64, 14x14x32",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()


@pytest.mark.parametrize("refusal", REFUSALS, ids=str)
def test_refusals(refusal: Refusal) -> None:
    refusal.check()


def test_squeeze_excitation_params_are_the_gates() -> None:
    report = network("14x14x64", "mul: [[], [gap, {fc: 4}, relu, {fc: 64}, sigmoid]]")
    # fc 64->4: 64*4 + 4 = 260; fc 4->64: 4*64 + 64 = 320; the mul itself has none
    assert report.totals.params == 580
