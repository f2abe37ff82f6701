"""The spec expression language: arithmetic, functions, and refusals."""

from __future__ import annotations

import re

import pytest

from cnncalc.errors import Problem
from cnncalc.expr import evaluate, make_divisible


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("filters * 4", 256),
        ("channels // 2", 48),
        ("2 if project else 1", 2),
        ("1 if not project else 3", 3),
        ("-(filters - 70) ** 2", -36),
        ("(filters + 2) % 5", 1),
        ("min(filters, channels) + max(1, 2)", 66),
        ("ceil(3 * 1.1)", 4),
        ("make_divisible(32 * 1.4, 8)", 48),
        ("filters >= 64 and channels < 100", 1),
        ("0 or 7", 7),
    ],
)
def test_evaluates(text: str, expected: int) -> None:
    assert evaluate(text, {"filters": 64, "channels": 96, "project": 1}) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(32, 32), (32 * 1.1, 32), (16 * 1.2, 24), (24 * 1.2, 32), (40 * 1.8, 72), (3, 8)],
)
def test_make_divisible_is_torchvisions(value: float, expected: int) -> None:
    assert make_divisible(value, 8) == expected


@pytest.mark.parametrize(
    ("text", "code", "message", "hint"),
    [
        ("widht * 2", "E107", "unknown name 'widht'", "did you mean 'width'?"),
        (
            "__import__(1)",
            "E107",
            "unknown function '__import__'",
            "functions: min, max, ceil, floor, round, int, make_divisible",
        ),
        (
            "width +",
            "E106",
            "expected a value but found the end in 'width +'",
            "check the expression's syntax",
        ),
        (
            "width ; 2",
            "E106",
            "unexpected character ';' in 'width ; 2'",
            "expressions use numbers, names, + - * / // % ** ( ) and if/else",
        ),
        ("10 ** 100", "E007", "power too large in an expression", "use smaller numbers"),
        ("width / 0", "E104", "division by zero in an expression", "check the divisor"),
        (
            "(" * 40 + "1" + ")" * 40,
            "E007",
            "expression nested deeper than 24 levels",
            "simplify it, or split it with params",
        ),
        ("1" * 400, "E007", "expression longer than 300 characters", "split it with params"),
        ("9" * 20, "E007", "expression value exceeds 1e+15", "use smaller numbers"),
    ],
)
def test_refuses(text: str, code: str, message: str, hint: str) -> None:
    with pytest.raises(Problem, match=f"^{re.escape(message)}$") as caught:
        evaluate(text, {"width": 4})
    assert (caught.value.code, caught.value.message, caught.value.hint) == (code, message, hint)
