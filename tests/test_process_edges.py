"""The edges of the process, through the real command: closed, full and broken streams, an ASCII
terminal, numbers beyond float range and non-ASCII digits on the command line, an empty PATH, a
folder tree deeper than the recursion limit. Each ends in a clear message and its documented exit
code (0 sound, 1 a spec error, 2 usage, 3 output not written), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

COMMAND = [sys.executable, "-m", "cnncalc"]
HUGE = str(10**400)


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, timeout=60, env=env, cwd=cwd, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_broken_pipe_keeps_the_verdict() -> None:
    """``| head -1``: a sound spec still exits 0, an unsound one 1; nothing on stderr about it."""
    for spec, verdict in (("resnet152", 0), ("alexnet", 1)):
        extra = ["--input", "224x224x3"] if spec == "alexnet" else []
        shell = f"{' '.join(COMMAND)} show {spec} {' '.join(extra)} | head -1"
        done = subprocess.run(
            ["bash", "-c", f"{shell}; exit ${{PIPESTATUS[0]}}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == verdict
        assert "BrokenPipe" not in done.stderr
        assert "Traceback" not in done.stderr


def test_closed_standard_streams() -> None:
    closed_out = subprocess.run(
        ["bash", "-c", f"{' '.join(COMMAND)} show vgg16 >&-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert closed_out.returncode == 0
    assert "Traceback" not in closed_out.stderr
    closed_in = subprocess.run(
        ["bash", "-c", f"{' '.join(COMMAND)} check - <&-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert closed_in.returncode == 1
    assert "E001 [error] standard input is closed" in closed_in.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_full_disk_is_reported() -> None:
    done = subprocess.run(
        ["bash", "-c", f"{' '.join(COMMAND)} show vgg16 >/dev/full"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 3
    assert done.stderr.endswith("cnncalc: cannot write standard output: No space left on device\n")


def test_ascii_terminal() -> None:
    done = run("show", "vgg16", env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0
    assert done.stdout.startswith("VGG-16 (configuration D) \\u2014 input 224x224x3\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "vgg16", "--batch", HUGE], "is not a whole number of at most 30 digits 0-9"),
        (["show", "vgg16", "--batch", "৪"], "'৪' is not a whole number"),
        (["show", "vgg16", "--depth", "１"], "'１' is not a whole number"),
        (["conv", "8x8x3", "--filters", "10000001", "--kernel", "3"], "is not between 1 and"),
        (["conv", "8x8x3", "--filters", "4", "--kernel", HUGE], "is not a size"),
        (["conv", "8x8x3", "--filters", "4", "--kernel", "3", "--pad", "৪"], "is not a padding"),
        (["conv", "8x8x3", "--filters", "4", "--kernel", "3", "--pad", HUGE], "is not a padding"),
        (["pad", "--input", "5", "--kernel", "3", "--output", HUGE], "is not a size"),
        (["fc", "²", "--units", "1"], "'²' is not a volume"),
        (["fc", "4", "--units", "৪"], "'৪' is not a whole number"),
        (["check", ""], "an empty PATH names no spec"),
    ],
)
def test_command_line_numbers_are_ascii_and_bounded(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr


def test_set_values_are_read_as_spec_values() -> None:
    """``--set`` reads its value as a spec's value is read: the same limits, located."""
    done = run("show", "resnet50", "--set", f"v1={HUGE}")
    assert done.returncode == 1
    assert done.stderr.startswith("<--set>:1:1: E007 [error] the number 1000")


def test_deep_folder_tree() -> None:
    """1,100 nested folders: deeper than Python's recursion limit; the spec at the bottom is
    found and checked. (Made and removed by the shell: pathlib and shutil recurse too.)"""
    with tempfile.TemporaryDirectory() as top:
        deep = "/".join(["d"] * 1100)
        made = subprocess.run(["mkdir", "-p", deep], cwd=top, check=False)
        if made.returncode:  # a file system that limits path length
            pytest.skip("cannot make so deep a tree here")
        subprocess.run(
            ["bash", "-c", f"printf 'input: 8x8x3\\nlayers: [relu]\\n' > {deep}/net.yaml"],
            cwd=top,
            check=True,
        )
        done = run("check", ".", cwd=Path(top))
        subprocess.run(["rm", "-rf", "d"], cwd=top, check=True)
    assert done.returncode == 0, done.stderr
    ok = "1 spec checked: 1 ok, 0 failed (0 errors, 0 warnings, 0 notes)\n"
    assert done.stdout.endswith(ok)
