"""Capture what every command prints, to prove a refactoring changed no output.

Runs ``show`` for every built-in in every format (with and without ``--depth`` and ``--rf``),
``check``, ``list``, ``diff``, ``schema`` and the arithmetic commands through click's runner, and
writes each command's exit code, stdout and stderr to one file per command under OUT. Compare two
captures with ``diff -r BEFORE AFTER``::

    python scripts/capture_outputs.py /tmp/before   # on the old code
    python scripts/capture_outputs.py /tmp/after    # on the new code
    diff -r /tmp/before /tmp/after && echo unchanged
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from click.testing import CliRunner

from cnncalc.cli import cli
from cnncalc.library import builtin_names

ROOT = Path(__file__).resolve().parent.parent


def commands() -> list[list[str]]:
    """Every command line captured."""
    runs: list[list[str]] = []
    for name in builtin_names():
        for fmt in ("table", "json", "csv", "markdown"):
            runs.append(["show", name, "--format", fmt])
            runs.append(["show", name, "--format", fmt, "--depth", "0"])
            runs.append(["show", name, "--format", fmt, "--depth", "1"])
            runs.append(["show", name, "--format", fmt, "--rf"])
    bad = str(ROOT / "docs" / "examples" / "bad_alexnet.yaml")
    runs += [
        ["show", "alexnet", "--input", "224x224x3"],
        ["show", "resnet50", "--set", "v1=1", "--format", "json"],
        ["show", "resnet50", "--set", "nope=1"],
        ["show", bad],
        ["show", "no_such_net"],
        ["list"],
        ["list", "--format", "json"],
        ["list", "--format", "markdown"],
        ["schema"],
        ["diff", "alexnet", "zfnet"],
        ["diff", "alexnet_nopad", "zfnet_cs231n", "--changed"],
        ["diff", "vgg16", "vgg16", "--input-b", "320x320x3"],
        ["diff", "resnet50", "resnet101", "--depth", "1", "--format", "json"],
        ["diff", "alexnet", bad],
        ["conv", "32x32x3", "--filters", "10", "--kernel", "5", "--stride", "1", "--pad", "2"],
        ["conv", "7x7x1", "--filters", "1", "--kernel", "3", "--stride", "3"],
        ["conv", "7x7x1", "--filters", "1", "--kernel", "3", "--stride", "3", "--format", "json"],
        ["conv", "56x56x64", "--filters", "64", "--kernel", "3", "--pad", "same", "--groups", "32"],
        [
            "conv",
            "74x74x128",
            "--filters",
            "256",
            "--kernel",
            "1",
            "--stride",
            "2",
            "--pad",
            "same",
        ],
        ["pool", "55x55x96", "--kernel", "3", "--stride", "2"],
        ["pool", "112x112x64", "--kernel", "3", "--stride", "2", "--pad", "1", "--type", "avg"],
        ["fc", "7x7x512", "--units", "4096"],
        ["fc", "4096", "--units", "1000", "--format", "json"],
        ["pad", "--input", "32", "--kernel", "5", "--stride", "2"],
        ["pad", "--input", "7", "--kernel", "3", "--stride", "3"],
        ["pad", "--input", "32", "--kernel", "5", "--output", "32"],
        ["pad", "--input", "224", "--kernel", "7", "--stride", "2", "--same"],
        ["pad", "--input", "64", "--kernel", "3", "--dilation", "2", "--same", "--format", "json"],
    ]
    for fmt in ("text", "json", "github"):
        runs.append(["check", str(ROOT / "architectures"), "--format", fmt])
        runs.append(["check", bad, "--format", fmt])
        runs.append(["check", str(ROOT / "tests" / "hostile"), "--format", fmt])
        runs.append(
            ["check", str(ROOT / "architectures" / "alexnet.yaml"), "--strict", "--format", fmt]
        )
    return runs


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    runner = CliRunner()
    for args in commands():
        result = runner.invoke(cli, args, catch_exceptions=False)
        key = hashlib.sha1(" ".join(args).encode()).hexdigest()[:12]
        text = f"$ cnncalc {' '.join(args)}\nexit {result.exit_code}\n--- stdout\n{result.stdout}"
        text += f"--- stderr\n{result.stderr}"
        (out / f"{args[0]}-{key}.txt").write_text(text)
    print(f"{len(commands())} commands captured in {out}")


if __name__ == "__main__":
    main()
