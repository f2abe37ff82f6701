"""Terminal manners: check's colours and --color, NO_COLOR, shell completion, a report in a
notebook, SARIF for code scanning, and the composite GitHub Action."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cnncalc import analyze, load
from cnncalc.cli import cli
from cnncalc.errors import CODES
from cnncalc.library import builtin_names
from tests.test_table_fit import in_terminal

ROOT = Path(__file__).parent.parent
BAD = ROOT / "docs" / "examples" / "bad_alexnet.yaml"
ROUNDED = ROOT / "architectures" / "resnet50.yaml"  # notes: windows rounded by its declared rule
RED, DIM, BOLD = "\x1b[1;31m", "\x1b[2m", "\x1b[1m"


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, prog_name="cnncalc")
    return result.exit_code, result.stdout, result.stderr


def test_check_colours_errors_red_locations_bold_notes_dim() -> None:
    code, out, _ = _run("check", str(BAD), str(ROUNDED), "--color", "always")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{RED}FAIL\x1b[0m ")
    error = next(line for line in lines if "E301" in line)
    assert error.startswith(f"{BOLD}{BAD}:5:5\x1b[0m: {RED}E301 [error]\x1b[0m conv1 on ")
    note = next(line for line in lines if "N301" in line)
    assert f"{DIM}N301 [note]\x1b[0m{DIM} " in note
    plain = _run("check", str(BAD), str(ROUNDED), "--color", "never")[1]
    assert "\x1b" not in plain
    assert plain == _run("check", str(BAD), str(ROUNDED))[1]  # not a terminal: auto is plain


def test_on_a_terminal_check_is_coloured_unless_no_color() -> None:
    coloured = in_terminal(["check", str(ROUNDED)], 100, strip=False)
    assert "\x1b[" in coloured
    assert "\x1b[" not in in_terminal(["check", str(ROUNDED)], 100, strip=False, NO_COLOR="1")
    # NO_COLOR removes every style from the table too, bold headers included.
    assert "\x1b[1m" in in_terminal(["show", "lenet5"], 100, strip=False)
    assert "\x1b[" not in in_terminal(["show", "lenet5"], 100, strip=False, NO_COLOR="1")
    # --color always overrides NO_COLOR (https://no-color.org: a flag the user gives wins).
    assert "\x1b[" in in_terminal(["show", "lenet5", "--color", "always"], 100, False, NO_COLOR="1")


def _complete(words: str, index: int) -> list[str]:
    env = {"_CNNCALC_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(index)}
    _, out, _ = _run(env=env)
    return [line.split(",", 1)[1] for line in out.splitlines()]


def test_shell_completion_of_commands_options_and_builtin_names() -> None:
    assert "profile" in _complete("cnncalc pr", 1)
    assert _complete("cnncalc show vgg16 --col", 3) == ["--columns", "--color"]
    names = _complete("cnncalc show res", 2)
    assert names[:-1] == [n for n in builtin_names() if n.startswith("res")]
    assert names[-1] == "res"  # and the shell's own file completion (type "file")


def test_shell_completion_scripts_install_in_one_line() -> None:
    """The README's one-line setups produce the scripts bash, zsh and fish expect."""
    for shell, marker in (
        ("bash", "complete -o"),
        ("zsh", "#compdef cnncalc"),
        ("fish", "complete"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "cnncalc"],
            env={**os.environ, "_CNNCALC_COMPLETE": f"{shell}_source"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert marker in done.stdout
        setup = f"_CNNCALC_COMPLETE={shell}_source cnncalc"
        assert setup in (ROOT / "README.md").read_text(encoding="utf-8")


def test_a_report_displays_as_a_table_in_a_notebook() -> None:
    report = analyze(load("lenet5"))
    html = report._repr_html_()
    assert html.startswith("<h4>LeNet-5 — input 32x32x1</h4>\n<table>")
    assert '<td style="text-align:right">61,706</td>' in html  # the params total
    assert "Params:      61,706 (61.71 K)" in html
    markdown = report._repr_markdown_()
    assert markdown.startswith("### LeNet-5 — input 32x32x1\n\n| Layer |")


def test_check_sarif_is_a_code_scanning_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # relative paths, as code scanning matches them to the repository
    bad, rounded = "docs/examples/bad_alexnet.yaml", "architectures/resnet50.yaml"
    code, out, _ = _run("check", "--format", "sarif", bad, rounded)
    assert code == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == ["E301", "N301"]
    assert [r["shortDescription"]["text"] for r in run["tool"]["driver"]["rules"]] == [
        CODES["E301"],
        CODES["N301"],
    ]
    first = run["results"][0]
    assert (first["ruleId"], first["level"]) == ("E301", "error")
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": bad},
        "region": {"startLine": 5, "startColumn": 5},
    }
    levels = {r["level"] for r in run["results"]}
    assert levels == {"error", "note"}
    assert all(
        run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"]
    )


def _action_step(name: str) -> dict[str, object]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    return next(step for step in action["runs"]["steps"] if step["name"] == name)


@pytest.mark.parametrize(
    ("paths", "args", "code"),
    [
        ("architectures/vgg16.yaml architectures/lenet5.yaml", "", 0),
        ("docs/examples/bad_alexnet.yaml", "--strict", 1),
    ],
    ids=["sound", "broken"],
)
def test_the_action_checks_its_paths(paths: str, args: str, code: int, tmp_path: Path) -> None:
    """The action's check step, run by bash as GitHub runs it (-e, pipefail), with its inputs
    in the environment."""
    step = _action_step("cnncalc check")
    env = {
        **os.environ,
        "CNNCALC_PYTHON": sys.executable,
        "CNNCALC_PATHS": paths,
        "CNNCALC_ARGS": args,
        "CNNCALC_FORMAT": "github",
        "CNNCALC_OUTPUT": "",
    }
    script = tmp_path / "step.sh"
    script.write_text(str(step["run"]), encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == code, done.stderr
    assert "checked:" in done.stdout
    if code:
        assert done.stdout.startswith("::error file=docs/examples/bad_alexnet.yaml,line=5,col=5")
    # Inputs only ever reach the script through the environment.
    assert "${{" not in str(step["run"])
