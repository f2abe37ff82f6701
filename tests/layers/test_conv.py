"""Convolution formulas against the lectures' worked examples (seeds 000-003)."""

from __future__ import annotations

import pytest

from tests.helpers import network, single


@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        pytest.param("conv: {filters: 1, kernel: 3, stride: 1}", "5x5x1", id="7x7 3x3 s1 -> 5"),
        pytest.param("conv: {filters: 1, kernel: 3, stride: 2}", "3x3x1", id="7x7 3x3 s2 -> 3"),
        pytest.param(
            "conv: {filters: 1, kernel: 3, stride: 3, pad: 1}", "3x3x1", id="7x7 3x3 s3 p1 -> 3"
        ),
    ],
)
def test_seven_by_seven_input(layer: str, expected: str) -> None:
    assert str(single("7x7x1", layer).output) == expected


def test_stride_three_does_not_fit() -> None:
    report = network("7x7x1", "conv: {filters: 1, kernel: 3, stride: 3}")
    (problem,) = report.diagnostics
    assert problem.code == "E301"
    assert "(7 - 3 + 2·0)/3 + 1 = 7/3" in problem.message
    assert problem.hint is not None
    assert "pad 1" in problem.hint


def test_ten_5x5_filters_on_32x32x3() -> None:
    result = single("32x32x3", "conv: {filters: 10, kernel: 5, stride: 1, pad: 2}")
    assert str(result.output) == "32x32x10"
    assert (result.cost.weights, result.cost.biases) == (750, 10)
    assert result.cost.weights + result.cost.biases == 760


def test_alexnet_conv1() -> None:
    result = single("227x227x3", "conv: {filters: 96, kernel: 11, stride: 4}")
    assert str(result.output) == "55x55x96"
    assert result.cost.weights + result.cost.biases == 34_944
    assert result.cost.macs == 55 * 55 * 96 * 11 * 11 * 3


def test_alexnet_conv1_on_224_does_not_fit() -> None:
    (problem,) = network("224x224x3", "conv: {filters: 96, kernel: 11, stride: 4}").diagnostics
    assert "(224 - 11 + 2·0)/4 + 1 = 54.25" in problem.message


def test_floor_rounding_is_a_note() -> None:
    report = network(
        "224x224x3", "conv: {filters: 64, kernel: 11, stride: 4, pad: 2}", rounding="floor"
    )
    assert str(report.layers[0].output) == "55x55x64"
    assert [d.code for d in report.diagnostics] == ["N301"]


@pytest.mark.parametrize(
    ("layer", "weights", "output"),
    [
        pytest.param(
            "conv: {filters: 256, kernel: 5, pad: 2, groups: 2}",
            5 * 5 * 48 * 256,
            "27x27x256",
            id="alexnet conv2, two towers",
        ),
        pytest.param("dwconv: {kernel: 3, pad: 1}", 3 * 3 * 96, "27x27x96", id="depthwise"),
        pytest.param(
            "dwconv: {kernel: 3, pad: 1, multiplier: 2}",
            3 * 3 * 192,
            "27x27x192",
            id="depthwise x2",
        ),
        pytest.param(
            "conv: {filters: 8, kernel: 3, dilation: 2}",
            3 * 3 * 96 * 8,
            "23x23x8",
            id="dilated 3x3 spans 5",
        ),
        pytest.param(
            "conv: {filters: 8, kernel: [1, 7], pad: [0, 3]}",
            7 * 96 * 8,
            "27x27x8",
            id="1x7 factorised",
        ),
        pytest.param(
            "conv: {filters: 8, kernel: 3, stride: 2, pad: same}",
            3 * 3 * 96 * 8,
            "14x14x8",
            id="TF same: ceil(27/2)",
        ),
        pytest.param(
            "conv: {filters: 8, kernel: 2, pad: [0, 1, 0, 1]}",
            2 * 2 * 96 * 8,
            "27x27x8",
            id="asymmetric pad",
        ),
    ],
)
def test_conv_variants(layer: str, weights: int, output: str) -> None:
    result = single("27x27x96", layer)
    assert result.cost.weights == weights
    assert str(result.output) == output


def test_bias_off() -> None:
    result = single("8x8x4", "conv: {filters: 2, kernel: 1, bias: false}")
    assert (result.cost.weights, result.cost.biases, result.cost.ops) == (8, 0, 0)


def test_groups_must_divide_channels() -> None:
    (problem,) = network("8x8x6", "conv: {filters: 8, kernel: 1, groups: 4}").diagnostics
    assert problem.code == "E303"
    assert "does not divide the 6 input channels" in problem.message


def test_kernel_larger_than_input() -> None:
    (problem,) = network("4x4x1", "conv: {filters: 1, kernel: 5}").diagnostics
    assert problem.code == "E302"
    assert "kernel 5 is larger than the padded input 4" in problem.message
