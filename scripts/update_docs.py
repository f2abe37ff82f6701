"""Regenerate the command output shown in README.md and docs/*.md from the current code.

Two kinds of generated text, both checked by ``tests/test_docs.py``:

- every fenced ``text`` block made of transcripts: a line ``$ cnncalc ARGS`` followed by what
  the command prints (stdout and stderr; only stderr when the line ends in ``> /dev/null``),
  transcripts separated by a blank line;
- sections between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` holding raw output (the
  README's architecture table).

Commands run from the repository root with ``NO_COLOR=1`` and ``COLUMNS=200``. Run:

    python scripts/update_docs.py
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Raw sections: name -> the cnncalc arguments whose output they hold.
SECTIONS: dict[str, list[str]] = {"list": ["list", "--format", "markdown"]}

_BLOCK = re.compile(r"(```text\n)(\$ cnncalc .*?)(```)", re.DOTALL)
_SILENT = ("> /dev/null", ">/dev/null")


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def command_output(args: list[str], stderr_only: bool = False) -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "cnncalc", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    text = done.stderr if stderr_only else done.stdout + done.stderr
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def transcript(command: str) -> str:
    """``$ cnncalc ...`` and what it prints now."""
    line = command.strip()
    silent = line.endswith(_SILENT)
    args = shlex.split(
        line.removeprefix("$ cnncalc").removesuffix(_SILENT[0]).removesuffix(_SILENT[1]),
        comments=True,
    )
    return f"{line}\n{command_output(args, stderr_only=silent)}"


def _block(match: re.Match[str]) -> str:
    commands = [line for line in match.group(2).splitlines() if line.startswith("$ cnncalc ")]
    return match.group(1) + "\n".join(transcript(c) for c in commands) + match.group(3)


def updated(text: str) -> str:
    text = _BLOCK.sub(_block, text)
    for name, args in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        text = pattern.sub(lambda m, a=args: m.group(1) + command_output(a) + m.group(2), text)
    return text


if __name__ == "__main__":
    for path in documents():
        path.write_text(updated(path.read_text()))
