"""slice and channel_shuffle: ShuffleNet v2's channel split and shuffle."""

from __future__ import annotations

import pytest

from cnncalc import SpecError
from tests.helpers import network
from tests.layers.cases import Case, Figures, Refusal

CASES = (
    Case(
        input="28x28x116",
        layer="slice: {channels: 58, start: 58}",
        expected=Figures(
            output="28x28x58",  # channels 58 to 115
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=0,  # a view
            hyper="channels 58:116",
        ),
    ),
    Case(
        input="4x4x10",
        layer="slice: 3",
        expected=Figures(
            output="4x4x3",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=0,
            hyper="channels 0:3",  # start defaults to 0
        ),
    ),
    Case(
        input="28x28x116",
        layer="channel_shuffle: 2",
        expected=Figures(
            output="28x28x116",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=90_944,  # 28*28*116: the contiguous copy is new memory
            hyper="g2",
        ),
    ),
    Case(
        input="4x4x8",
        layer="shuffle: 4",
        expected=Figures(
            output="4x4x8",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=128,  # 4*4*8
            hyper="g4",
        ),
    ),
)

REFUSALS = (
    Refusal(
        input="4x4x10",
        layer="slice: {channels: 6, start: 5}",
        code="E306",
        message="slice1 on 4x4x10: slice needs at least 11 channels (start 5 + 6), got 4x4x10",
    ),
    Refusal(
        input="8x8x10",
        layer="channel_shuffle: 3",
        code="E303",
        message="shuffle1 on 8x8x10: groups=3 does not divide the 10 channels",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()


@pytest.mark.parametrize("refusal", REFUSALS, ids=str)
def test_refusals(refusal: Refusal) -> None:
    refusal.check()


def test_slice_start_may_be_zero_but_not_negative() -> None:
    assert str(network("4x4x10", "slice: {channels: 10, start: 0}").layers[0].output) == "4x4x10"
    with pytest.raises(SpecError, match=r"^test\.yaml:4:\d+: E104 ") as caught:
        network("4x4x10", "slice: {channels: 2, start: -1}")
    assert [d.code for d in caught.value.diagnostics] == ["E104"]


def test_shufflenet_split_unit_keeps_the_volume() -> None:
    report = network(
        "28x28x116",
        "concat: [[{slice: 58}], [{slice: {channels: 58, start: 58}}, {conv: {filters: 58, kernel:"
        " 1}}]]",
        "channel_shuffle: 2",
    )
    assert [str(r.output) for r in report.layers][-2:] == ["28x28x116", "28x28x116"]
