"""Colour for ``check``'s text on a terminal: errors red, warnings yellow, notes dim, the
``file:line:col`` of each problem bold, a failed spec's verdict red. ANSI escapes written here,
no rendering library, so ``check`` stays light (tests/test_performance_guards.py).

When to colour is one rule (:func:`use_colour`): ``--color always`` or ``never`` as said; ``auto``
colours a terminal unless ``NO_COLOR`` is set (https://no-color.org), which then removes every
style, bold and italic included, in the tables too (:func:`cnncalc.render.table.console`).

Styles are added to lines already made safe for a terminal (:func:`cnncalc.render.escape.terminal`
shows every escape character of user text as ``\\x1b``), so the only escapes sent are these.
"""

from __future__ import annotations

import os
import re
from enum import Enum
from typing import TextIO

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_SEVERITY = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "note": _DIM}

#: The first line of a diagnostic (:func:`cnncalc.render.diagnostics.diagnostic_text`).
_PROBLEM = re.compile(
    r"^(?P<at>.*?:\d+:\d+): (?P<code>[A-Z]\d{3}) \[(?P<level>error|warning|note)\]"
)


class Colour(str, Enum):
    """``--color``."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def use_colour(choice: Colour, stream: TextIO) -> bool:
    """Whether to style what goes to ``stream``."""
    if choice is not Colour.AUTO:
        return choice is Colour.ALWAYS
    return "NO_COLOR" not in os.environ and stream.isatty()


def _line(line: str) -> str:
    found = _PROBLEM.match(line)
    if found is not None:
        level = found["level"]
        head = f"{_BOLD}{found['at']}{_RESET}: {_SEVERITY[level]}{found['code']} [{level}]{_RESET}"
        rest = line[found.end() :]
        return head + (f"{_DIM}{rest}{_RESET}" if level == "note" else rest)
    if line.startswith("FAIL "):
        return f"{_SEVERITY['error']}FAIL{_RESET} {line[5:]}"
    if line.startswith("  = hint:"):
        return f"{_DIM}{line}{_RESET}"
    return line


def paint(text: str) -> str:
    """``check``'s text with its styles."""
    return "\n".join(_line(line) for line in text.split("\n"))
