"""slice and channel_shuffle: ShuffleNet v2's channel split and shuffle."""

from __future__ import annotations

import pytest

from cnncalc import SpecError
from tests.helpers import network, single


def test_slice_takes_channels_from_start_as_a_view() -> None:
    result = single("28x28x116", "slice: {channels: 58, start: 58}")
    assert str(result.output) == "28x28x58"
    assert result.activations == 0
    assert result.cost.weights + result.cost.macs + result.cost.ops == 0
    assert result.node.layer.describe() == "channels 58:116"


def test_slice_starts_at_channel_zero_by_default() -> None:
    assert single("4x4x10", "slice: 3").node.layer.describe() == "channels 0:3"


def test_slice_past_the_last_channel_is_an_error() -> None:
    (problem,) = network("4x4x10", "slice: {channels: 6, start: 5}").diagnostics
    assert problem.code == "E306"
    assert "at least 11 channels" in problem.message


def test_slice_start_may_be_zero_but_not_negative() -> None:
    assert str(single("4x4x10", "slice: {channels: 10, start: 0}").output) == "4x4x10"
    with pytest.raises(SpecError) as caught:
        network("4x4x10", "slice: {channels: 2, start: -1}")
    assert caught.value.diagnostics[0].code == "E104"


def test_shufflenet_split_unit_keeps_the_volume() -> None:
    report = network(
        "28x28x116",
        "concat: [[{slice: 58}], [{slice: {channels: 58, start: 58}}, {conv: {filters: 58, kernel:"
        " 1}}]]",
        "channel_shuffle: 2",
    )
    assert [str(r.output) for r in report.layers][-2:] == ["28x28x116", "28x28x116"]
    shuffle = report.layers[-1]
    assert shuffle.activations == 28 * 28 * 116  # the contiguous copy is new memory
    assert shuffle.cost.ops == 0


def test_shuffle_groups_must_divide_the_channels() -> None:
    (problem,) = network("8x8x10", "channel_shuffle: 3").diagnostics
    assert problem.code == "E303"
