"""layernorm over channels (ConvNeXt)."""

from __future__ import annotations

from tests.helpers import single


def test_layernorm_learns_a_scale_and_shift_per_channel_and_keeps_no_buffers() -> None:
    result = single("56x56x96", "layernorm: {eps: 1.0e-6}")
    assert str(result.output) == "56x56x96"
    assert (result.cost.weights, result.cost.biases, result.cost.buffers) == (96, 96, 0)
    assert result.cost.ops == 6 * 56 * 56 * 96
    assert result.activations == 56 * 56 * 96


def test_layernorm_without_affine_has_no_parameters() -> None:
    result = single("7x7x768", "ln: {affine: false}")
    assert (result.cost.weights, result.cost.biases) == (0, 0)
    assert result.cost.ops == 4 * 7 * 7 * 768
