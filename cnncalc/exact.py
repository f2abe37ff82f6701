"""Exact rationals, and the one way they are printed.

Receptive-field starts are halves, a field after an upsampling layer has fractional jumps, and a
window that does not fit has a fractional output size: each is an :data:`Exact`, a Python ``int``
where the value is whole (the common case, and the fast one) and a :class:`fractions.Fraction`
otherwise. Nothing here rounds: :func:`exact_text` prints every digit there is.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # imported where a fraction is made: most networks never make one
    from fractions import Fraction

#: A value known exactly: an integer, or a fraction when it is not whole.
Exact: TypeAlias = "int | Fraction"


def exact(value: Fraction) -> Exact:
    """``value`` as an ``int`` when it is whole, so that later arithmetic stays on integers."""
    return value.numerator if value.denominator == 1 else value


def exact_text(value: Exact) -> str:
    """``16``, ``16.5``, ``54.25``, ``2.00001``, ``1/3``: an integer as itself; a fraction as a
    terminating decimal with all its digits when it has one (the denominator is ``2^a·5^b``) no
    longer than ``p/q``, else as ``p/q``. Never rounded: the text is exactly the value."""
    if isinstance(value, int):
        return str(value)
    return ratio_text(value.numerator, value.denominator)


def ratio_text(n: int, d: int) -> str:
    """:func:`exact_text` of ``n/d`` (``d`` nonzero), without making a Fraction: a window that
    does not fit prints its size so in every note."""
    common = math.gcd(n, d) * (-1 if d < 0 else 1)
    n, d = n // common, d // common
    if d == 1:
        return str(n)
    if d == 2:  # receptive-field starts: the common case, without the general search below
        return half_text(n)
    sign = "-" if n < 0 else ""
    twos = (d & -d).bit_length() - 1
    rest, fives = d >> twos, 0
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    fraction = f"{n}/{d}"
    if rest != 1:
        return fraction
    places = max(twos, fives)
    digits = str(abs(n) * 10**places // d).rjust(places + 1, "0")
    decimal = f"{sign}{digits[:-places]}.{digits[-places:]}"
    return decimal if len(decimal) <= len(fraction) else fraction


def half_text(twice: Exact) -> str:
    """:func:`exact_text` of ``twice / 2``, without making a Fraction when ``twice`` is an integer
    (a receptive field's start, printed on every row)."""
    if not isinstance(twice, int):
        return exact_text(exact(twice / 2))
    if twice % 2 == 0:
        return str(twice // 2)
    return f"{'-' if twice < 0 else ''}{abs(twice) // 2}.5"


def real_text(value: float) -> str:
    """A float as written, every digit kept: ``0.01``, ``1.5``, ``1`` for ``1.0``, ``1e+308``;
    never rounded as ``:g`` rounds (0.1234567 would read 0.123457)."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
