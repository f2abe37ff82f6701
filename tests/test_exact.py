"""Exact values and how they print (cnncalc/exact.py), and the input volume's one check."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnncalc.errors import Problem
from cnncalc.exact import exact, exact_text, ratio_text
from cnncalc.padding import padding_for_output
from cnncalc.shapes import Rounding, Shape, parse_volume, window_axis


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (16, "16"),
        (Fraction(33, 2), "16.5"),
        (Fraction(-1, 2), "-0.5"),
        (Fraction(217, 4), "54.25"),
        (Fraction(200001, 100000), "2.00001"),
        (Fraction(1, 5), "0.2"),
        (Fraction(1, 3), "1/3"),
        (Fraction(7, 3), "7/3"),
        (Fraction(2**23 + 1, 2**23), "8388609/8388608"),  # the decimal has 23 places: longer
        (Fraction(2 * 10**21 + 1, 2), "1000000000000000000000.5"),
        (Fraction(4, 2), "2"),
    ],
)
def test_exact_text(value: int | Fraction, text: str) -> None:
    assert exact_text(value) == text


@given(st.integers(-(10**30), 10**30), st.integers(-5000, 5000).filter(bool))
def test_ratio_text_is_exact_text_of_the_fraction(n: int, d: int) -> None:
    assert ratio_text(n, d) == exact_text(exact(Fraction(n, d)))


def test_whole_fractions_become_integers() -> None:
    assert type(exact(Fraction(6, 3))) is int
    assert exact(Fraction(1, 3)) == Fraction(1, 3)


@pytest.mark.parametrize(
    ("n", "k", "s", "shown"),
    [
        (224, 11, 4, "(224 - 11 + 2·0)/4 + 1 = 54.25"),
        (7, 3, 3, "(7 - 3 + 2·0)/3 + 1 = 7/3"),
        (100002, 1, 100000, "(100002 - 1 + 2·0)/100000 + 1 = 2.00001"),
    ],
    ids=["alexnet-224", "thirds", "never-rounded-to-2"],
)
def test_axis_arithmetic_is_exact(n: int, k: int, s: int, shown: str) -> None:
    assert window_axis(n, k, s, 1, 0, 0, Rounding.FLOOR).arithmetic() == shown


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("224x224x3", Shape(224, 224, 3)),
        (" 8 X 8 × 3 ", Shape(8, 8, 3)),
        ("064x1x1", Shape(64, 1, 1)),
    ],
)
def test_parse_volume(text: str, shape: Shape) -> None:
    assert parse_volume(text) == shape


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("৪x৪x3", "E108", "'৪x৪x3' is not a volume"),  # a Bengali four: Python's int() reads it
        ("２２４x２２４x3", "E108", "'２２４x２２４x3' is not a volume"),  # fullwidth digits
        ("0x8x3", "E108", "input 0x8x3 has a zero dimension"),
        ("1000001x1x1", "E007", "input 1000001x1x1 is beyond the limit of 1,000,000 per dimension"),
        ("9" * 5000 + "x1x1", "E007", "is beyond the limit of 1,000,000 per dimension"),
    ],
    ids=["bengali", "fullwidth", "zero", "over-the-cap", "5000-digits"],
)
def test_parse_volume_refuses(text: str, code: str, message: str) -> None:
    with pytest.raises(Problem, match=r"volume|dimension") as caught:
        parse_volume(text)
    assert caught.value.code == code
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("n", "k", "s", "shown"),
    [
        (10, 3, 3, "(10 - 3)/3 + 1 = 10/3 (floored: 3)"),
        (100002, 1, 100000, "(100002 - 1)/100000 + 1 = 2.00001 (floored: 2)"),
    ],
)
def test_the_padding_solver_shows_the_exact_unpadded_output(
    n: int, k: int, s: int, shown: str
) -> None:
    with pytest.raises(Problem, match="no padding gives 1") as caught:
        padding_for_output(n, k, s, 1, 1)
    assert caught.value.message.endswith(shown)


def test_real_text_keeps_every_digit() -> None:
    """A user's real (dropout p, a slope, a scale) is printed as written, never rounded by :g."""
    from cnncalc.exact import real_text

    assert real_text(0.1234567) == "0.1234567"
    assert real_text(1.0) == "1"
    assert real_text(0.01) == "0.01"
    assert real_text(1e308) == "1e+308"
