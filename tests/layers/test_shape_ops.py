"""zeropad and identity (``cnncalc/layers/shape_ops.py``): no parameters, no operations; padding
writes a new, larger tensor, the identity nothing."""

from __future__ import annotations

import pytest

from tests.layers.cases import Case, Figures

CASES = (
    Case(
        input="5x5x3",
        layer="zeropad: 1",
        expected=Figures(
            output="7x7x3",  # 5 + 1 + 1 per axis
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=147,  # 7*7*3
            hyper="p1",
        ),
    ),
    Case(
        input="5x5x3",
        layer="zeropad: [0, 1, 0, 1]",
        expected=Figures(
            output="6x6x3",  # 5 + 0 + 1 per axis (TensorFlow's odd pixel after)
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=108,  # 6*6*3
            hyper="p0,1,0,1",
        ),
    ),
    Case(
        input="5x5x3",
        layer="zeropad: valid",
        expected=Figures(
            output="5x5x3",  # 'valid' is no padding
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=75,  # 5*5*3
            hyper="valid",
        ),
    ),
    Case(
        input="5x5x3",
        layer="identity",
        expected=Figures(
            output="5x5x3",
            weights=0,
            biases=0,
            buffers=0,
            macs=0,
            ops=0,
            activations=0,
            hyper="",
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_figures(case: Case) -> None:
    case.check()
