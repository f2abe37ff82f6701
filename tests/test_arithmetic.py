"""One-off layer arithmetic (``cnncalc conv``, ``pool``, ``fc``, ``pad``) on the seeds' worked
examples: the figures and the printed working."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cnncalc import arithmetic
from cnncalc.cli import cli
from cnncalc.layers.conv import Conv
from cnncalc.shapes import PadMode, Shape


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# Seed 001/002: "7x7 input (spatially), assume 3x3 filter": stride 1 => 5, stride 2 => 3,
# stride 3 => 2.33 "doesn't fit!", and "with padding of 1x1: stride 3 => (7 - 3 + 2)/3 + 1 = 3".
@pytest.mark.parametrize(
    ("stride", "pad", "output"),
    [(1, 0, "5x5x1"), (2, 0, "3x3x1"), (3, 1, "3x3x1")],
    ids=["s1-gives-5", "s2-gives-3", "s3-pad1-gives-3"],
)
def test_seven_by_seven_with_a_3x3_filter(stride: int, pad: int, output: str) -> None:
    working = arithmetic.conv(
        Shape(7, 7, 1), Conv(filters=1, kernel=(3, 3), stride=(stride, stride), pad=(pad,) * 4)
    )
    assert working.ok
    assert working.figures["output"] == output


def test_stride_3_does_not_fit_and_says_what_would() -> None:
    working = arithmetic.conv(Shape(7, 7, 1), Conv(filters=1, kernel=(3, 3), stride=(3, 3)))
    assert not working.ok
    assert working.steps == ("height and width: (7 - 3 + 2·0)/3 + 1 = 7/3: does not fit",)
    assert working.hint is not None
    assert working.hint.startswith("height and width would fit with input 6 or 9, or pad 1;")


def test_the_slides_32x32x3_with_ten_5x5_filters() -> None:
    code, out, err = run(
        "conv", "32x32x3", "--filters", "10", "--kernel", "5", "--stride", "1", "--pad", "2"
    )
    assert code == 0
    assert err == ""
    assert out.splitlines() == [
        "conv 5x5/1 p2, 10 filters, on 32x32x3",
        "  height and width: (32 - 5 + 2·2)/1 + 1 = 32",
        "  output: 32x32x10 (10 filters)",
        "  each filter: 5·5·3 + 1 = 76 params (+1 for the bias)",
        "  all filters: 76 x 10 = 760 params (750 weights + 10 biases)",
        "  MACs: 32·32·10 outputs x 75 = 768,000",
    ]


def test_alexnet_conv1_and_pool1() -> None:
    _, out, _ = run(
        "conv",
        "227x227x3",
        "--filters",
        "96",
        "--kernel",
        "11",
        "--stride",
        "4",
        "--format",
        "json",
    )
    conv1 = json.loads(out)
    assert (conv1["output"], conv1["weights"], conv1["params"]) == (
        "55x55x96",
        34_848,
        34_944,
    )  # the slide's "35K"
    assert "height and width: (227 - 11 + 2·0)/4 + 1 = 55" in conv1["steps"]
    _, out, _ = run("pool", "55x55x96", "--kernel", "3", "--stride", "2", "--format", "json")
    pool1 = json.loads(out)
    assert (pool1["output"], pool1["params"]) == ("27x27x96", 0)


def test_cli_stride_that_does_not_fit_exits_1_with_a_hint() -> None:
    code, out, err = run("conv", "7x7x1", "--filters", "1", "--kernel", "3", "--stride", "3")
    assert code == 1
    assert "(7 - 3 + 2·0)/3 + 1 = 7/3: does not fit" in out
    assert "would fit with input 6 or 9, or pad 1" in err


def test_rounding_floor_accepts_alexnet_at_224() -> None:
    code, out, _ = run(
        "conv",
        "224x224x3",
        "--filters",
        "96",
        "--kernel",
        "11",
        "--stride",
        "4",
        "--rounding",
        "floor",
    )
    assert code == 0
    assert "(224 - 11 + 2·0)/4 + 1 = 54.25, rounded by floor to 54" in out


def test_grouped_conv_that_cannot_group() -> None:
    code, _, err = run("conv", "8x8x3", "--filters", "4", "--kernel", "3", "--groups", "2")
    assert code == 1
    assert "error: groups=2 does not divide the 3 input channels" in err


def test_fc_from_a_volume_and_from_a_vector() -> None:
    _, out, _ = run("fc", "7x7x512", "--units", "4096")
    assert "weights: 25,088 x 4,096 = 102,760,448" in out  # seed 000: 7*7*512*4096
    _, out, _ = run("fc", "4096", "--units", "1000", "--format", "json")
    assert json.loads(out)["params"] == 4_097_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", (2, 2, 2, 2)),
        ("1,2", (1, 1, 2, 2)),
        ("0,1,0,1", (0, 1, 0, 1)),
        ("same", PadMode.SAME),
        ("VALID", PadMode.VALID),
    ],
)
def test_parse_padding(text: str, expected: object) -> None:
    assert arithmetic.parse_padding(text) == expected


@pytest.mark.parametrize("text", ["1,2,3", "-1", "x", ""])
def test_parse_padding_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a padding"):
        arithmetic.parse_padding(text)


def test_pad_lists_what_fits_for_f5_s2() -> None:
    # Seed 001: "F = 5, S = 2, P = ? (whatever fits)" on a 32 input: only asymmetric paddings do.
    code, out, _ = run("pad", "--input", "32", "--kernel", "5", "--stride", "2")
    assert code == 0
    assert "pad 1 before, 2 after: (32 - 5 + 1 + 2)/2 + 1 = 16   ('same')" in out
    assert (
        "no symmetric padding fits: 32 - 5 + 2P is odd for every P and the stride 2 is even" in out
    )


def test_pad_output_same_and_refusal() -> None:
    _, out, _ = run("pad", "--input", "32", "--kernel", "5", "--output", "32", "--format", "json")
    assert json.loads(out)["output"] == {"before": 2, "after": 2, "output": 32}
    _, out, _ = run(
        "pad", "--input", "224", "--kernel", "7", "--stride", "2", "--same", "--format", "json"
    )
    assert json.loads(out)["same"] == {"before": 2, "after": 3, "output": 112}
    code, _, err = run("pad", "--input", "32", "--kernel", "5", "--stride", "2", "--output", "4")
    assert code == 1
    assert "no padding gives 4" in err
    code, _, err = run("pad", "--input", "32", "--kernel", "5", "--same", "--output", "3")
    assert code == 2
    assert "give --output or --same, not both" in err


@pytest.mark.parametrize("command", ["conv", "pool", "fc", "pad", "diff"])
def test_help_has_examples(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert f"cnncalc {command} " in out.split("Examples:")[1]
