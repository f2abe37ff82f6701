"""``cnncalc graph --format svg``: DOT drawn by Graphviz's ``dot``, when it is installed. The one
place cnncalc runs a program: ``dot -Tsvg`` found on ``PATH``, a fixed argument list, no shell,
the DOT text on standard input (tests/test_no_eval.py allows this module alone)."""

from __future__ import annotations

import shutil
import subprocess

#: Seconds ``dot`` may take: a few thousand boxes lay out in well under that.
TIMEOUT = 120


class NoGraphviz(RuntimeError):
    """``dot`` is not installed, or failed."""


def render_svg(dot_text: str) -> str:
    """The SVG that ``dot -Tsvg`` draws of ``dot_text``."""
    program = shutil.which("dot")
    if program is None:
        raise NoGraphviz(
            "--format svg needs Graphviz's 'dot' on PATH (apt-get install graphviz, brew install"
            " graphviz); or write DOT with --format dot, or Mermaid with --format mermaid"
        )
    done = subprocess.run(
        [program, "-Tsvg"],
        input=dot_text,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise NoGraphviz(f"dot failed (exit {done.returncode}): {done.stderr.strip()[:500]}")
    return done.stdout
