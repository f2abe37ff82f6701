"""The padding solver: the seeds' cases, and on random windows, every padding it returns gives the
promised output while none it leaves out fits (checked against the engine's own window arithmetic).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnncalc.errors import Problem
from cnncalc.padding import (
    Fit,
    fitting_paddings,
    nearest_inputs,
    nearest_symmetric,
    padding_for_output,
    same_padding,
)
from cnncalc.shapes import Rounding, window_axis

sizes = st.integers(min_value=1, max_value=300)
kernels = st.integers(min_value=1, max_value=12)
strides = st.integers(min_value=1, max_value=8)
dilations = st.integers(min_value=1, max_value=4)


def engine_out(n: int, k: int, s: int, d: int, before: int, after: int) -> int | None:
    """The engine's exact output for this padding, or None when it does not fit."""
    if n + before + after < d * (k - 1) + 1:
        return None
    axis = window_axis(n, k, s, d, before, after, Rounding.EXACT)
    return axis.out if axis.exact else None


@pytest.mark.parametrize(
    ("n", "k", "s", "expected"),
    [
        (7, 3, 1, [Fit(0, 0, 5), Fit(0, 1, 6), Fit(1, 1, 7), Fit(1, 2, 8), Fit(2, 2, 9)]),
        (7, 3, 2, [Fit(0, 0, 3), Fit(1, 1, 4), Fit(2, 2, 5)]),
        (7, 3, 3, [Fit(1, 1, 3)]),  # seed 002: "with padding of 1x1: (7 - 3 + 2)/3 + 1 = 3"
        (
            32,
            5,
            2,
            [Fit(0, 1, 15), Fit(1, 2, 16), Fit(2, 3, 17), Fit(3, 4, 18)],
        ),  # F=5, S=2: only asymmetric
    ],
    ids=["7x7-3x3-s1", "7x7-3x3-s2", "7x7-3x3-s3-needs-pad-1", "32-5x5-s2-odd-only"],
)
def test_seed_cases(n: int, k: int, s: int, expected: list[Fit]) -> None:
    assert list(fitting_paddings(n, k, s)) == expected


def test_same_padding() -> None:
    assert same_padding(32, 5, 1) == Fit(2, 2, 32)  # the lectures' (F - 1)/2
    assert same_padding(32, 4, 1) == Fit(1, 2, 32)  # even kernel: the odd pixel after
    assert same_padding(224, 7, 2) == Fit(2, 3, 112)  # TensorFlow's stem conv on 224
    assert same_padding(32, 3, 1, d=2) == Fit(2, 2, 32)  # dilated: spans 5


def test_output_solver_and_its_refusal() -> None:
    assert padding_for_output(32, 5, 1, 1, 32) == Fit(2, 2, 32)
    assert padding_for_output(227, 11, 4, 1, 55) == Fit(0, 0, 55)
    with pytest.raises(
        Problem, match=r"no padding gives 4: .* \(32 - 5\)/2 \+ 1 = 14.5 \(floored: 14\)"
    ) as info:
        padding_for_output(32, 5, 2, 1, 4)
    assert "input of 11" in (info.value.hint or "")


def test_nearest_inputs_for_alexnet_conv1() -> None:
    assert nearest_inputs(224, 11, 4, 1, 0, 0) == (223, 227)
    assert nearest_inputs(227, 11, 4, 1, 0, 0) == (227,)


@given(sizes, kernels, strides, dilations, st.integers(min_value=0, max_value=40))
def test_every_returned_padding_fits_and_none_left_out_does(
    n: int, k: int, s: int, d: int, bound: int
) -> None:
    found = {fit.total: fit for fit in fitting_paddings(n, k, s, d, bound)}
    for total in range(bound + 1):
        before, after = total // 2, total - total // 2
        out = engine_out(n, k, s, d, before, after)
        if total in found:
            assert (found[total].before, found[total].after) == (before, after)
            assert out == found[total].out
        else:
            assert out is None


@given(sizes, kernels, strides, dilations, st.integers(min_value=1, max_value=400))
def test_output_solver_gives_the_output_or_proves_none_can(
    n: int, k: int, s: int, d: int, out: int
) -> None:
    try:
        fit = padding_for_output(n, k, s, d, out)
    except Problem:
        # Padding only adds: no total from 0 up gives exactly `out`.
        assert all(
            engine_out(n, k, s, d, t // 2, t - t // 2) != out
            for t in range(0, (out + 1) * s + d * k)
        )
        return
    assert engine_out(n, k, s, d, fit.before, fit.after) == out
    others = [t for t in range(0, fit.total + 3 * s) if t != fit.total]
    assert all(engine_out(n, k, s, d, t // 2, t - t // 2) != out for t in others)


@given(sizes, kernels, strides, dilations)
def test_same_padding_keeps_ceil_n_over_s(n: int, k: int, s: int, d: int) -> None:
    fit = same_padding(n, k, s, d)
    assert fit.out == -(-n // s)
    assert fit.after - fit.before in (0, 1)
    axis = window_axis(n, k, s, d, fit.before, fit.after, Rounding.FLOOR)
    assert axis.out == fit.out


@given(sizes, kernels, strides, dilations)
def test_nearest_inputs_fit_and_nothing_between_does(n: int, k: int, s: int, d: int) -> None:
    found = nearest_inputs(n, k, s, d, 0, 0)
    for m in found:
        assert engine_out(m, k, s, d, 0, 0) is not None
    if found and found[0] != n:
        assert all(engine_out(m, k, s, d, 0, 0) is None for m in range(found[0] + 1, found[-1]))


@given(sizes, kernels, strides, dilations, st.integers(min_value=0, max_value=20))
def test_nearest_symmetric_is_the_smallest_fitting_symmetric_padding(
    n: int, k: int, s: int, d: int, at_least: int
) -> None:
    fitting = [
        p for p in range(at_least, at_least + s + 1) if engine_out(n, k, s, d, p, p) is not None
    ]
    assert nearest_symmetric(n, k, s, d, at_least) == (fitting[0] if fitting else None)
