"""How the numbers of a row are written in every format: counts with thousands separators, SI
prefixes, bytes, receptive fields. No rendering library here, so the JSON and CSV paths stay light.
"""

from __future__ import annotations

from collections.abc import Callable

from cnncalc.exact import Exact, exact_text, half_text
from cnncalc.receptive import ExactPair, Field


def rf_text(rf: Field | None) -> tuple[str, str, str]:
    """Size, jump and start of a receptive field as printed: ``195``, ``32``, ``16``; an axis pair
    ``HxW`` when height and width differ; empty when the field is unknown."""
    if rf is None:
        return "", "", ""
    return _pair(rf.size, exact_text), _pair(rf.jump, exact_text), _pair(rf.twice_start, half_text)


def _pair(values: ExactPair, text: Callable[[Exact], str]) -> str:
    """Both axes printed exactly by ``text`` (16, 16.5, 1/3: cnncalc/exact.py), once if equal."""
    h, w = text(values[0]), text(values[1])
    return h if h == w else f"{h}x{w}"


def count(n: int) -> str:
    """``138,357,544``."""
    return f"{n:,}"


def human(n: float, unit: str = "") -> str:
    """``138.4 M``, ``15.47 G``: three significant digits or so, SI prefixes."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= factor:
            value = n / factor
            digits = 2 if value < 100 else 1
            return f"{value:.{digits}f} {prefix}{unit}"
    return f"{n:g} {unit}".rstrip()


def size(n_bytes: int) -> str:
    """Bytes in decimal units: ``553.4 MB``."""
    return human(n_bytes, "B") if n_bytes >= 1000 else f"{n_bytes} B"
