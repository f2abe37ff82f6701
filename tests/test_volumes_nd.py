"""Volumes of any rank: 1-D (``L x C``) and 3-D (``D x H x W x C``) networks, written and checked
as images are.

The figures here are worked by hand from the formulas in each layer's docstring; PyTorch's own
figures for the same layers are recorded in ``tests/reference/layer_reference.json`` and for whole
networks in ``torch_reference.json``.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cnncalc import analyze, loads
from cnncalc.cli import cli
from cnncalc.errors import Problem, SpecError
from cnncalc.layers.conv import Conv
from cnncalc.receptive import receptive_fields
from cnncalc.shapes import Shape, parse_volume
from tests.helpers import network


def _spec(input: str, *layers: str) -> str:
    return f"input: {input}\nlayers:\n" + "".join(f"  - {item}\n" for item in layers)


def _errors(text: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(SpecError) as caught:
        loads(text) and analyze(loads(text))
    return [
        (d.code, d.span.line, d.span.col, d.message)
        for d in caught.value.diagnostics
        if d.span is not None
    ]


@pytest.mark.parametrize(
    ("text", "spatial", "channels", "printed"),
    [
        ("32000x1", (32000,), 1, "32000x1"),
        ("224x224x3", (224, 224), 3, "224x224x3"),
        ("16x112x112x3", (16, 112, 112), 3, "16x112x112x3"),
        (" 8 x 4 X 2 × 1 ", (8, 4, 2), 1, "8x4x2x1"),
    ],
)
def test_a_volume_keeps_the_rank_it_is_written_in(
    text: str, spatial: tuple[int, ...], channels: int, printed: str
) -> None:
    shape = parse_volume(text)
    assert (shape.spatial, shape.c, str(shape)) == (spatial, channels, printed)
    assert shape.rank == len(spatial)


@pytest.mark.parametrize("text", ["224", "1x2x3x4x5", "16x112x112x", "৪x4"])
def test_what_is_not_a_volume(text: str) -> None:
    with pytest.raises(Problem) as caught:
        parse_volume(text)
    assert caught.value.code == "E108"


def test_axis_letters_name_the_axes_a_volume_has() -> None:
    clip, signal = Shape(16, 112, 96, 3), Shape(32000, 1)
    assert (clip.d, clip.h, clip.w, clip.c) == (16, 112, 96, 3)
    assert (signal.l, signal.c, signal.positions, signal.numel) == (32000, 1, 32000, 32000)
    with pytest.raises(AttributeError, match="a 1-D volume 32000x1 has no axis 'h'"):
        _ = signal.h


@pytest.mark.parametrize(
    ("mapping", "printed"),
    [
        ("{l: 32000, c: 1}", "32000x1"),
        ("{h: 224, w: 224, c: 3}", "224x224x3"),
        ("{c: 3, w: 112, h: 112, d: 16}", "16x112x112x3"),  # named, so in any order
    ],
)
def test_the_mapping_form_names_the_axes(mapping: str, printed: str) -> None:
    assert str(loads(_spec(mapping, "relu")).input) == printed


def test_a_mapping_with_axes_of_no_rank_is_located() -> None:
    errors = _errors(_spec("{d: 16, w: 112, c: 3}", "relu"))
    assert [(code, line, column) for code, line, column, _ in errors] == [("E108", 1, 8)]


def test_a_scalar_applies_to_every_axis_and_a_list_gives_each() -> None:
    report = network("16x113x113x3", "conv: {filters: 64, kernel: 3, stride: [1, 2, 2], pad: 1}")
    conv = report.layers[-1]
    layer = conv.node.layer
    assert isinstance(layer, Conv)
    assert str(conv.output) == "16x57x57x64"
    assert layer.kernel == (3, 3, 3)
    assert layer.dilation == (1, 1, 1)  # a default, widened to the rank
    # weights 3*3*3*3*64, MACs per output 3*3*3*3
    assert (conv.cost.weights, conv.cost.biases, conv.cost.macs) == (
        5184,
        64,
        16 * 57 * 57 * 64 * 81,
    )
    assert layer.describe() == "3x3x3/1x2x2 p1"


def test_a_list_of_the_wrong_length_is_located_and_names_both() -> None:
    text = _spec("16x112x112x3", "conv: {filters: 8, kernel: [3, 3]}")
    assert _errors(text) == [
        (
            "E103",
            3,
            32,
            "'kernel' must be a number or a list of 3 numbers (one per axis of the 3-D input:"
            " depth, height, width), not 2",
        )
    ]


def test_a_param_list_of_the_wrong_length_is_located() -> None:
    text = "input: 100x8\nparams: {k: [3, 3]}\nlayers:\n  - conv: {filters: 8, kernel: k}\n"
    [(code, line, _, message)] = _errors(text)
    assert (code, line) == ("E103", 4)
    assert message.startswith(
        "'kernel' gives 2 numbers [3, 3], but the 1-D input has 1 spatial axis"
    )


@pytest.mark.parametrize(
    ("pad", "sides"),
    [
        ("1", (1, 1, 1, 1, 1, 1)),
        ("[0, 1, 1]", (0, 0, 1, 1, 1, 1)),
        ("[0, 1, 1, 2, 2, 3]", (0, 1, 1, 2, 2, 3)),  # before and after each axis
    ],
)
def test_padding_per_axis_and_per_side(pad: str, sides: tuple[int, ...]) -> None:
    report = network("8x8x8x1", f"zeropad: {pad}")
    assert getattr(report.layers[-1].node.layer, "pad", None) == sides
    d, h, w = (8 + sides[0] + sides[1], 8 + sides[2] + sides[3], 8 + sides[4] + sides[5])
    assert report.layers[-1].output == Shape(d, h, w, 1)


def test_one_dimensional_padding_of_two_is_before_and_after() -> None:
    assert str(network("10x4", "zeropad: [1, 2]").layers[-1].output) == "13x4"


def test_input_names_follow_the_rank() -> None:
    text = (
        "input: 16x112x96x3\n"
        "params: {frames: input.d, side: input.h + input.w}\n"
        "layers:\n  - conv: {filters: side, kernel: [frames, 1, 1]}\n"
    )
    out = analyze(loads(text)).layers[-1].output
    assert str(out) == "1x112x96x208"
    one_d = analyze(loads(_spec("50x8", "conv: {filters: input.l, kernel: 3}")))
    assert str(one_d.layers[-1].output) == "48x50"


def test_a_misfit_names_the_axis_that_misses() -> None:
    report = network("15x112x112x3", "maxpool: 2", rounding="floor")
    [note] = [d for d in report.diagnostics if d.code == "N301"]
    assert note.message == "pool1: depth (15 - 2 + 2·0)/2 + 1 = 7.5, rounded by floor to 7"


def test_the_fit_search_moves_each_axis_apart() -> None:
    spec = loads(_spec("16x112x112x3", "maxpool: 4"))
    report = analyze(spec, input=Shape(18, 112, 113, 3))
    exploration = report.exploration()
    assert exploration is not None
    assert exploration.below == Shape(16, 112, 112, 3)
    assert exploration.above == Shape(20, 112, 116, 3)


def test_receptive_fields_per_axis() -> None:
    report = network(
        "16x65x65x3",
        "conv: {filters: 8, kernel: [3, 7, 7], stride: [1, 2, 2], pad: [1, 3, 3]}",
        "maxpool: {kernel: [1, 3, 3], stride: [1, 2, 2], pad: [0, 1, 1]}",
    )
    field = receptive_fields(report.graph, report.layers)["pool1"]
    # depth: 3, jump 1; height and width: 7 + 2*2 = 11, jump 4
    assert (field.size, field.jump, field.padding) == ((3, 11, 11), (1, 4, 4), (1, 5, 5))


def test_concat_names_the_axes_that_must_agree() -> None:
    bad = analyze(
        loads(
            "input: 16x4\nlayers:\n  - conv: {filters: 4, kernel: 1, name: a}\n"
            "  - reshape: {shape: [8, 8], name: b, input: a}\n"
            "  - concat: {inputs: [a, b]}\n"
        )
    )
    [error] = [d for d in bad.diagnostics if d.code == "E304"]
    assert "concat needs inputs of one length" in error.message


@pytest.mark.parametrize(
    ("volume", "mode", "message"),
    [
        ("8x8x8x4", "bilinear", "mode bilinear is for 2-D maps, not the 3-D volume 8x8x8x4"),
        ("8x8x4", "trilinear", "mode trilinear is for 3-D maps, not the 2-D volume 8x8x4"),
        ("8x4", "bicubic", "mode bicubic is for 2-D maps, not the 1-D volume 8x4"),
    ],
)
def test_an_interpolating_mode_fits_one_rank(volume: str, mode: str, message: str) -> None:
    report = network(volume, f"upsample: {{scale: 2, mode: {mode}}}")
    assert [d.message for d in report.diagnostics if d.code == "E103"] == [
        f"upsample1 on {volume}: {message}"
    ]


def test_trilinear_and_linear_cost_their_taps() -> None:
    clip = network("4x4x4x2", "upsample: {scale: 2, mode: trilinear}").layers[-1]
    signal = network("10x3", "upsample: {scale: 2, mode: linear}").layers[-1]
    assert (str(clip.output), clip.cost.ops) == ("8x8x8x2", 8 * 8 * 8 * 2 * 8)
    assert (str(signal.output), signal.cost.ops) == ("20x3", 20 * 3 * 2)


def test_pixel_shuffle_is_for_images() -> None:
    report = network("8x16", "pixel_shuffle: 2")
    [error] = [d for d in report.diagnostics if d.code == "E306"]
    assert "pixel_shuffle needs an image (H x W x C), got the 1-D volume 8x16" in error.message


def test_fc_keeps_the_rank() -> None:
    assert str(network("4x7x7x512", "fc: 487").layers[-1].output) == "1x1x1x487"
    assert str(network("100x16", "flatten").layers[-1].output) == "1x1600"


def test_a_layer_built_in_python_must_match_the_rank() -> None:
    from cnncalc.errors import Span
    from cnncalc.expand import INPUT, Graph, GraphNode
    from cnncalc.infer import infer
    from cnncalc.shapes import Rounding

    layer = Conv(filters=4, kernel=(3, 3))
    node = GraphNode(name="conv", layer=layer, inputs=(INPUT,), span=Span("<python>", 1, 1))
    graph = Graph((node,))
    _, diagnostics = infer(graph, Shape(8, 8, 8, 1), Rounding.EXACT)
    assert [d.message for d in diagnostics] == [
        "conv on 8x8x8x1: 'kernel' has 2 values [3, 3], but 8x8x8x1 has 3 spatial axes (3 values)"
    ]


def test_input_of_another_rank_is_refused() -> None:
    spec = loads(_spec("224x224x3", "conv: {filters: 8, kernel: 3}"))
    with pytest.raises(Problem, match="input 224x224 has 1 spatial axis, the spec's input"):
        analyze(spec, input=Shape(224, 224))
    result = CliRunner().invoke(cli, ["show", "vgg16", "--input", "16x224x224x3"])
    assert result.exit_code == 2
    assert "has 3 spatial axes, the spec's input 224x224x3 has 2" in result.output


def test_json_gives_the_fields_per_axis() -> None:
    spec = _spec("16x32x32x3", "conv: {filters: 8, kernel: [3, 5, 5], pad: [1, 2, 2]}")
    result = CliRunner().invoke(cli, ["show", "-", "--format", "json"], input=spec)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    conv = document["layers"][1]
    assert conv["output"] == "16x32x32x8"
    assert conv["rf"]["size"] == [3, 5, 5]
    assert conv["rf"]["start"] == [0.5, 0.5, 0.5]


@pytest.mark.parametrize(
    ("args", "lines"),
    [
        (
            ["conv", "16x112x112x3", "--filters", "64", "--kernel", "3", "--pad", "1"],
            [
                "  depth: (16 - 3 + 2·1)/1 + 1 = 16",
                "  height and width: (112 - 3 + 2·1)/1 + 1 = 112",
                "  each filter: 3·3·3·3 + 1 = 82 params (+1 for the bias)",
                "  MACs: 16·112·112·64 outputs x 81 = 1,040,449,536",
            ],
        ),
        (
            ["conv", "32000x1", "--filters", "128", "--kernel", "80", "--stride", "4"],
            ["  length: (32000 - 80 + 2·0)/4 + 1 = 7981", "  output: 7981x128 (128 filters)"],
        ),
        (
            ["pool", "16x112x112x64", "--kernel", "1x2x2"],
            [
                "  depth: (16 - 1 + 2·0)/1 + 1 = 16",
                "  height and width: (112 - 2 + 2·0)/2 + 1 = 56",
                "  ops: 16·56·56·64 outputs x (1·2·2 - 1 = 3 comparisons) = 9,633,792",
            ],
        ),
        (
            ["pad", "--input", "16x112x112", "--kernel", "3", "--stride", "2"],
            [
                "  depth: input 16, kernel 3, stride 2",
                "  height and width: input 112, kernel 3, stride 2",
                "      pad 0 before, 1 after: (112 - 3 + 0 + 1)/2 + 1 = 56   ('same')",
            ],
        ),
        (["fc", "4x7x7x512", "--units", "487"], ["  inputs: 4·7·7·512 = 100,352 (flattened)"]),
    ],
)
def test_the_arithmetic_commands_take_any_rank(args: list[str], lines: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    shown = result.stdout.splitlines()
    assert [line for line in lines if line not in shown] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["conv", "16x112x112x3", "--filters", "8", "--kernel", "3x3"],
            "--kernel has 2 sizes but the volume has 3 spatial axes (depth, height, width)",
        ),
        (
            ["pool", "100x8", "--kernel", "2", "--pad", "1,2,3"],
            "pad '1,2,3' is not a padding: write P, 1 or 2 numbers",
        ),
        (
            ["pad", "--input", "16x112", "--kernel", "3x3x3"],
            "kernel has 3 sizes but the volume has 2 spatial axes (height, width)",
        ),
    ],
)
def test_per_axis_options_of_the_wrong_length_are_usage_errors(
    args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("input", "message"),
    [
        ("1x32000", "input 1x32000 reads as length 1, 32000 channels (cnncalc's order is LxC)"),
        (
            "3x16x112x112",
            "input 3x16x112x112 reads as depth 3, height 16, width 112, 112 channels"
            " (cnncalc's order is DxHxWxC)",
        ),
    ],
)
def test_channels_first_is_flagged_at_every_rank(input: str, message: str) -> None:
    spec = loads(_spec(input, "relu"))
    [warning] = spec.warnings
    assert (warning.code, warning.message) == ("W101", message)


_WINDOW = st.tuples(
    st.sampled_from(["conv", "maxpool", "avgpool"]),
    st.integers(1, 5),  # kernel
    st.integers(1, 3),  # stride
    st.integers(0, 2),  # padding
    st.integers(1, 2),  # dilation (conv only)
)


def _item(layer: tuple[str, int, int, int, int], lead: int) -> str:
    """A window layer whose last axis is ``layer``'s and whose ``lead`` axes before it are
    kernel 1, stride 1, no padding: the 1-D layer embedded in a higher rank."""
    kind, k, s, p, d = layer
    ones, zeros = [1] * lead, [0] * lead
    fields = f"kernel: {[*ones, k]}, stride: {[*ones, s]}, pad: {[*zeros, p]}"
    if kind == "conv":
        return f"conv: {{filters: 4, {fields}, dilation: {[*ones, d]}}}"
    return f"{kind}: {{{fields}}}"


@settings(max_examples=60, deadline=None)
@given(length=st.integers(8, 64), layers=st.lists(_WINDOW, min_size=1, max_size=4))
def test_a_signal_is_an_image_of_height_one(
    length: int, layers: list[tuple[str, int, int, int, int]]
) -> None:
    """Rank is only bookkeeping: the same windows on ``L x C``, on ``1 x L x C`` and on
    ``1 x 1 x L x C`` (the extra axes read by kernels of 1) give the same sizes, counts and
    fields, or the same refusal. Average pooling is left out at rank 3: PyTorch's ``AvgPool3d``
    alone refuses a kernel larger than the unpadded input (tests/layers/test_pool.py)."""

    def run(lead: int, chosen: list[tuple[str, int, int, int, int]]) -> tuple[object, ...]:
        volume = "x".join(["1"] * lead + [str(length), "3"])
        items = [_item(layer, lead) for layer in chosen]
        report = network(volume, *items, rounding="floor")
        errors = [d.code for d in report.diagnostics if d.code.startswith("E")]
        t = report.totals
        last = [r.output.spatial[-1] for r in report.layers]
        assert all(r.output.rank == lead + 1 for r in report.layers)
        assert all(r.output.spatial[:-1] == (1,) * lead for r in report.layers)
        tail = [(f.size[-1], f.jump[-1], f.padding[-1]) for f in report.fields.values()]
        return (errors, t.params, t.macs, t.ops, t.activations, last, tail)

    assert run(0, layers) == run(1, layers)
    no_average = [layer for layer in layers if layer[0] != "avgpool"] or [("conv", 1, 1, 0, 1)]
    assert run(0, no_average) == run(2, no_average)


_VALUE = st.one_of(
    st.integers(-1, 6), st.lists(st.integers(0, 6), min_size=0, max_size=7), st.just("same")
)
#: Each per-axis layer type with the field it needs and the ones it may have.
_FIELDS = {
    "conv": ("kernel", ("stride", "pad", "dilation")),
    "dwconv": ("kernel", ("stride", "pad", "dilation")),
    "conv_transpose": ("kernel", ("stride", "pad", "output_padding", "dilation")),
    "maxpool": ("kernel", ("stride", "pad")),
    "avgpool": ("kernel", ("stride", "pad")),
    "adaptive_maxpool": ("size", ()),
    "adaptive_avgpool": ("size", ()),
    "upsample": ("size", ("mode",)),
    "zeropad": ("pad", ()),
    "crop": ("sides", ()),
    "reshape": ("shape", ()),
}


@st.composite
def _layer(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(sorted(_FIELDS)))
    needed, optional = _FIELDS[kind]
    body: dict[str, object] = {needed: draw(_VALUE)}
    for name in draw(st.lists(st.sampled_from(optional), unique=True)) if optional else []:
        body[name] = (
            draw(st.sampled_from(["nearest", "linear", "bilinear", "trilinear"]))
            if name == "mode"
            else draw(_VALUE)
        )
    if kind in ("conv", "conv_transpose"):
        body["filters"] = 4
    return json.dumps({kind: body})


@settings(max_examples=80, deadline=None)
@given(
    spatial=st.lists(st.integers(1, 40), min_size=1, max_size=3),
    layers=st.lists(_layer(), min_size=1, max_size=5),
)
def test_any_per_axis_value_at_any_rank_ends_in_a_diagnostic_or_a_report(
    spatial: list[int], layers: list[str]
) -> None:
    """Lists of any length, negative and zero sizes, modes where numbers go, on volumes of every
    rank: ``check`` answers 0 or 1 with located diagnostics, never a traceback."""
    text = _spec("x".join(map(str, [*spatial, 3])), *layers)
    result = CliRunner().invoke(cli, ["check", "-", "--format", "json"], input=text)
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    lines = len(text.splitlines())
    for diagnostic in document["specs"][0]["diagnostics"]:
        assert 1 <= diagnostic["line"] <= lines
        assert diagnostic["col"] >= 1
