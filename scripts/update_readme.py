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

#: Section name -> the cnncalc arguments whose output it shows, how to fence it, and whether to
#: show only what it writes to stderr (the diagnostics).
SECTIONS: dict[str, tuple[list[str], str, bool]] = {
    "show-vgg16": (["show", "vgg16"], "text", False),
    "show-resnet50-depth": (["show", "resnet50", "--depth", "1"], "text", False),
    "check-bad": (["check", "docs/examples/bad_alexnet.yaml"], "text", False),
    "show-alexnet-224": (["show", "alexnet", "--input", "224x224x3"], "text", True),
    "list": (["list", "--format", "markdown"], "", False),
}


def command_output(args: list[str], stderr_only: bool = False) -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=True, text=True, env=env, cwd=README.parent, check=False)
    text = done.stderr if stderr_only else done.stdout + done.stderr
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def render(name: str) -> str:
    args, fence, stderr_only = SECTIONS[name]
    output = command_output(args, stderr_only)
    if not fence:
        return output
    shown = " ".join(args) + (" >/dev/null" if stderr_only else "")
    return f"```{fence}\n$ cnncalc {shown}\n{output}```\n"


def updated(text: str) -> str:
    for name in SECTIONS:
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        text = pattern.sub(lambda m, n=name: m.group(1) + render(n) + m.group(2), text)
    return text


if __name__ == "__main__":
    README.write_text(updated(README.read_text()))
