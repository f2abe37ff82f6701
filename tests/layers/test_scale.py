"""layer_scale: a learned gamma per channel (ConvNeXt)."""

from __future__ import annotations

from tests.helpers import network, single


def test_layer_scale_has_one_weight_per_channel() -> None:
    result = single("14x14x384", "layer_scale")
    assert (result.cost.weights, result.cost.biases, result.cost.macs) == (384, 0, 0)
    assert result.cost.ops == 14 * 14 * 384
    assert result.activations == 14 * 14 * 384


def test_convnext_block_params() -> None:
    # torchvision CNBlock(96): dw 7x7 (4,800), LayerNorm (192), Linear 96->384 (37,248),
    # Linear 384->96 (36,960), layer_scale (96) = 79,296
    branch = (
        "{dwconv: {kernel: 7, pad: 3}}, {ln: {eps: 1.0e-6}}, {conv: {filters: 384, kernel: 1}},"
        " gelu, {conv: {filters: 96, kernel: 1}}, layer_scale"
    )
    block = f"add: [[{branch}], []]"
    assert network("56x56x96", block).totals.params == 79_296
