"""Pooling formulas."""

from __future__ import annotations

import pytest

from tests.helpers import network, single


def test_alexnet_pool1() -> None:
    result = single("55x55x96", "maxpool: {kernel: 3, stride: 2}")
    assert str(result.output) == "27x27x96"
    assert (result.cost.weights, result.cost.biases, result.cost.macs) == (0, 0, 0)
    assert result.cost.ops == 27 * 27 * 96 * 8


def test_stride_defaults_to_kernel() -> None:
    assert str(single("224x224x64", "maxpool: 2").output) == "112x112x64"


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [("floor", "55x55x64"), ("ceil", "56x56x64")],
)
def test_declared_rounding(rounding: str, expected: str) -> None:
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


def test_exact_rounding_refuses_a_fraction() -> None:
    (problem,) = network("112x112x64", "maxpool: {kernel: 3, stride: 2}").diagnostics
    assert problem.code == "E301"


def test_global_and_adaptive() -> None:
    assert str(single("7x7x2048", "gap").output) == "1x1x2048"
    result = single("13x13x256", "adaptive_avgpool: 6")
    assert str(result.output) == "6x6x256"
    # windows of 3 cells each (start floor(13i/6), end ceil(13(i+1)/6)): 6*3 = 18 reads per axis
    assert result.cost.ops == 18 * 18 * 256


def test_avgpool_costs() -> None:
    assert single("4x4x1", "avgpool: 2").cost.ops == 2 * 2 * 4
