"""``cnncalc check`` as CI uses it: exit codes, ``--strict``, ``--max-layers``, GitHub annotations
on the right line, JSON that matches its published schema, and the docs' examples and hooks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

from cnncalc.cli import cli
from cnncalc.errors import Diagnostic, Severity, Span
from cnncalc.library import directory
from cnncalc.render.check import CHECK_JSON_VERSION
from cnncalc.render.diagnostics import diagnostic_github
from tests.test_hostile import CASES, expected

ROOT = Path(__file__).parent.parent
CHECK_SCHEMA = json.loads((ROOT / "docs" / "check-json.schema.json").read_text(encoding="utf-8"))
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
ROUNDED = str(Path(directory()) / "resnet50.yaml")  # declares rounding: floor, so it has notes


def check(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["check", *args], input=stdin)


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["architectures/alexnet.yaml"], None),
        (["--strict", ROUNDED], None),
        ([str(p) for p in CASES[:20]], None),
        (["-"], "input: 8x8x3\nlayers: [relu, {conv: {filters: 4, kernel: 2, stride: 2}}]\n"),
        (["architectures/vgg16.yaml", str(CASES[0]), "-"], ""),
    ],
    ids=["ok", "strict", "hostile", "stdin", "mixed"],
)
def test_json_matches_the_published_schema(args: list[str], stdin: str | None) -> None:
    result = check(
        "--format",
        "json",
        *[str(ROOT / a) if a.startswith("architectures/") else a for a in args],
        stdin=stdin,
    )
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(CHECK_SCHEMA).validate(report)
    assert report["version"] == CHECK_JSON_VERSION == CHECK_SCHEMA["properties"]["version"]["const"]
    assert report["exit_code"] == result.exit_code


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_github_annotation_lands_on_the_line(path: Path) -> None:
    code, file, line, col = expected(path)
    result = check("--format", "github", str(path))
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    match = re.match(r"^::error file=([^,]+),line=(\d+),col=(\d+),title=(E\d{3})::(.+)$", first)
    assert match, first
    assert (
        Path(match[1].replace("%2C", ",").replace("%3A", ":")).name,
        int(match[2]),
        int(match[3]),
        match[4],
    ) == (file, line, col, code)


def test_github_escapes_what_would_break_the_command() -> None:
    d = Diagnostic(
        code="E103",
        severity=Severity.ERROR,
        message="50% of\nthe layers",
        span=Span("a,b:c.yaml", 3, 7),
        hint="say 100%",
    )
    assert (
        diagnostic_github(d)
        == "::error file=a%2Cb%3Ac.yaml,line=3,col=7,title=E103::50%25 of\\nthe layers (hint: say"
        " 100%25)"
    )


def test_strict_fails_on_notes() -> None:
    relaxed, strict = check(ROUNDED), check("--strict", ROUNDED)
    assert (relaxed.exit_code, strict.exit_code) == (0, 1)
    assert re.search(rf"^{re.escape(ROUNDED)}:\d+:\d+: N301 \[note\] ", strict.stdout, re.MULTILINE)
    assert (
        json.loads(check("--strict", "--format", "json", ROUNDED).stdout)["specs"][0]["ok"] is False
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--format", "xml", "net.yaml"],
        ["--bogus", "net.yaml"],
        ["--max-layers", "0", "net.yaml"],
    ],
    ids=str,
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert check(*args).exit_code == 2


def test_max_layers_is_a_cap_and_a_flag() -> None:
    text = "input: 8x8x3\nlayers:\n  - relu: {repeat: 100}\n"
    capped = check("--max-layers", "50", "--format", "json", "-", stdin=text)
    assert capped.exit_code == 1
    assert json.loads(capped.stdout)["specs"][0]["diagnostics"][0]["code"] == "E007"
    assert check("-", stdin=text).exit_code == 0
    big = "input: 8x8x3\nlayers:\n  - relu: {repeat: 50001}\n"
    assert check("-", stdin=big).exit_code == 1
    assert check("--max-layers", "60000", "-", stdin=big).exit_code == 0


def test_text_lines_are_greppable() -> None:
    result = check(str(CASES[0]), str(ROOT / "architectures" / "lenet5.yaml"))
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"FAIL {CASES[0]}: ")
    assert re.match(r"^\S+:\d+:\d+: E\d{3} \[error\] \S", lines[1])
    assert any(line.startswith("ok   ") and "lenet5" in line for line in lines)
    assert lines[-1] == "2 specs checked: 1 ok, 1 failed (1 errors, 0 warnings, 0 notes)"


def test_the_docs_actions_step_runs_check_with_annotations() -> None:
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", CI_DOC, re.DOTALL)]
    step = next(
        b
        for b in blocks
        if isinstance(b, list) and any("cnncalc check" in str(s.get("run", "")) for s in b)
    )
    assert "cnncalc check --format github" in step[-1]["run"]
    assert step[0]["uses"].startswith("actions/setup-python@")


def _documented_exit_codes() -> dict[int, str]:
    """The table under ``## Exit codes`` in docs/ci.md: code -> meaning."""
    section = CI_DOC.split("\n## Exit codes\n", 1)[1].split("\n## ", 1)[0]
    return {int(c): meaning for c, meaning in re.findall(r"^\| (\d+) \| (.+) \|$", section, re.M)}


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        ([ROUNDED], 0, "notes about rounding a spec declared"),
        ([str(ROOT / "docs" / "examples" / "bad_alexnet.yaml")], 1, "some spec has an error"),
        (["--strict", ROUNDED], 1, "with `--strict`, also a warning or a note"),
        ([], 2, "no path given"),
        (["--bogus", ROUNDED], 2, "an unknown option"),
        (["--format", "xml", ROUNDED], 2, "a bad option value"),
    ],
    ids=["sound with notes", "error", "strict note", "no path", "unknown option", "bad value"],
)
def test_the_docs_state_the_exit_codes(args: list[str], code: int, words: str) -> None:
    """Each case is what docs/ci.md says gives its code, and check exits with that code."""
    documented = _documented_exit_codes()
    assert sorted(documented) == [0, 1, 2]
    assert words in documented[code]
    assert check(*args).exit_code == code


def test_pre_commit_hooks() -> None:
    hooks = {
        h["id"]: h
        for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    }
    assert hooks["cnncalc-check"]["entry"] == "cnncalc check"
    assert hooks["cnncalc-check-strict"]["entry"] == "cnncalc check --strict"
    for hook in hooks.values():
        assert hook["language"] == "python"
        files = re.compile(hook["files"])
        assert files.search("specs/net.yaml")
        assert files.search("net.yml")
        assert not files.search("net.json")
