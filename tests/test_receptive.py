"""Receptive fields against the slides (three 3x3 convs = one 7x7) and the published tables
(google-research/receptive_field RECEPTIVE_FIELD_TABLE.md, the library behind Araujo et al.,
Distill 2019), plus the recurrence on hand-checked small cases."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnncalc import analyze, load, loads
from cnncalc.api import Report
from cnncalc.exact import Exact
from cnncalc.expand import Graph, GraphNode
from cnncalc.infer import LayerResult
from cnncalc.layers import Context, Layer
from cnncalc.layers.base import Window
from cnncalc.library import builtin_names
from cnncalc.receptive import Field, path, receptive_fields
from cnncalc.render.data import json_exact, rf_dict
from cnncalc.render.rows import rf_text
from cnncalc.shapes import Shape
from tests.helpers import network


def fields(report: Report) -> dict[str, Field]:
    return receptive_fields(report.graph, report.layers)


def size_jump_padding(report: Report, name: str) -> tuple[Exact, Exact, Exact]:
    field = fields(report)[name]
    assert (field.size[0], field.jump[0]) == (field.size[1], field.jump[1])
    return field.size[0], field.jump[0], field.padding[0]


def test_three_3x3_convs_see_7x7_as_the_vgg_slide_says() -> None:
    report = network("32x32x3", *["conv: {filters: 8, kernel: 3, pad: 1}"] * 3)
    assert [fields(report)[f"conv{i}"].size for i in (1, 2, 3)] == [(3, 3), (5, 5), (7, 7)]


@given(st.integers(min_value=1, max_value=12))
def test_n_stacked_3x3_stride_1_convs_see_2n_plus_1(n: int) -> None:
    report = network("64x64x1", *["conv: {filters: 1, kernel: 3, pad: 1}"] * n)
    assert fields(report)[f"conv{n}"].size == (2 * n + 1, 2 * n + 1)


def test_recurrence_with_stride_dilation_and_padding() -> None:
    # conv 3x3/2 p1: r = 3, j = 2, P = 1, start = 3/2 - 1 = 0.5 (the first pixel's centre).
    # Then a 3x3 conv with dilation 2 (spans 5), pad 2: r = 3 + 4*2 = 11, j = 2, P = 1 + 2*2 = 5.
    report = network(
        "33x33x1",
        "conv: {filters: 1, kernel: 3, stride: 2, pad: 1}",
        "conv: {filters: 1, kernel: 3, dilation: 2, pad: 2}",
    )
    first, second = fields(report)["conv1"], fields(report)["conv2"]
    assert (first.size, first.jump, first.padding, first.start) == (
        (3, 3),
        (2, 2),
        (1, 1),
        (0.5, 0.5),
    )
    assert (second.size, second.jump, second.padding, second.start) == (
        (11, 11),
        (2, 2),
        (5, 5),
        (0.5, 0.5),
    )


def test_non_square_kernel_keeps_axes_apart() -> None:
    report = network(
        "32x32x1",
        "conv: {filters: 1, kernel: [1, 7], pad: [0, 3]}",
        "maxpool: {kernel: [2, 1], stride: [2, 1]}",
    )
    assert fields(report)["pool1"].size == (2, 7)
    assert fields(report)["pool1"].jump == (2, 1)


def test_global_layers_read_the_whole_map() -> None:
    # 8x8 map at jump 4 after conv 4x4/4: gap spans 4 + (8 - 1)*4 = 32, the whole 32x32 input.
    report = network("32x32x1", "conv: {filters: 2, kernel: 4, stride: 4}", "gap", "fc: 10")
    assert fields(report)["pool1"].size == (32, 32)
    assert fields(report)["fc1"].size == (32, 32)


# (spec, layer, size, jump, effective padding); the published rows are named in the comment.
PUBLISHED = [
    ("alexnet", "conv5", 163, 16, 64),  # alexnet_v2/conv5
    ("alexnet", "pool3", 195, 32, 64),  # alexnet_v2/pool5
    ("alexnet_torchvision", "pool3", 195, 32, 66),  # same RF; torchvision pads conv1 by 2
    ("vgg11", "stage5.unit2.conv1", 134, 16, 59),  # vgg_a/conv5/conv5_2
    ("vgg11", "stage5.pool1", 150, 32, 59),  # vgg_a/pool5
    ("vgg13", "stage5.pool1", 156, 32, 62),  # torchscan README: vgg13 156
    ("vgg19", "stage5.pool1", 268, 32, 118),  # torchscan README: vgg19 268
    ("vgg16", "stage1.pool1", 6, 2, 2),  # vgg_16/pool1
    ("vgg16", "stage5.unit2.conv1", 164, 16, 74),  # vgg_16/conv5/conv5_2
    ("vgg16", "stage5.unit3.conv1", 196, 16, 90),  # conv5_3: one 3x3 at jump 16 past conv5_2
    ("vgg16", "stage5.pool1", 212, 32, 90),  # vgg_16/pool5
    ("resnet50", "layer1.bottleneck3.add1", 35, 4, 17),  # v1.5; slim's block1 is 35 too
    ("resnet50", "layer2.bottleneck4.add1", 91, 8, 45),  # v1.5: stride on the 3x3 widens less
    ("resnet50", "layer3.bottleneck6.add1", 267, 16, 133),
    ("resnet50", "layer4.bottleneck3.add1", 427, 32, 213),  # torchvision v1.5 (v1: 483)
    (
        "mobilenet_v1",
        "separable13.conv1",
        315,
        32,
        157,
    ),  # Conv2d_13_pointwise; TF's 'same' pads 126
]


@pytest.mark.parametrize(
    ("spec", "layer", "size", "jump", "padding"),
    PUBLISHED,
    ids=[f"{s}-{layer}" for s, layer, *_ in PUBLISHED],
)
def test_published_receptive_fields(
    spec: str, layer: str, size: int, jump: int, padding: int
) -> None:
    assert size_jump_padding(analyze(load(spec)), layer) == (size, jump, padding)


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_layer_has_a_field(name: str) -> None:
    # A layer type that resized the map without declaring its window() would leave holes here.
    report = analyze(load(name))
    assert set(fields(report)) == {r.node.name for r in report.layers}


def test_resnet50_v1_matches_the_published_483() -> None:
    # resnet_v1_50 block1..block4: 35, 99, 291, 483 (stride on the first 1x1 conv).
    report = analyze(loads("extends: resnet50\nparams: {v1: 1}\n", "resnet50_v1.yaml"))
    ends = [f"layer{i}.bottleneck{n}.add1" for i, n in ((1, 3), (2, 4), (3, 6), (4, 3))]
    assert [size_jump_padding(report, end)[0] for end in ends] == [35, 99, 291, 483]


def test_branches_take_the_largest_field_and_name_its_path() -> None:
    report = analyze(load("resnet50"))
    found = fields(report)
    add = found["layer2.bottleneck1.add1"]
    assert add.aligned
    assert add.via == "layer2.bottleneck1.bn3"  # the main branch, not the 1x1 projection
    steps = path(found, "layer2.bottleneck1.add1")
    assert (steps[0], steps[-1]) == ("input", "layer2.bottleneck1.add1")
    assert "layer2.bottleneck1.conv2" in steps
    assert "layer2.bottleneck1.conv4" not in steps  # the projection shortcut


def test_merge_of_centred_branches_takes_the_largest_field() -> None:
    # Branch 1: conv 3 on 8x8 -> 6x6, field [0, 3). Branch 2: pad 1, conv 3, pool 3 -> 6x6,
    # field [-1, 4). Both centred on 1.5: the union is the larger, 5.
    text = """input: 8x8x1
layers:
  - concat:
      - [{conv: {filters: 1, kernel: 3}}]
      - [{zeropad: 1}, {conv: {filters: 1, kernel: 3}}, {maxpool: {kernel: 3, stride: 1}}]
"""
    merged = fields(analyze(loads(text, "centred.yaml")))["concat1"]
    assert (merged.size, merged.padding, merged.aligned) == ((5, 5), (1, 1), True)
    assert merged.via == "pool1"


def test_a_broadcast_gate_is_left_out() -> None:
    # Squeeze-and-excitation: x * gate(x), the gate global (gap then fc). The field stays the
    # conv's.
    text = """input: 16x16x8
layers:
  - conv: {filters: 8, kernel: 3, pad: 1}
  - mul:
      - []
      - [gap, {fc: 2}, relu, {fc: 8}, sigmoid]
"""
    found = fields(analyze(loads(text, "se.yaml")))
    assert found["pool1"].size == (18, 18)  # the gate itself is global: 3 + (16 - 1)
    assert (found["mul1"].size, found["mul1"].via, found["mul1"].aligned) == ((3, 3), "conv1", True)


def test_se_resnet50_keeps_the_local_field_of_resnet50_v1() -> None:
    assert size_jump_padding(analyze(load("se_resnet50")), "layer4.bottleneck3.add1")[0] == 483


def test_unaligned_merge_takes_the_union_and_says_so() -> None:
    # Both branches see 5 pixels, one [-2, 3) and the other [0, 5): together [-2, 5), 7 pixels.
    text = """input: 9x9x1
layers:
  - concat:
      - [{zeropad: [2, 0, 2, 0]}, {conv: {filters: 1, kernel: 5}}]
      - [{zeropad: [0, 2, 0, 2]}, {conv: {filters: 1, kernel: 5}}]
"""
    merged = fields(analyze(loads(text, "unaligned.yaml")))["concat1"]
    assert (merged.size, merged.padding, merged.aligned) == ((7, 7), (2, 2), False)


class _Crop(Layer):
    """A layer that halves the map without declaring its window (not registered)."""

    def infer(self, inputs: tuple[Shape, ...], ctx: Context) -> Shape:
        return Shape(inputs[0].h // 2, inputs[0].w // 2, inputs[0].c)


def test_a_layer_that_resizes_without_a_window_gets_no_field() -> None:
    report = network("8x8x1", "relu")
    relu = report.layers[0]
    crop = GraphNode("crop", _Crop(), (0,), relu.node.span)
    after = GraphNode("relu2", relu.node.layer, (1,), relu.node.span)
    graph = Graph((relu.node, crop, after))
    results = (
        relu,
        LayerResult(crop, relu.inputs, Shape(4, 4, 1), relu.cost),
        LayerResult(after, (Shape(4, 4, 1),), Shape(4, 4, 1), relu.cost),
    )
    assert set(receptive_fields(graph, results)) == {"relu1"}


# -- exact values ----------------------------------------------------------------------------------

#: Three 1x1 convs of stride 10^7 make the jump 10^21; a 3x3 conv padded only after (0, 2) then
#: gives r = 1 + 2·10^21 and P = 0, so start = r/2 - P = 10^21 + 1/2, beyond any float.
HUGE_JUMP = (
    "conv: {filters: 1, kernel: 1, stride: 10000000}",
    "conv: {filters: 1, kernel: 1, stride: 10000000}",
    "conv: {filters: 1, kernel: 1, stride: 10000000}",
    "conv: {filters: 1, kernel: 3, pad: [0, 2, 0, 2]}",
)


def test_a_start_beyond_a_float_is_exact_in_every_format() -> None:
    report = network("1x1x1", *HUGE_JUMP)
    field = fields(report)["conv4"]
    assert field.jump == (10**21, 10**21)
    assert field.start == (Fraction(2 * 10**21 + 1, 2), Fraction(2 * 10**21 + 1, 2))
    assert rf_text(field) == (
        "2000000000000000000001",
        "1000000000000000000000",
        "1000000000000000000000.5",
    )
    json_field = json.loads(json.dumps(rf_dict(field)))
    assert json_field["size"] == [2 * 10**21 + 1] * 2  # a JSON integer, every digit
    assert json_field["start"] == ["1000000000000000000000.5"] * 2  # a float would lose the .5


@pytest.mark.parametrize(
    ("value", "point", "shown"),
    [
        (16, True, "16.0"),  # starts have always carried a point
        (16, False, "16"),
        (Fraction(11, 2), True, "5.5"),
        (Fraction(-3, 2), True, "-1.5"),
        (Fraction(1, 5), False, "0.2"),  # the float's shortest text is the exact decimal
        (Fraction(1, 3), False, '"1/3"'),
        (2**60, True, "1152921504606846976"),  # a float would print 1.152921504606847e+18
        (Fraction(2**60 + 1, 2), True, '"576460752303423488.5"'),
    ],
)
def test_json_prints_exact_values_exactly(value: Exact, point: bool, shown: str) -> None:
    assert json.dumps(json_exact(value, point)) == shown


def test_a_fractional_jump_gives_an_exact_field() -> None:
    """A layer that upsamples by 2 halves the jump; a 3x3 window after it (pad 1) then spans
    r = 1 + 2·(1/2) = 2 input pixels, P = 1·(1/2), start = 2/2 - 1/2 = 1/2."""
    upsampled = Field((1, 1), (Fraction(1, 2), Fraction(1, 2)), (0, 0))
    field = upsampled.through(Window(kernel=(3, 3), pad=(1, 1)), "up")
    assert (field.size, field.padding, field.start) == (
        (2, 2),
        (Fraction(1, 2), Fraction(1, 2)),
        (Fraction(1, 2), Fraction(1, 2)),
    )
    assert rf_text(field) == ("2", "0.5", "0.5")
    thirds = Field((1, 1), (Fraction(1, 3), Fraction(1, 3)), (0, 0)).through(
        Window(kernel=(2, 2)), "up"
    )
    assert rf_text(thirds) == ("4/3", "1/3", "2/3")
    assert rf_dict(thirds) == {
        "size": ["4/3", "4/3"],
        "jump": ["1/3", "1/3"],
        "start": ["2/3", "2/3"],
        "padding": [0, 0],
        "via": "up",
        "aligned": True,
    }
