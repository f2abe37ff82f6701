"""Activations: the volume kept, one operation per element, in place (no new memory); softmax
three operations per element, its output stored (``cnncalc/layers/activation.py``)."""

from __future__ import annotations

import pytest

from tests.layers.cases import Case, Figures


def _in_place(kind: str, hyper: str = "") -> Case:
    """An element-wise activation on 6x6x10: 6*6*10 = 360 elements, one operation each, stored in
    place."""
    return Case(
        input="6x6x10",
        layer=kind,
        expected=Figures(
            output="6x6x10",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=360,  # 6*6*10 = 360, one each
            activations=0,  # in place
            hyper=hyper,
        ),
    )


CASES = (
    _in_place("relu"),
    _in_place("relu6"),
    _in_place("leaky_relu", "slope 0.01"),
    _in_place("leaky_relu: 0.2", "slope 0.2"),
    _in_place("tanh"),
    _in_place("sigmoid"),
    _in_place("gelu"),
    _in_place("silu"),
    _in_place("swish"),
    _in_place("hardswish"),
    _in_place("hardsigmoid"),
    Case(
        input="6x6x10",
        layer="softmax",
        expected=Figures(
            output="6x6x10",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=1080,  # 3 * 6*6*10 = 3 * 360: exponent, sum, divide
            activations=360,  # a new tensor: 6*6*10
            hyper="",
        ),
    ),
    Case(
        input="1x1x1000",
        layer="softmax",
        expected=Figures(
            output="1x1x1000",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=3000,  # 3 * 1000
            activations=1000,
            hyper="",
        ),
    ),
    Case(
        input="8x8x16",
        layer="prelu",
        expected=Figures(
            output="8x8x16",
            weights=1,  # PyTorch's PReLU(): one slope shared
            biases=0,
            buffers=0,
            macs=0,
            ops=1_024,
            activations=0,
            hyper="",
        ),
    ),
    Case(
        input="8x8x16",
        layer="prelu: {per_channel: true}",
        expected=Figures(
            output="8x8x16",
            weights=16,  # PReLU(16): a slope per channel
            biases=0,
            buffers=0,
            macs=0,
            ops=1_024,
            activations=0,
            hyper="per channel",
        ),
    ),
    Case(
        input="8x8x16",
        layer="elu: 0.5",
        expected=Figures(
            output="8x8x16",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=1_024,
            activations=0,
            hyper="alpha 0.5",
        ),
    ),
    Case(
        input="8x8x16",
        layer="selu",
        expected=Figures(
            output="8x8x16",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=1_024,
            activations=0,
            hyper="",
        ),
    ),
    Case(
        input="8x8x16",
        layer="mish",
        expected=Figures(
            output="8x8x16",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=1_024,
            activations=0,
            hyper="",
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()
