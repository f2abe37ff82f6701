"""``cnncalc diff``: alignment by name, else by position and type, with the deltas of seed 003's
AlexNet-to-ZFNet walk; and ``show --input`` exploring a size where windows stop fitting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cnncalc import Shape, analyze, load, loads
from cnncalc.cli import cli
from cnncalc.diff import Match, align, diff
from cnncalc.fitting import explore
from cnncalc.spec import with_params


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def deltas(a: str, b: str) -> dict[str, int]:
    result = diff(analyze(load(a)), analyze(load(b)))
    return {
        p.a.name: p.delta("weights") for p in result.pairs if p.a and p.b and p.a.type == "conv"
    }


def test_seed_003_alexnet_to_zfnet_parameter_differences() -> None:
    # Seed 003 walks AlexNet without padding into the lectures' ZFNet (512/1024/512 filters).
    found = deltas("alexnet_nopad", "zfnet_cs231n")
    assert found["conv1"] == -((11**2 - 7**2) * 3) * 96 == -20_736  # the slide's "20.7K"
    assert found["conv2"] == 0  # "no difference"
    assert found["conv3"] == 3 * 3 * 256 * (512 - 384) == 294_912  # the slide's "0.29M"
    # The slide writes 0.8M and 0.36M here; the filters 384 -> 1024 on 384 -> 512 channels say:
    assert found["conv4"] == 3 * 3 * (512 * 1024 - 384 * 384) == 3_391_488
    assert found["conv5"] == 3 * 3 * (1024 * 512 - 384 * 256) == 3_833_856


def test_alexnet_paper_to_zfnet_paper() -> None:
    # The two-tower AlexNet groups conv2, conv4 and conv5; ZFNet (one GPU) does not.
    assert deltas("alexnet", "zfnet") == {
        "conv1": -20_736,
        "conv2": 307_200,
        "conv3": 0,
        "conv4": 663_552,
        "conv5": 442_368,
    }
    result = diff(analyze(load("alexnet")), analyze(load("zfnet")))
    assert result.total_delta("params") == 62_357_608 - 60_965_224


def test_alignment_by_position_and_type_when_names_differ() -> None:
    a = analyze(
        loads(
            "input: 8x8x1\nlayers:\n  - conv: {filters: 2, kernel: 3, name: first}\n  - relu\n  -"
            " fc: 10\n",
            "a.yaml",
        )
    )
    b = analyze(
        loads(
            "input: 8x8x1\nlayers:\n  - conv: {filters: 4, kernel: 3, name: stem}\n  - bn\n  -"
            " relu\n  - fc: 10\n",
            "b.yaml",
        )
    )
    pairs = align(list(a.rows()), list(b.rows()))
    shown = [(p.a.name if p.a else None, p.b.name if p.b else None, p.match) for p in pairs]
    assert shown == [
        ("input", "input", Match.NAME),
        ("first", "stem", Match.POSITION),
        (None, "bn1", Match.B_ONLY),
        ("relu1", "relu1", Match.NAME),
        ("fc1", "fc1", Match.NAME),
    ]
    assert pairs[1].changed == (
        "output",
        "weights",
        "biases",
        "params",
        "macs",
        "activations",
    )  # filters show in the output
    assert pairs[1].delta("params") == (9 * 4 + 4) - (9 * 2 + 2)


def test_cli_diff_table_and_json() -> None:
    code, out, err = run("diff", "alexnet", "zfnet")
    assert code == 0
    assert err == ""
    assert "11x11/4 p0 → 7x7/2 p1" in out
    assert "60,965,224 → 62,357,608" in out
    code, out, _ = run("diff", "alexnet", "zfnet", "--format", "json", "--changed")
    document = json.loads(out)
    conv1 = next(
        layer for layer in document["layers"] if layer["a"] and layer["a"]["name"] == "conv1"
    )
    assert conv1["delta"]["params"] == -20_736
    assert conv1["b"]["rf"]["size"] == [7, 7]
    assert document["totals"]["delta"]["params"] == 1_392_384
    assert all(layer["changed"] for layer in document["layers"])


def _diff_row(out: str, name: str) -> dict[str, Any]:
    row: dict[str, Any] = next(r for r in json.loads(out)["layers"] if r["a"]["name"] == name)
    return row


def test_cli_diff_one_spec_at_two_sizes(tmp_path: Path) -> None:
    code, out, _ = run("diff", "vgg16", "vgg16", "--input-b", "320x320x3", "--format", "json")
    assert code == 0
    # torchvision's adaptive pool turns stage 5's 10x10x512 into fc1's 7x7x512: fc1 is unchanged
    assert _diff_row(out, "stage5.pool1")["b"]["output"] == "10x10x512"
    assert _diff_row(out, "avgpool")["b"]["output"] == "7x7x512"
    assert _diff_row(out, "fc1")["delta"]["weights"] == 0
    paper = tmp_path / "vgg16_paper.yaml"
    paper.write_text("extends: vgg16\nparams: {adaptive: 0}\n")
    code, out, _ = run("diff", str(paper), str(paper), "--input-b", "320x320x3", "--format", "json")
    assert code == 0
    fc1 = _diff_row(out, "fc1")
    assert fc1["delta"]["weights"] == (10 * 10 - 7 * 7) * 512 * 4096  # fc weights grow with the map
    code, _, err = run("diff", "alexnet", "alexnet", "--input-b", "224x224x3")
    assert code == 1
    assert "B (alexnet at 224x224x3):" in err
    assert "alexnet fits at 195x195x3 or 227x227x3" in err


def test_explore_the_224_puzzle() -> None:
    found = explore(analyze(load("alexnet"), input=Shape(224, 224, 3)))
    assert [m.split(":")[0] for m in found.misfits] == ["conv1", "pool1", "pool2", "pool3"]
    assert (found.below, found.above) == (Shape(195, 195, 3), Shape(227, 227, 3))


def test_explore_searches_each_axis_alone() -> None:
    # 224 high fits VGG-16 already; 300 wide does not (300/32 is not whole) without PyTorch's
    # floor: 288 and 320 do.
    exact = with_params(load("vgg16"), {"rounding": "exact"})
    found = explore(analyze(exact, input=Shape(224, 300, 3)))
    assert (found.below, found.above) == (Shape(224, 288, 3), Shape(224, 320, 3))


def test_show_input_reports_every_misfit_and_the_nearest_sizes() -> None:
    code, _, err = run("show", "alexnet", "--input", "224x224x3")
    assert code == 1
    assert "pool3: height and width (12 - 3 + 2·0)/2 + 1 = 5.5, rounded by floor to 5" in err
    assert "= alexnet fits at 195x195x3 or 227x227x3: the nearest input sizes" in err


def test_show_rf_columns() -> None:
    code, out, _ = run("show", "vgg16", "--rf")
    assert code == 0
    line = next(line for line in out.splitlines() if line.strip().startswith("stage5.pool1"))
    assert line.split()[4:7] == ["7x7x512", "212", "32"]  # name, type, "2x2/2 p0", output, RF, jump
    _, out, _ = run("show", "vgg16", "--format", "csv")
    assert out.splitlines()[0].endswith(",rf,rf_jump,rf_start")
    _, out, _ = run("show", "resnet50", "--format", "json")
    layer4 = next(
        layer for layer in json.loads(out)["layers"] if layer["name"] == "layer4.bottleneck3.add1"
    )
    assert layer4["rf"]["size"] == [427, 427]
