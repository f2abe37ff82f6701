"""Regenerate the README's generated sections from the current code.

Each section sits between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` and is the real
output of a command; ``tests/test_readme.py`` fails when one is stale. Run:

    python scripts/update_readme.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"

#: Section name -> the cnncalc arguments whose output it shows, and how to fence it.
SECTIONS: dict[str, tuple[list[str], str]] = {
    "show-vgg16": (["show", "vgg16"], "text"),
    "show-resnet50-depth": (["show", "resnet50", "--depth", "1"], "text"),
    "check-bad": (["check", "docs/examples/bad_alexnet.yaml"], "text"),
    "list": (["list", "--format", "markdown"], ""),
}


def command_output(args: list[str]) -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=True, text=True, env=env, cwd=README.parent, check=False)
    text = done.stdout + done.stderr
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def render(name: str) -> str:
    args, fence = SECTIONS[name]
    output = command_output(args)
    if not fence:
        return output
    return f"```{fence}\n$ cnncalc {' '.join(args)}\n{output}```\n"


def updated(text: str) -> str:
    for name in SECTIONS:
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        text = pattern.sub(lambda m, n=name: m.group(1) + render(n) + m.group(2), text)
    return text


if __name__ == "__main__":
    README.write_text(updated(README.read_text()))
