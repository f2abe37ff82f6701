"""layer_scale: a learned gamma per channel (ConvNeXt)."""

from __future__ import annotations

import pytest

from tests.helpers import network
from tests.layers.cases import Case, Figures

CASES = (
    Case(
        input="14x14x384",
        layer="layer_scale",
        expected=Figures(
            output="14x14x384",
            weights=384,  # one gamma per channel
            biases=0,
            buffers=0,
            macs=0,
            ops=75_264,  # 14*14*384, one multiply each
            activations=75_264,  # gamma * x is a new tensor
            hyper="per channel",
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()


def test_convnext_block_params() -> None:
    # torchvision CNBlock(96): dw 7x7 (7*7*96 + 96 = 4,800), LayerNorm (2*96 = 192),
    # Linear 96->384 (96*384 + 384 = 37,248), Linear 384->96 (384*96 + 96 = 36,960),
    # layer_scale (96) = 79,296
    branch = (
        "{dwconv: {kernel: 7, pad: 3}}, {ln: {eps: 1.0e-6}}, {conv: {filters: 384, kernel: 1}},"
        " gelu, {conv: {filters: 96, kernel: 1}}, layer_scale"
    )
    block = f"add: [[{branch}], []]"
    assert network("56x56x96", block).totals.params == 79_296
