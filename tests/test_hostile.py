"""Hostile input: every broken or malicious spec gets one located error and exit 1, never a
traceback, within a bounded time and memory.

The corpus is data: each file under ``tests/hostile/`` states on its first line the first
diagnostic ``cnncalc check`` must report, ``# expect: CODE [FILE:]LINE:COL`` (FILE when the problem
is in another file, e.g. an ``extends`` loop). Files that cannot carry a comment (binary, empty,
UTF-16) are listed in ``tests/hostile/expectations.yaml``. A new case is a new file. Inputs that
cannot live in git (FIFOs, devices, symlink loops, unreadable or oversized files, stdin) are made
below at run time.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from cnncalc.cli import cli
from cnncalc.source import MAX_BYTES

HOSTILE = Path(__file__).parent / "hostile"
SIDECAR = HOSTILE / "expectations.yaml"
CASES = sorted(p for p in HOSTILE.iterdir() if p != SIDECAR)
#: Seconds a case may take through the runner: generous (the budget is about 2 s on a slow
#: machine, and most cases take milliseconds), so this catches a hang, not a slow CI runner.
TIME_BOUND = 5.0
#: Peak resident memory of one process checking the whole corpus.
MEMORY_BOUND_MB = 200
_EXPECT = re.compile(r"^(E\d{3}) (?:(\S+):)?(\d+):(\d+)$")


def expected(path: Path) -> tuple[str, str, int, int]:
    """(code, file name, line, col) of the first diagnostic ``path`` must produce."""
    first = path.read_bytes().split(b"\n", 1)[0].decode("ascii", errors="replace")
    text = (
        first.removeprefix("# expect: ")
        if first.startswith("# expect: ")
        else yaml.safe_load(SIDECAR.read_text())[path.name]
    )
    match = _EXPECT.match(text)
    assert match, f"{path.name}: bad expectation {text!r}"
    code, file, line, col = match.groups()
    return code, file or path.name, int(line), int(col)


def check(*args: str, stdin: str | bytes | None = None) -> tuple[Result, float]:
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["check", *args], input=stdin)
    return result, time.perf_counter() - start


def first_diagnostic(result: Result) -> dict[str, object]:
    """The first diagnostic of ``check --format json`` output, after the checks every case
    shares."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    diagnostics = json.loads(result.stdout)["specs"][0]["diagnostics"]
    assert diagnostics, result.stdout
    first: dict[str, object] = diagnostics[0]
    return first


def located(d: dict[str, object]) -> tuple[object, str, object, object]:
    return d["code"], Path(str(d["file"])).name, d["line"], d["col"]


def test_the_corpus_covers_every_family() -> None:
    codes = {expected(path)[0] for path in CASES}
    # not YAML, YAML features, values, limits, structure, references, blocks, geometry
    assert {
        "E002",
        "E003",
        "E004",
        "E005",
        "E006",
        "E007",
        "E101",
        "E102",
        "E103",
        "E104",
        "E105",
        "E106",
        "E107",
        "E108",
    } <= codes
    assert {"E201", "E202", "E203", "E204", "E205", "E301", "E302", "E303", "E304"} <= codes
    assert len(CASES) >= 100


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_hostile_file(path: Path) -> None:
    result, elapsed = check("--format", "json", str(path))
    assert located(first_diagnostic(result)) == expected(path)
    assert elapsed < TIME_BOUND


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_hostile_file_as_text(path: Path) -> None:
    """The plain report: greppable ``file:line:col: CODE [error]`` first, a FAIL line, no
    traceback."""
    code, file, line, col = expected(path)
    result, _ = check(str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(
        rf"^\S*{re.escape(file)}:{line}:{col}: {code} \[error\] ", result.stdout, re.MULTILINE
    ), result.stdout
    assert f"FAIL {path}" in result.stdout


def test_corpus_memory_and_time_in_one_process() -> None:
    """One real process checks the whole corpus: peak memory under the bound, nothing hangs."""
    script = (
        "import resource, sys\n"
        "from cnncalc.cli import main\n"
        "sys.argv = ['cnncalc', 'check', '--format', 'json', *sys.argv[1:]]\n"
        "try:\n    main()\n"
        "except SystemExit as exc:\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, exc.code, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, CASES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    peak_kb, code = done.stderr.split()[-2:]
    assert code == "1"
    assert int(peak_kb) < MEMORY_BOUND_MB * 1024
    assert len(json.loads(done.stdout)["specs"]) == len(CASES)


# -- inputs that are not plain files in the repository ---------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    result, _ = check("--format", "json", str(tmp_path / "nowhere.yaml"))
    d = first_diagnostic(result)
    assert located(d) == ("E001", "nowhere.yaml", 1, 1)
    assert d["message"] == "no such file"


def test_directory_with_no_specs(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a spec")
    result, _ = check("--format", "json", str(tmp_path))
    d = first_diagnostic(result)
    assert located(d) == ("E001", tmp_path.name, 1, 1)
    assert "holds no *.yaml" in str(d["message"])


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_unreadable_file() -> None:
    """A file without read permission. Root reads it anyway, so as root the check runs in a child
    process that drops to an unprivileged user after importing what checking needs (the
    interpreter's own files may be out of that user's reach)."""
    folder = Path(tempfile.mkdtemp())
    try:
        folder.chmod(0o711)  # others may reach the file, not list the folder
        spec = folder / "secret.yaml"
        spec.write_text("input: 8x8x3\nlayers: [relu]\n")
        spec.chmod(0)
        drop = (
            "import os; os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
            if os.geteuid() == 0
            else ""
        )
        preload = (
            "import cnncalc.checking, cnncalc.render.check, cnncalc.render.data,"
            " cnncalc.render.rows\n"
            "b''.decode('utf-8-sig')\n"
        )
        script = (
            f"from cnncalc.cli import main\n{preload}{drop}import sys; sys.argv = ['cnncalc',"
            f" 'check', '--format', 'json', {str(spec)!r}]; main()\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False
        )
    finally:
        shutil.rmtree(folder)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    d = json.loads(done.stdout)["specs"][0]["diagnostics"][0]
    assert located(d) == ("E001", "secret.yaml", 1, 1)
    assert d["message"] == "cannot read: Permission denied"


def test_directory_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "net.yaml").write_text("input: 8x8x3\nlayers: [relu]\n")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "deeper").mkdir()
    (tmp_path / "deeper" / "back").symlink_to(tmp_path, target_is_directory=True)
    result, elapsed = check("--format", "json", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert [Path(s["file"]).name for s in json.loads(result.stdout)["specs"]] == ["net.yaml"]
    assert elapsed < TIME_BOUND


def test_file_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    result, _ = check("--format", "json", str(tmp_path / "a.yaml"))
    d = first_diagnostic(result)
    assert located(d) == ("E001", "a.yaml", 1, 1)
    assert "symbolic links" in str(d["message"])


def _in_subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``cnncalc check`` in a real process with a timeout: a FIFO that were opened for reading
    would block forever, and that must fail this test, not hang it."""
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", "check", "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    done = _in_subprocess(str(fifo), str(tmp_path))  # given directly, and found while walking
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    for spec in json.loads(done.stdout)["specs"]:
        d = spec["diagnostics"][0]
        assert located(d) == ("E001", "pipe.yaml", 1, 1)
        assert "not a regular file" in d["message"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_device_is_never_read() -> None:
    done = _in_subprocess("/dev/zero", "/dev/null")
    assert done.returncode == 1
    assert [located(s["diagnostics"][0])[0] for s in json.loads(done.stdout)["specs"]] == [
        "E001",
        "E001",
    ]


def test_file_larger_than_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("w") as out:
        out.write("input: 8x8x3\nlayers: [relu]\n")
        out.write("# padding\n" * (10 * MAX_BYTES // 10))  # ten times the cap: only the cap is read
    result, elapsed = check("--format", "json", str(big))
    d = first_diagnostic(result)
    assert located(d) == ("E007", "big.yaml", 1, 1)
    assert elapsed < TIME_BOUND


@pytest.mark.parametrize(
    ("stdin", "code", "message"),
    [
        ("", "E004", "standard input is empty"),
        (" \n\n  \n", "E004", "standard input is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "E002", "byte 0x89 is not valid UTF-8"),
        (
            "input: 8x8x3\nlayers: [relu]\n" + "#\n" * MAX_BYTES,
            "E007",
            f"the input is larger than {MAX_BYTES:,} bytes",
        ),
        (
            "input: 8x8x3\nlayers:\n  - fc: 10 ** 99\n",
            "E007",
            "'units': power too large in an expression",
        ),
    ],
    ids=["empty", "blank", "binary", "oversized", "expression"],
)
def test_stdin(stdin: str | bytes, code: str, message: str) -> None:
    result, _ = check("--format", "json", "-", stdin=stdin)
    d = first_diagnostic(result)
    assert (d["code"], d["file"], d["message"]) == (code, "<stdin>", message)


@pytest.mark.parametrize(
    "text",
    [
        # YAML 1.1 would make a date of it: it stays text
        "title: 2001-12-14\ninput: 8x8x3\nlayers: [relu]\n",
        "title: '<<'\ninput: 8x8x3\nlayers: [relu]\n",
        "input: 8x8x3\nlayers: [relu]\nsource: =\n",
    ],
    ids=["date", "quoted-merge-key", "value-indicator"],
)
def test_oddities_that_are_fine(text: str) -> None:
    result, _ = check("-", stdin=text)
    assert result.exit_code == 0, result.output


def test_a_long_line_is_shown_around_the_column(tmp_path: Path) -> None:
    """A minified spec: the source line is cut to a window around the column, caret under it."""
    spec = tmp_path / "minified.yaml"
    spec.write_text("{input: 8x8x3, layers: [" + "relu, " * 2000 + "reluu]}\n")
    result, _ = check(str(spec))
    source, caret = result.stdout.splitlines()[3:5]
    assert len(source) < 220
    assert len(caret) < 220
    assert source[caret.index("^") :].startswith("reluu")


def test_each_standard_input_shows_its_own_lines() -> None:
    """Two specs read from standard input in one process: each diagnostic quotes its own text."""
    check("-", stdin="input: 8x8x3\nlayers: [reluu]\n")
    result, _ = check("-", stdin="input: 8x8x3\nlayers:\n  - relu\n  - convv\n")
    assert "4 |   - convv" in result.stdout


def test_a_path_too_long_for_the_system() -> None:
    result, _ = check("--format", "json", "x" * 300)
    d = first_diagnostic(result)
    assert (d["code"], d["line"], d["col"]) == ("E001", 1, 1)
    assert "neither a spec file nor a built-in" in str(d["message"])


def test_the_case_list_in_docs_is_current() -> None:
    """docs/hostile-cases.md lists each case with the diagnostic it gets now."""
    spec = importlib.util.spec_from_file_location(
        "hostile_cases", HOSTILE.parent.parent / "scripts" / "hostile_cases.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.OUTPUT.read_text(encoding="utf-8") == module.table(), (
        "stale: run python scripts/hostile_cases.py"
    )
