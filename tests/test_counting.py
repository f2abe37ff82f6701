"""Each preset's rule per layer type, on small volumes worked out by hand from the tools' source
(cited in ``cnncalc/counting.py``), and the ``--count`` options of the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cnncalc import analyze, load
from cnncalc.cli import cli
from cnncalc.counting import layer_counts
from cnncalc.library import builtin_names
from tests.helpers import single

TOOLS = ("torchvision", "fvcore", "thop", "torchinfo", "ptflops")

#: (input, layer, {tool: count}); the figures per tool in the order of TOOLS.
RULES = [
    # 3x3 conv, 4 -> 8 filters, pad 1 on 6x6: 36 positions x 8 x 9 x 4 = 10,368 MACs; 288 weights
    # + 8 biases; torchinfo (288 + 8) x 36 = 10,656; ptflops 10,368 + 288 outputs = 10,656.
    ("6x6x4", "conv: {filters: 8, kernel: 3, pad: 1}", (10368, 10368, 10368, 10656, 10656)),
    ("6x6x4", "conv: {filters: 8, kernel: 3, pad: 1, bias: false}", (10368,) * 3 + (10368,) * 2),
    # depthwise 3x3 on 4x4x2, pad 1: 16 x 2 x 9 = 288; weights 18 + 2 biases: torchinfo 20 x 16.
    ("4x4x2", "dwconv: {kernel: 3, pad: 1}", (288, 288, 288, 320, 320)),
    # transposed 3x3/2 conv, 2 -> 4 filters on 4x4x2 (9x9x4 out): 32 inputs x 9 x 4 = 1,152 MACs
    # (fvcore); 72 weights + 4 biases; thop 72 x 81 output positions = 5,832 (324 x 2 x 9);
    # torchinfo 76 x 81 = 6,156; ptflops 1,152 + 324 outputs = 1,476; the default convention
    # (torchvision's column) counts the 1,152 multiply-accumulates, as fvcore does.
    (
        "4x4x2",
        "conv_transpose: {filters: 4, kernel: 3, stride: 2}",
        (1152, 1152, 5832, 6156, 1476),
    ),
    # fc 12 -> 10: 120 MACs; torchinfo and ptflops add the 10 biases once.
    ("2x2x3", "fc: 10", (120, 120, 120, 130, 130)),
    # batch norm on 288 elements, 8 channels: fvcore 2 x, thop 4 x, torchinfo 2C, ptflops 2 x.
    ("6x6x8", "batchnorm", (0, 576, 1152, 16, 576)),
    ("6x6x8", "batchnorm: {affine: false}", (0, 288, 576, 0, 288)),
    # layer norm: fvcore 5 x, thop 4 x, torchinfo 2C, ptflops 1 x (no 'affine' attribute).
    ("6x6x8", "layernorm", (0, 1440, 1152, 16, 288)),
    ("6x6x8", "layernorm: {affine: false}", (0, 1152, 576, 0, 288)),
    ("6x6x8", "relu", (0, 0, 0, 0, 288)),
    ("6x6x8", "gelu", (0, 0, 0, 0, 288)),
    ("6x6x8", "silu", (0, 0, 0, 0, 0)),
    # 2x2/2 pools on 4x4x2 (32 in, 8 out): thop counts an average pool's outputs, ptflops inputs.
    ("4x4x2", "maxpool: {kernel: 2, stride: 2}", (0, 0, 0, 0, 32)),
    ("4x4x2", "avgpool: {kernel: 2, stride: 2}", (0, 0, 8, 0, 32)),
    # global pool on 7x7x4: fvcore and ptflops 196 inputs; thop (49 + 1) x 4.
    ("7x7x4", "gap", (0, 196, 200, 0, 196)),
    # the same pool on a signal (7x4) and a clip (2x3x3x4): fvcore has no aten::adaptive_avg_pool1d
    # or 3d handler; thop (7 + 1) x 4 and (18 + 1) x 4, ptflops the inputs.
    ("7x4", "gap", (0, 0, 32, 0, 28)),
    ("2x3x3x4", "gap", (0, 0, 76, 0, 72)),
    # adaptive 2x2 on 5x5: thop's window is the float ratio 2.5 x 2.5: int((6.25 + 1) x 4) = 29.
    ("5x5x1", "adaptive_avgpool: 2", (0, 25, 29, 0, 25)),
    # softmax over 10 channels: thop 10 exp + 9 adds + 10 divisions.
    ("1x1x10", "softmax", (0, 0, 29, 0, 0)),
    ("6x6x8", "layer_scale", (0, 0, 0, 0, 0)),
]


@pytest.mark.parametrize(("volume", "layer", "counts"), RULES, ids=[r[1] for r in RULES])
def test_rule(volume: str, layer: str, counts: tuple[int, ...]) -> None:
    result = single(volume, layer)
    assert {tool: layer_counts(tool, (result,))[0] for tool in TOOLS} == dict(
        zip(TOOLS, counts, strict=True)
    )


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_show_count_names_the_preset_in_json() -> None:
    code, out, _ = run("show", "resnet18", "--count", "ptflops", "--format", "json")
    document = json.loads(out)
    report = analyze(load("resnet18"))
    assert code == 0
    assert document["count"] == "ptflops"
    assert document["totals"]["macs"] == report.macs_under("ptflops")
    assert document["conventions"]["macs"].startswith("ptflops' MACs")
    assert sum(layer["macs"] for layer in document["layers"]) == report.macs_under("ptflops")


def test_show_default_json_has_no_count_key() -> None:
    _, out, _ = run("show", "resnet18", "--format", "json")
    assert "count" not in json.loads(out)


def test_show_count_in_the_table_summary() -> None:
    code, out, _ = run("show", "resnet18", "--count", "fvcore")
    total = analyze(load("resnet18")).macs_under("fvcore")
    assert code == 0
    assert f"MACs:        {total:,} " in out
    assert "Counted as:  fvcore, fvcore.nn.FlopCountAnalysis(model, x).total()" in out


def test_show_count_all_prints_one_line_per_tool() -> None:
    code, out, _ = run("show", "resnet18", "--count", "all")
    report = analyze(load("resnet18"))
    default = report.macs_under("torchvision")
    assert code == 0
    lines = out.split("MACs by tool (difference from torchvision):\n")[1].splitlines()
    assert [line.split()[0] for line in lines] == list(TOOLS)
    for line, tool in zip(lines[1:], TOOLS[1:], strict=True):
        total = report.macs_under(tool)
        assert f"{total:,}" in line
        assert line.endswith(f"{total - default:+,}")


def test_show_count_all_json_has_per_layer_counts() -> None:
    code, out, _ = run("show", "densenet121", "--count", "all", "--format", "json")
    counts = json.loads(out)["counts"]
    report = analyze(load("densenet121"))
    assert code == 0
    assert list(counts) == list(TOOLS)
    for tool in TOOLS:
        assert counts[tool]["total"] == report.macs_under(tool)
        assert sum(counts[tool]["layers"].values()) == counts[tool]["total"]
        assert list(counts[tool]["layers"]) == [r.node.name for r in report.layers]


def test_count_all_refuses_csv() -> None:
    code, _, err = run("show", "resnet18", "--count", "all", "--format", "csv")
    assert code == 2
    assert "--count all prints a table or JSON" in err


def test_list_count_follows_the_preset() -> None:
    code, out, _ = run("list", "--format", "json", "--count", "thop")
    entries = {entry["name"]: entry["macs"] for entry in json.loads(out)}
    assert code == 0
    assert entries["resnet50"] == analyze(load("resnet50")).macs_under("thop")


def test_diff_count_follows_the_preset() -> None:
    code, out, _ = run("diff", "resnet18", "resnet34", "--count", "torchinfo", "--format", "json")
    document = json.loads(out)
    a, b = (analyze(load(n)).macs_under("torchinfo") for n in ("resnet18", "resnet34"))
    assert code == 0
    macs = {side: document["totals"][side]["macs"] for side in ("a", "b", "delta")}
    assert macs == {"a": a, "b": b, "delta": b - a}


@pytest.mark.parametrize("name", builtin_names())
def test_the_torchvision_preset_is_the_default_count(name: str) -> None:
    """``--count torchvision`` names the default convention: for every built-in (transposed
    convolutions included) its total is the MACs ``show`` prints."""
    report = analyze(load(name))
    assert report.macs_under("torchvision") == report.totals.macs
