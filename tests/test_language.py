"""Spec language features end to end: blocks, repeat, when, references, extends, strictness."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cnncalc import SpecError, analyze, load, loads
from cnncalc.api import Report
from cnncalc.render.rows import output_lines, summary_lines
from cnncalc.shapes import Shape


def spec(text: str) -> Report:
    return analyze(loads(text, "net.yaml"))


def codes(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(SpecError, match=r"\d+:\d+") as caught:
        spec(text)
    return [(d.code, d.span.line, d.span.col) for d in caught.value.diagnostics]


BLOCKS = """
input: 33x33x3
blocks:
  unit:
    args: {filters: ~, down: 0}
    layers:
      - conv: {filters: filters, kernel: 3, pad: 1, stride: "2 if down else 1"}
      - relu
layers:
  - unit: {filters: 8, repeat: 2}
  - unit: {filters: 16, down: 1, name: last}
"""


def test_blocks_repeat_and_names() -> None:
    report = spec(BLOCKS.replace('"2 if down else 1"', "2 if down else 1"))
    assert [r.node.name for r in report.layers] == [
        "unit1.conv1",
        "unit1.relu1",
        "unit2.conv1",
        "unit2.relu1",
        "last.conv1",
        "last.relu1",
    ]
    assert str(report.layers[-1].output) == "17x17x16"


def test_quoted_numbers_are_refused_but_quoted_expressions_are_not() -> None:
    assert codes(BLOCKS.replace('"2 if down else 1"', '"2"')) == [("E103", 7, 61)]
    assert (
        str(spec(BLOCKS.replace('"2 if down else 1"', '"max(1, 2 * down)"')).layers[-1].output)
        == "17x17x16"
    )


def test_when_and_references() -> None:
    report = spec("""
input: 8x8x4
layers:
  - conv: {filters: 4, kernel: 1, name: a}
  - conv: {filters: 4, kernel: 3, pad: 1, name: b}
  - add: {inputs: [a, b]}
  - concat: {inputs: [input, b], name: cat}
  - relu: {when: 0}
""")
    assert [r.node.name for r in report.layers] == ["a", "b", "add1", "cat"]
    assert str(report.layers[-1].output) == "8x8x8"


def test_block_with_two_inputs() -> None:
    report = spec("""
input: 8x8x4
blocks:
  cell:
    inputs: [x, skip]
    layers:
      - add: {inputs: [x, skip]}
layers:
  - conv: {filters: 4, kernel: 1, name: a}
  - conv: {filters: 4, kernel: 1, name: b}
  - cell: {inputs: [a, b]}
""")
    assert str(report.layers[-1].output) == "8x8x4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "input: 8x8x3\nlayers:\n  - conv: {filters: 4, kernal: 3}\n",
            [("E101", 3, 24), ("E105", 3, 5)],
            id="typo and missing",
        ),
        pytest.param(
            "input: 8x8x3\nlayers:\n  - cnov: {filters: 4}\n", [("E102", 3, 5)], id="unknown type"
        ),
        pytest.param(
            "input: 8x8x3\nlayers:\n  - conv: {filters: 4, kernel: 2.0}\n",
            [("E103", 3, 32)],
            id="float",
        ),
        pytest.param(
            "input: 8x8x3\nlayers:\n  - conv: {filters: 4, kernel: 3, bias: yes}\n",
            [("E103", 3, 41)],
            id="yaml 1.1 bool",
        ),
        pytest.param(
            "input: 8x8x3\nlayers:\n  - add: {inputs: [later]}\n  - relu: {name: later}\n",
            [("E202", 3, 20)],
            id="forward reference",
        ),
        pytest.param(
            "input: 8x8x3\nlayers:\n  - add: {inputs: [nope, input]}\n",
            [("E201", 3, 20)],
            id="unknown reference",
        ),
        pytest.param(
            "input: 8x8x3\nlayers:\n  - relu\n  - relu\n  - relu: {name: relu1}\n",
            [("E203", 5, 5)],
            id="duplicate name",
        ),
        pytest.param(
            "input: 8x8x3\nblocks:\n  b: {layers: [b]}\nlayers: [b]\n",
            [("E204", 3, 16)],
            id="block uses itself",
        ),
        pytest.param("input: 8x8x3\nlayers:\n  - add: [[]]\n", [("E205", 3, 5)], id="merge of one"),
        pytest.param("input: 8x8x8x8x3\nlayers: [relu]\n", [("E108", 1, 8)], id="bad volume"),
        pytest.param(
            "input: 8x8x3\ninput: 9x9x3\nlayers: [relu]\n", [("E006", 2, 1)], id="duplicate key"
        ),
        pytest.param(
            "inptu: 8x8x3\nlayers: [relu]\n", [("E101", 1, 1), ("E105", 1, 1)], id="top-level typo"
        ),
    ],
)
def test_errors_are_located(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert codes(text) == expected


def test_extends_overrides_params_and_recomputes(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        "input: 8x8x3\nparams: {w: 2, filters: w * 4}\nlayers:\n  - conv: {filters: filters,"
        " kernel: 1}\n"
    )
    (tmp_path / "wide.yaml").write_text("extends: base\nparams: {w: 3}\n")
    assert str(analyze(load(tmp_path / "wide.yaml")).layers[0].output) == "8x8x12"


def test_extends_loop_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b\n")
    (tmp_path / "b.yaml").write_text("extends: a\n")
    with pytest.raises(SpecError, match="extends") as caught:
        load(tmp_path / "a.yaml")
    assert caught.value.diagnostics[0].code == "E204"


def test_geometry_error_in_a_block_points_at_the_use_site() -> None:
    report = spec(
        "input: 7x7x1\nblocks:\n  b:\n    layers:\n      - conv: {filters: 1, kernel: 3, stride:"
        " 3}\nlayers:\n  - b\n"
    )
    (problem,) = report.diagnostics
    assert (problem.code, problem.span.line) == ("E301", 7)
    assert [span.line for _, span in problem.related] == [5]


PAIR_BLOCK = """
input: 17x17x8
blocks:
  cbr:
    args: {filters: ~, kernel: 1}
    layers:
      - conv: {filters: filters, kernel: kernel, pad: kernel // 2, bias: false}
      - relu
layers:
  - cbr: {filters: 4, kernel: [1, 7]}
  - cbr: {filters: 4, kernel: [7, 1]}
  - cbr: {filters: 4}
"""


def test_pair_arguments_work_element_wise() -> None:
    report = spec(PAIR_BLOCK)
    convs = [r for r in report.layers if r.node.layer.kind == "conv"]
    assert [r.cost.weights for r in convs] == [1 * 7 * 8 * 4, 7 * 1 * 4 * 4, 4 * 4]
    assert [r.node.layer.describe() for r in convs] == [
        "1x7/1 p0x3 nobias",
        "7x1/1 p3x0 nobias",
        "1x1/1 p0 nobias",
    ]
    assert {str(r.output) for r in convs} == {"17x17x4"}


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "filters: 4, kernel: [1, 7]",
            "filters: [1, 7], kernel: [1, 7]",
            "must be a single number, not the pair [1, 7]",
        ),
        ("pad: kernel // 2,", "pad: 1 if kernel > 1 else 0,", "a pair [1, 7] cannot be compared"),
    ],
)
def test_pairs_refused_where_one_number_is_needed(old: str, new: str, words: str) -> None:
    assert old in PAIR_BLOCK
    with pytest.raises(SpecError, match=re.escape(words)):
        spec(PAIR_BLOCK.replace(old, new))


DERIVED = """
input: 32x32x8
blocks:
  split:
    args: {width: ~, scale: 4, part: width // scale}
    let: {rest: width - part, wide: 2 * rest}
    layers:
      - conv: {filters: part, kernel: 1}
      - conv: {filters: rest, kernel: 1}
      - conv: {filters: wide, kernel: 1}
layers:
  - split: {width: 16}
  - split: {width: 24, scale: 3}
  - split: {width: 24, part: 2}
"""


def test_defaults_and_let_use_the_arguments_before_them() -> None:
    widths = [r.output.c for r in spec(DERIVED).layers]
    # part = width // scale unless given; rest = width - part; wide = 2 * rest
    assert widths == [4, 12, 24, 8, 16, 32, 2, 22, 44]


def test_let_value_that_fails_is_located_at_its_value_and_use_site() -> None:
    with pytest.raises(SpecError) as caught:
        spec(DERIVED.replace("wide: 2 * rest", "wide: 2 * nope"))
    (found,) = caught.value.diagnostics  # one place, however many instances
    assert (found.code, found.span.line, found.span.col) == ("E107", 6, 37)
    assert [(why, span.line) for why, span in found.related] == [("block used here", 12)]


REPEAT_AS = """
input: 16x16x3
layers:
  - conv: {filters: 8 + 4 * i, kernel: 1, repeat: {times: 3, as: i}}
  - conv: {filters: 2, kernel: 1, repeat: {times: 2}}
"""


def test_repeat_binds_its_index_from_zero() -> None:
    report = spec(REPEAT_AS)
    assert [(r.node.name, r.output.c) for r in report.layers] == [
        ("conv1", 8),
        ("conv2", 12),
        ("conv3", 16),
        ("conv4", 2),
        ("conv5", 2),
    ]


def test_repeat_index_reaches_block_arguments_only() -> None:
    text = """
input: 16x16x3
blocks:
  unit:
    args: {k: ~}
    layers: [{conv: {filters: k, kernel: 1}}]
layers:
  - unit: {k: 2 ** j, repeat: {times: 3, as: j}}
"""
    assert [r.output.c for r in spec(text).layers] == [1, 2, 4]
    inside = text.replace("filters: k,", "filters: j,")
    assert [c for c, _, _ in codes(inside)] == ["E107"]


@pytest.mark.parametrize(
    ("repeat", "code"),
    [("{times: 2, as: 3}", "E103"), ("{as: i}", "E105"), ("{times: 2, every: i}", "E101")],
)
def test_repeat_mapping_is_checked(repeat: str, code: str) -> None:
    text = f"input: 8x8x3\nlayers:\n  - conv: {{filters: 2, kernel: 1, repeat: {repeat}}}\n"
    assert [c for c, _, _ in codes(text)] == [code]


INPUT_SIZED = """
input: 64x48x3
params:
  half: input.h // 2
layers:
  - conv: {filters: input.c * 2, kernel: 3, pad: 1}
  - avgpool: {kernel: [half, input.w // 2]}
"""


def test_params_and_layers_use_the_input_volume() -> None:
    report = spec(INPUT_SIZED)
    assert [str(r.output) for r in report.layers] == ["64x48x6", "2x2x6"]


def test_input_override_evaluates_the_input_names_again() -> None:
    report = analyze(loads(INPUT_SIZED, "net.yaml"), input=Shape(40, 20, 5))
    assert [str(r.output) for r in report.layers] == ["40x20x10", "2x2x10"]
    assert report.spec.params["half"] == 20


def test_extends_with_another_input_evaluates_the_input_names_again(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(INPUT_SIZED)
    (tmp_path / "small.yaml").write_text("extends: base\ninput: 32x32x3\n")
    report = analyze(load(str(tmp_path / "small.yaml")))
    assert report.spec.params["half"] == 16
    assert str(report.layers[-1].output) == "2x2x6"


def test_only_input_takes_a_dotted_name() -> None:
    text = "input: 8x8x3\nlayers:\n  - fc: input.n\n"
    assert [c for c, _, _ in codes(text)] == ["E107"]
    assert [c for c, _, _ in codes(text.replace("input.n", "width.h"))] == ["E106"]


PREVIOUS = """
input: 8x8x4
layers:
  - conv: {filters: 4, kernel: 1, name: a}
  - conv: {filters: 4, kernel: 1, name: b}
  - add: {inputs: [previous, a]}
  - concat: {inputs: [previous, b, input]}
"""


def test_previous_names_the_layer_before() -> None:
    report = spec(PREVIOUS)
    names = [r.node.name for r in report.layers]
    inputs = [[names[i] if i >= 0 else "input" for i in r.node.inputs] for r in report.layers]
    assert inputs[2:] == [["b", "a"], ["add1", "b", "input"]]
    assert str(report.layers[-1].output) == "8x8x12"


def test_previous_in_a_block_starts_at_its_input() -> None:
    text = """
input: 8x8x4
blocks:
  twice:
    layers: [{concat: {inputs: [previous, input]}}]
layers:
  - conv: {filters: 2, kernel: 1}
  - twice
"""
    report = spec(text)
    assert report.layers[-1].node.inputs == (0, 0)
    assert str(report.layers[-1].output) == "8x8x4"


def test_no_layer_may_be_named_previous() -> None:
    text = "input: 8x8x3\nlayers:\n  - conv: {filters: 2, kernel: 1, name: previous}\n"
    assert [c for c, _, _ in codes(text)] == ["E203"]


def test_outputs_are_the_layers_nothing_else_takes() -> None:
    report = analyze(load("yolov3"))
    assert [(r.node.name, str(r.output)) for r in report.outputs] == [
        ("head1.out", "13x13x255"),
        ("head2.out", "26x26x255"),
        ("head3.out", "52x52x255"),
    ]
    assert output_lines(report) == [
        "Outputs:     3 heads: head1.out 13x13x255, head2.out 26x26x255, head3.out 52x52x255"
    ]


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("fcn_resnet50", ["Output:      out 520x520x21 (a map as large as the input)"]),
        ("unet", ["Output:      scores 388x388x2 (a map from input 572x572x1)"]),
        ("resnet50", []),  # a classifier's 1x1x1000 needs no line: the table ends with it
    ],
)
def test_a_dense_prediction_names_its_output_map(name: str, line: list[str]) -> None:
    report = analyze(load(name))
    assert output_lines(report) == line
    assert all(text in summary_lines(report) for text in line)
