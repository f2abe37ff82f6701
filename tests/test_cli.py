"""The command line as a user drives it: click's runner for every command, and the installed
``cnncalc`` and ``python -m cnncalc`` as real processes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc import analyze, load
from cnncalc.api import Report
from cnncalc.cli import cli
from cnncalc.metrics import CONVENTIONS

ARCHITECTURES = Path(__file__).parent.parent / "architectures"
#: Compared with the library in every format: branches (add), batch norm buffers, convs without
#: bias, declared rounding (notes on stderr).
SPEC = "resnet18"
#: The per-layer columns every format has, in the library's terms.
COLUMNS = ("name", "type", "hyper", "output", "activations", "weights", "biases", "buffers")
COSTS = ("macs", "ops")


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def library_rows(report: Report) -> list[dict[str, object]]:
    """Each row of ``show`` as the library computes it, the input first."""
    x = report.input
    rows: list[dict[str, object]] = [
        {"name": "input", "type": "input", "hyper": "", "output": str(x), "activations": x.numel}
        | dict.fromkeys(("weights", "biases", "buffers", *COSTS), 0)
    ]
    for r in report.layers:
        rows.append(
            {
                "name": r.node.name,
                "type": r.node.layer.kind,
                "hyper": r.node.layer.describe(),
                "output": str(r.output),
                "activations": r.activations,
                "weights": r.cost.weights,
                "biases": r.cost.biases,
                "buffers": r.cost.buffers,
                "macs": r.cost.macs,
                "ops": r.cost.ops,
            }
        )
    return rows


REPORT = analyze(load(SPEC))
ROWS = library_rows(REPORT)


#: The columns of the table and Markdown tests below, every figure of a row that they show.
SHOWN = ("name", "type", "hyper", "output", "activations", "weights", "biases", "macs")


def test_show_table_rows_and_totals_are_the_librarys() -> None:
    code, out, err = run("show", SPEC, "--columns", ",".join(SHOWN))
    assert code == 0
    assert "\x1b[" not in out  # not a terminal: plain text
    notes = sum(d.code == "N301" for d in REPORT.diagnostics)
    assert err == (
        f"note: {notes} window(s) rounded down to a whole size by the spec's 'rounding: floor' (as"
        f" PyTorch); 'cnncalc check --strict {REPORT.spec.file}' lists them\n"
    )
    lines = out.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.strip().startswith("───"))
    body = lines[rule + 1 : rule + 1 + len(ROWS)]
    assert [line.split()[0] for line in body] == [row["name"] for row in ROWS]
    numbers = ("activations", "weights", "biases", "macs")
    assert [line.split()[-5:] for line in body] == [
        [str(row["output"]), *(f"{row[k]:,}" for k in numbers)] for row in ROWS
    ]
    assert lines[rule + 1 + len(ROWS)].startswith("───")  # then a rule, the totals
    t = REPORT.totals
    total = next(line for line in lines if line.split()[:1] == ["Total"])
    assert total.split()[1:] == [f"{n:,}" for n in (t.activations, t.weights, t.biases, t.macs)]
    assert f"Params:      {t.params:,} " in out
    assert f"Buffers:     {t.buffers:,} non-trainable" in out


def test_show_json_is_the_librarys() -> None:
    code, out, _ = run("show", SPEC, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["version"] == 1
    assert (data["name"], data["input"], data["batch"], data["dtype"]) == (
        SPEC,
        str(REPORT.input),
        1,
        "float32",
    )
    assert [{k: layer[k] for k in (*COLUMNS, *COSTS)} for layer in data["layers"]] == ROWS
    t = REPORT.totals
    assert data["totals"] == {
        "params": t.params,
        "weights": t.weights,
        "biases": t.biases,
        "buffers": t.buffers,
        "macs": t.macs,
        "flops": t.flops,
        "ops": t.ops,
        "activations": t.activations,
        "param_bytes": t.param_bytes,
        "buffer_bytes": t.buffer_bytes,
        "activation_bytes": t.activation_bytes,
        "batch_activation_bytes": t.batch_activation_bytes,
        "training_bytes": t.training_bytes,
    }
    assert data["conventions"] == CONVENTIONS
    assert [d["code"] for d in data["diagnostics"]] == [d.code for d in REPORT.diagnostics]


def test_show_options_batch_dtype() -> None:
    _, out, _ = run("show", SPEC, "--format", "json", "--batch", "32", "--dtype", "float16")
    totals = json.loads(out)["totals"]
    t = REPORT.totals
    assert totals["param_bytes"] == 2 * t.params  # float16: 2 bytes each
    assert totals["batch_activation_bytes"] == 32 * 2 * t.activations
    assert totals["training_bytes"] == 4 * 2 * t.params + 2 * t.buffers + 2 * 32 * 2 * t.activations


def test_show_csv_reads_back_as_the_librarys_rows() -> None:
    code, out, _ = run("show", SPEC, "--format", "csv")
    assert code == 0
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames is not None
    assert reader.fieldnames[: len(COLUMNS) + len(COSTS)] == [*COLUMNS, *COSTS]
    cells = [{k: row[k] for k in (*COLUMNS, *COSTS)} for row in reader]
    assert cells == [{k: str(v) for k, v in row.items()} for row in ROWS]


def test_show_markdown_has_a_row_per_layer_and_the_totals() -> None:
    code, out, _ = run("show", SPEC, "--format", "markdown", "--columns", ",".join(SHOWN))
    assert code == 0
    assert out.startswith(f"### {REPORT.spec.title} — input {REPORT.input}\n\n|")
    assert f"\n- Params: {REPORT.totals.params:,} " in out
    table = [re.split(r" ?\| ?", line)[1:-1] for line in out.splitlines() if line.startswith("|")]
    header, rule, *rows, total = table
    assert header == [
        "Layer",
        "Type",
        "Hyper",
        "Output",
        "Activations",
        "Weights",
        "Biases",
        "MACs",
    ]
    assert rule == ["---"] * 3 + ["---:"] * 5
    assert len(rows) == len(ROWS)
    assert rows == [
        [f"{row[k]:,}" if isinstance(row[k], int) else row[k] for k in SHOWN] for row in ROWS
    ]
    t = REPORT.totals
    assert total == ["**Total**", "", "", ""] + [
        f"**{n:,}**" for n in (t.activations, t.weights, t.biases, t.macs)
    ]


def test_show_depth_collapses_blocks() -> None:
    _, out, _ = run("show", "resnet50", "--depth", "0", "--format", "csv")
    names = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert names[:6] == ["input", "conv1", "bn1", "relu1", "pool1", "layer1"]
    assert "layer1.bottleneck1.conv1" not in names


def test_show_another_input_that_does_not_fit() -> None:
    code, out, err = run("show", "alexnet", "--input", "224x224x3")
    assert code == 1
    assert "E301" in err
    assert "(224 - 11 + 2·0)/4 + 1 = 54.25" in err
    assert "input 223 or 227" in err
    assert "INCOMPLETE" in out  # the layers before the problem are still shown, not as totals
    assert "\nTotal" not in out


def test_show_unknown_name_suggests() -> None:
    code, _, err = run("show", "vgg61")
    assert code == 1
    assert "E001" in err
    assert "did you mean" in err


def test_usage_errors_exit_2() -> None:
    assert run("show", "vgg16", "--input", "224x224")[0] == 2
    assert run("show", "vgg16", "--dtype", "float64")[0] == 2
    assert run("check")[0] == 2


def test_check_library_passes() -> None:
    code, out, _ = run("check", str(ARCHITECTURES))
    assert code == 0
    assert " 0 failed (0 errors, 0 warnings," in out.splitlines()[-1]
    assert "FAIL" not in out


def test_check_strict_fails_on_accepted_rounding() -> None:
    code, out, _ = run("check", "--strict", str(ARCHITECTURES / "resnet50.yaml"))
    assert code == 1
    assert "N301" in out


def test_check_reports_location_and_hint(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text("input: 7x7x1\nlayers:\n  - conv: {filters: 1, kernel: 3, stride: 3}\n")
    before = spec.read_bytes(), spec.stat().st_mtime_ns
    code, out, _ = run("check", str(spec))
    assert code == 1
    assert f"{spec}:3:5: E301 [error]" in out
    assert "= hint:" in out
    assert (spec.read_bytes(), spec.stat().st_mtime_ns) == before  # input files are only read


def test_check_json_and_github(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text("input: 8x8x3\nlayers:\n  - conv: {filters: 4, kernal: 3}\n")
    code, out, _ = run("check", "--format", "json", str(spec))
    assert code == 1
    (entry,) = json.loads(out)["specs"]
    assert [d["code"] for d in entry["diagnostics"]] == [
        "E101",
        "E105",
    ]  # the typo, and so 'kernel' is missing
    problem = entry["diagnostics"][0]
    assert (problem["code"], problem["line"], problem["col"]) == ("E101", 3, 24)
    assert "did you mean 'kernel'?" in problem["hint"]
    _, out, _ = run("check", "--format", "github", str(spec))
    assert out.startswith("::error file=")
    assert ",line=3,col=24,title=E101::" in out


def test_check_stdin() -> None:
    code, out, _ = run("check", "-", stdin="input: 8x8x3\nlayers: [relu]\n")
    assert code == 0
    assert out.startswith("ok   <stdin>")
    assert run("check", "-", stdin="")[0] == 1


def test_list() -> None:
    code, out, _ = run("list", "--format", "json")
    assert code == 0
    entries = {e["name"]: e for e in json.loads(out)}
    assert entries["vgg16"]["params"] == 138_357_544
    assert entries["resnet50"]["macs"] == 4_089_184_256
    code, out, _ = run("list")
    assert code == 0
    assert "vgg16" in out


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_examples(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "Examples:" in out


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cnncalc", "show", "lenet5", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["totals"]["params"] == 61_706


def test_installed_command_from_another_directory(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "cnncalc"
    if not script.exists():
        pytest.skip("cnncalc is not installed in this environment (scripts/test.sh installs it)")
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [str(script), "show", "vgg16"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "138,357,544" in done.stdout
    assert "\x1b[" not in done.stdout


def test_show_set_overrides_a_param_and_recomputes() -> None:
    # ResNet-50 v1 (stride on the first 1x1): the paper's "3.8 GFLOPs"
    code, out, _ = run("show", "resnet50", "--set", "v1=1", "--format", "json")
    assert code == 0
    assert json.loads(out)["totals"]["macs"] == 3_857_973_248
    # EfficientNet-B0 scaled by B2's multipliers at B2's size is B2 (derived params re-evaluated)
    _, out, _ = run(
        "show",
        "efficientnet_b0",
        "--set",
        "width=1.1",
        "--set",
        "depth=1.2",
        "--input",
        "260x260x3",
        "--format",
        "json",
    )
    assert (
        json.loads(out)["totals"]["params"]
        == json.loads(run("show", "efficientnet_b2", "--format", "json")[1])["totals"]["params"]
    )


def test_show_set_rounding_accepts_what_the_spec_refuses() -> None:
    # The paper's AlexNet at 224: conv1's (224 - 11)/4 + 1 = 54.25 is an error, floored with --set
    assert run("show", "alexnet", "--input", "224x224x3")[0] == 1
    code, out, err = run(
        "show", "alexnet", "--input", "224x224x3", "--set", "rounding=floor", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["layers"][1]["output"] == "54x54x96"
    assert "4 window(s) rounded" in err


@pytest.mark.parametrize(
    ("setting", "code", "words"),
    [
        ("vv1=1", 2, "did you mean 'v1'?"),
        ("v1", 2, "is not NAME=VALUE"),
        ("v1=foo", 1, "E107"),
        ("rounding=flor", 2, "'rounding' must be one of exact, floor, ceil"),
        ("roundin=floor", 2, "did you mean 'rounding'?"),
    ],
)
def test_show_set_refusals(setting: str, code: int, words: str) -> None:
    result = run("show", "resnet50", "--set", setting)
    assert result[0] == code
    assert words in result[2]


def test_kernel_and_stride_columns_show_the_layers_own() -> None:
    """A transposed conv's kernel is the one written (2x2, stride 2), not the fractional window
    its receptive field reads; an upsampling layer has no kernel; a 3-D pool prints its axes."""
    spec = (
        "input: 8x8x4\nlayers:\n  - conv_transpose: {filters: 4, kernel: 2, stride: 2}\n"
        "  - upsample: 2\n  - maxpool: {kernel: [2, 3], stride: [2, 1], rounding: floor}\n"
    )
    result = CliRunner().invoke(cli, ["show", "-", "--columns", "name,kernel,stride"], input=spec)
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[3:7]}
    assert rows == {"input": [], "deconv1": ["2x2", "2"], "upsample1": [], "pool1": ["2x3", "2x1"]}
