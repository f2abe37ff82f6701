"""fc, flatten, dropout, activations, normalisation and merges."""

from __future__ import annotations

from tests.helpers import network, single


def test_fc_flattens_its_input_like_the_lectures() -> None:
    result = single("7x7x512", "fc: 4096")
    assert result.cost.weights == 102_760_448
    assert result.cost.biases == 4096
    assert result.cost.macs == 102_760_448
    assert str(result.output) == "1x1x4096"


def test_flatten_and_dropout_store_nothing() -> None:
    report = network("2x2x3", "flatten", "dropout: 0.5", "relu")
    assert [str(r.output) for r in report.layers] == ["1x1x12"] * 3
    assert [r.activations for r in report.layers] == [0, 0, 0]


def test_batchnorm_params_and_buffers() -> None:
    result = single("56x56x64", "batchnorm")
    assert (result.cost.weights, result.cost.biases, result.cost.buffers) == (64, 64, 128)
    assert result.activations == 56 * 56 * 64


def test_residual_add_and_mismatch() -> None:
    ok = network("8x8x4", "add: [[{conv: {filters: 4, kernel: 3, pad: 1}}], []]")
    assert str(ok.layers[-1].output) == "8x8x4"
    bad = network("8x8x4", "add: [[{conv: {filters: 8, kernel: 3, pad: 1}}], []]")
    (problem,) = bad.diagnostics
    assert problem.code == "E304"
    assert "8x8x8, 8x8x4" in problem.message


def test_concat_sums_channels() -> None:
    report = network(
        "8x8x4",
        "concat: [[{conv: {filters: 3, kernel: 1}}], [{conv: {filters: 5, kernel: 3, pad:"
        " 1}}], []]",
    )
    assert str(report.layers[-1].output) == "8x8x12"


def test_concat_needs_equal_spatial_size() -> None:
    (problem,) = network("8x8x4", "concat: [[{maxpool: 2}], []]").diagnostics
    assert problem.code == "E304"


def test_squeeze_excitation_mul_broadcasts() -> None:
    report = network("14x14x64", "mul: [[], [gap, {fc: 4}, relu, {fc: 64}, sigmoid]]")
    assert str(report.layers[-1].output) == "14x14x64"
    assert report.totals.params == 64 * 4 + 4 + 4 * 64 + 64
