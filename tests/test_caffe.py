"""The Caffe importer: real prototxt files against PyTorch translations, the syntax and input
forms, phases, Caffe's layer rules, and located errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc import analyze, load, loads
from cnncalc.api import Report
from cnncalc.cli import cli
from cnncalc.errors import Diagnostic, SpecError
from cnncalc.importers import Format, native_figures
from cnncalc.importers.prototext import MAX_DEPTH, MAX_FIELDS, Literal, Message, parse
from cnncalc.layers.channels import ChannelSlice
from cnncalc.layers.conv import Conv
from cnncalc.layers.norm import BatchNorm
from cnncalc.shapes import Shape
from cnncalc.source import MAX_BYTES
from tests.importing import (
    SAMPLES,
    assert_matches_reference,
    assert_round_trip,
    assert_survives,
    lines_mutated,
    reference,
    samples,
)

CAFFE = samples("caffe_")
TORCH = json.loads((Path(__file__).parent / "reference" / "torch_reference.json").read_text())
INPUT = 'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n'


def caffe(text: str) -> Report:
    return analyze(loads(text, "t.prototxt", Format.CAFFE))


def problem(text: str, match: str) -> Diagnostic:
    """The first diagnostic of a prototxt that does not load; its message must match."""
    with pytest.raises(SpecError, match=match) as caught:
        loads(text, "t.prototxt", Format.CAFFE)
    return caught.value.diagnostics[0]


def layer(
    kind: str, params: str = "", bottom: str = "data", top: str = "out", name: str = ""
) -> str:
    """One layer, named after its top unless ``name`` is given."""
    return (
        f'layer {{ name: "{name or top}" type: "{kind}" bottom: "{bottom}" top: "{top}"'
        f" {params} }}\n"
    )


@pytest.mark.parametrize("sample", CAFFE, ids=lambda p: p.stem)
def test_sample_matches_its_pytorch_translation(sample: Path) -> None:
    assert_matches_reference(sample)


@pytest.mark.parametrize("sample", CAFFE, ids=lambda p: p.stem)
def test_sample_round_trips_through_convert(sample: Path) -> None:
    assert_round_trip(sample)


def test_resnet50_has_a_bias_on_conv1_that_torchvision_lacks() -> None:
    report = analyze(load(SAMPLES / "caffe_resnet50.prototxt"))
    conv1 = next(x for x in report.layers if x.node.name == "conv1")
    assert conv1.cost.biases == 64
    assert report.totals.params - TORCH["resnet50"]["total_params"] == 64


def test_alexnet_is_the_grouped_two_tower_model() -> None:
    report = analyze(load(SAMPLES / "caffe_bvlc_alexnet.prototxt"))
    groups = [x.node.layer.groups for x in report.layers if isinstance(x.node.layer, Conv)]
    assert groups == [1, 2, 1, 2, 2]
    assert report.totals.params < TORCH["alexnet"]["total_params"]  # single tower: 61,100,840


def test_squeezenet_1_0_pads_its_1x1_conv10() -> None:
    report = analyze(load(SAMPLES / "caffe_squeezenet_v1_0.prototxt"))
    conv10 = next(x for x in report.layers if x.node.name == "conv10")
    assert conv10.inputs[0].h + 2 == conv10.output.h  # 13x13 in, 15x15 out
    assert isinstance(conv10.node.layer, Conv)
    assert conv10.node.layer.pad == (1, 1, 1, 1)


def test_v1_and_v2_syntax_give_one_network() -> None:
    v1 = analyze(load(SAMPLES / "caffe_bvlc_alexnet_v1.prototxt"))
    v2 = analyze(load(SAMPLES / "caffe_bvlc_alexnet.prototxt"))
    assert [(x.node.name, x.node.layer, x.output) for x in v1.layers] == [
        (x.node.name, x.node.layer, x.output) for x in v2.layers
    ]


def test_the_test_phase_keeps_googlenets_auxiliary_heads() -> None:
    report = analyze(load(SAMPLES / "caffe_bvlc_googlenet_train_val.prototxt"))
    names = {x.node.name for x in report.layers}
    assert {"loss1/fc", "loss2/fc", "loss3/classifier"} <= names
    assert "loss1/loss" not in names  # a loss reads labels: no layer
    assert (
        report.input.h == reference(SAMPLES / "caffe_bvlc_googlenet_train_val.prototxt")["input"][0]
    )


@pytest.mark.parametrize(
    ("declaration", "volume"),
    [
        ('input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 9\ninput_dim: 7\n', "9x7x3"),
        ('input: "data"\ninput_shape { dim: 1 dim: 2 dim: 5 dim: 6 }\n', "5x6x2"),
        (
            'layer { name: "d" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4'
            " dim: 3 dim: 2 } } }\n",
            "3x2x4",
        ),
        (
            'layer { name: "d" type: "Input" top: "data" input_param { shape: { dim: [1, 1, 6, 6]'
            " } } }\n",
            "6x6x1",
        ),
        (
            'layers { name: "d" type: DATA top: "data" top: "label" transform_param { crop_size: 11'
            " } }\n",
            "11x11x3",
        ),
    ],
    ids=["input_dim", "input_shape", "input_param", "input_param_colon_list", "crop_size"],
)
def test_every_way_to_declare_the_input(declaration: str, volume: str) -> None:
    report = caffe(declaration + layer("ReLU"))
    assert str(report.input) == volume


def test_a_declared_batch_is_reported_and_figures_are_per_image() -> None:
    ten = caffe(
        'input: "data"\ninput_dim: 10 input_dim: 3 input_dim: 8 input_dim: 8\n' + layer("ReLU")
    )
    one = caffe(INPUT + layer("ReLU"))
    assert "batch of 10" in ten.spec.description
    assert ten.totals == one.totals


def test_phase_rules_are_honoured() -> None:
    text = INPUT + (
        'layer { name: "a" type: "ReLU" bottom: "data" top: "data" include { phase: TRAIN } }\n'
        'layer { name: "b" type: "TanH" bottom: "data" top: "data" include { phase: TEST } }\n'
        'layer { name: "c" type: "Sigmoid" bottom: "data" top: "data" exclude { phase: TEST } }\n'
        'layer { name: "d" type: "ReLU" bottom: "data" top: "data" }\n'
    )
    assert [x.node.name for x in caffe(text).layers] == ["b", "d"]


def test_comments_and_in_place_layers_and_shared_blobs() -> None:
    text = INPUT + (
        "# a comment\n"
        + layer("Convolution", "convolution_param { num_output: 4 kernel_size: 1 }", top="c")
        + layer("ReLU", bottom="c", top="c", name="relu")  # in place
        + layer("Convolution", "convolution_param { num_output: 2 kernel_size: 1 }", "c", "x")
        + layer("Convolution", "convolution_param { num_output: 2 kernel_size: 1 }", "c", "y")
        + 'layer { name: "sum" type: "Eltwise" bottom: "x" bottom: "y" top: "sum" }\n'
    )
    report = caffe(text)
    by_name = {x.node.name: x for x in report.layers}
    relu = report.graph.nodes.index(by_name["relu"].node)
    assert by_name["relu"].node.inputs == (relu - 1,)
    assert by_name["x"].node.inputs == by_name["y"].node.inputs == (relu,)
    assert str(by_name["sum"].output) == "8x8x2"


@pytest.mark.parametrize(
    ("params", "volume"),
    [
        ("kernel_size: 3 stride: 2", "4x4x3"),  # ceil((8 - 3)/2) + 1 = 4; PyTorch floors to 3
        ("kernel_size: 3 stride: 2 pad: 1", "5x5x3"),  # ceil(7/2) + 1 = 5, kept
        ("kernel_h: 2 kernel_w: 3 stride_h: 2 stride_w: 1", "4x6x3"),
        ("kernel_size: 3 stride: 2 round_mode: FLOOR", "3x3x3"),
        ("global_pooling: true pool: AVE", "1x1x3"),
        ("global_pooling: true pool: MAX", "1x1x3"),  # pooling_layer.cpp: kernel = bottom size
        ("kernel_size: 3", "6x6x3"),  # the stride defaults to 1, not to the kernel
    ],
)
def test_pooling_rounds_up_as_caffe_does(params: str, volume: str) -> None:
    report = caffe(INPUT + layer("Pooling", f"pooling_param {{ {params} }}"))
    assert str(report.layers[-1].output) == volume


def test_a_last_window_starting_in_the_padding_is_dropped() -> None:
    # pooling_layer.cpp: ceil((3 + 2 - 2)/2) + 1 = 3, and window 3 would start at 4 >= 3 + 1
    text = 'input: "data"\ninput_shape { dim: 1 dim: 1 dim: 3 dim: 3 }\n'
    report = caffe(text + layer("Pooling", "pooling_param { kernel_size: 2 stride: 2 pad: 1 }"))
    assert str(report.layers[-1].output) == "2x2x1"


def test_an_unpadded_window_narrower_than_its_stride_is_refused() -> None:
    d = problem(INPUT + layer("Pooling", "pooling_param { kernel_size: 1 stride: 2 }"), "not supp")
    assert d.code == "E102"
    assert "narrower than its stride" in d.message


def test_convolution_fields() -> None:
    params = (
        "convolution_param { num_output: 6 kernel_h: 3 kernel_w: 1 pad: 1 pad: 0 stride: 2"
        " group: 3 bias_term: false dilation: 1 }"
    )
    found = caffe(
        'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 9 dim: 9 }\n'
        + layer("Convolution", params)
    ).layers[-1]
    assert str(found.output) == "5x5x6"  # (9 + 2 - 3)/2 + 1 = 5, (9 - 1)/2 + 1 = 5
    assert (found.cost.weights, found.cost.biases) == (3 * 1 * 1 * 6, 0)


def test_batchnorm_and_scale_fold_into_one_affine_batchnorm() -> None:
    report = analyze(load(SAMPLES / "caffe_resnet50.prototxt"))
    norms = [x.node.layer for x in report.layers if isinstance(x.node.layer, BatchNorm)]
    assert len(norms) == 53
    assert all(norm.affine for norm in norms)
    assert not [x for x in report.layers if x.node.layer.kind == "layer_scale"]
    floats = dict(native_figures(report, Format.CAFFE))[".caffemodel floats"]
    assert floats == f"{report.totals.params + report.totals.buffers + 53:,}"


def test_batchnorm_alone_has_no_trainable_parameter() -> None:
    found = caffe(INPUT + layer("BatchNorm", bottom="data", top="data")).layers[-1]
    assert (found.cost.weights, found.cost.biases, found.cost.buffers) == (0, 0, 6)


def test_a_two_input_scale_multiplies() -> None:
    text = INPUT + layer("Pooling", "pooling_param { pool: AVE global_pooling: true }", top="g")
    text += 'layer { name: "s" type: "Scale" bottom: "data" bottom: "g" top: "s" }\n'
    found = caffe(text).layers[-1]
    assert found.node.layer.kind == "mul"
    assert found.cost.weights == 0


def test_slice_cuts_channels_at_its_points() -> None:
    text = 'input: "data"\ninput_shape { dim: 1 dim: 10 dim: 2 dim: 2 }\n'
    text += 'layer { name: "s" type: "Slice" bottom: "data" top: "a" top: "b" top: "c"'
    text += " slice_param { slice_point: 2 slice_point: 5 } }\n"
    parts = [
        (x.node.layer.start, x.output.c)
        for x in caffe(text).layers
        if isinstance(x.node.layer, ChannelSlice)
    ]
    assert parts == [(0, 2), (2, 3), (5, 5)]


def test_split_adds_no_layer() -> None:
    text = INPUT + 'layer { name: "sp" type: "Split" bottom: "data" top: "a" top: "b" }\n'
    text += layer("ReLU", bottom="a", top="r") + layer("TanH", bottom="b", top="t")
    assert [x.node.inputs for x in caffe(text).layers] == [(-1,), (-1,)]


@pytest.mark.parametrize(
    ("params", "side", "biases"),
    [
        ("num_output: 2 kernel_size: 4 stride: 2 pad: 1", 16, 2),  # (8-1)2 + 4 - 2 = 16
        ("num_output: 2 kernel_size: 4 stride: 2 bias_term: false", 18, 0),  # (8-1)2 + 4 = 18
        ("num_output: 2 kernel_size: 4 stride: 2 pad: 1 dilation: 2", 19, 2),  # 14 + 7 - 2
    ],
)
def test_deconvolution(params: str, side: int, biases: int) -> None:
    """deconv_layer.cpp: out = stride (in - 1) + dilation (k - 1) + 1 - 2 pad; 3 in, 2 out, 4x4."""
    out = caffe(INPUT + layer("Deconvolution", f"convolution_param {{ {params} }}")).layers[0]
    assert (str(out.output), out.node.layer.kind) == (f"{side}x{side}x2", "conv_transpose")
    assert (out.cost.weights, out.cost.biases) == (3 * 2 * 4 * 4, biases)
    assert out.cost.macs == 8 * 8 * 3 * 2 * 4 * 4  # every input position scatters its weights


@pytest.mark.parametrize(
    ("params", "weights"), [("", 3), ("prelu_param { channel_shared: true }", 1)]
)
def test_prelu_learns_a_slope_per_channel_unless_shared(params: str, weights: int) -> None:
    out = caffe(INPUT + layer("PReLU", params)).layers[0]
    assert (out.node.layer.kind, out.cost.weights) == ("prelu", weights)


def test_elu_keeps_its_alpha() -> None:
    out = caffe(INPUT + layer("ELU", "elu_param { alpha: 0.5 }")).layers[0]
    assert (out.node.layer.kind, getattr(out.node.layer, "alpha", None)) == ("elu", 0.5)


#: A 6x6x2 blob "small" (a 3x3 conv of the 8x8 data) to crop the data to.
SMALL = layer("Convolution", "convolution_param { num_output: 2 kernel_size: 3 }", top="small")


@pytest.mark.parametrize(
    ("params", "volume", "sides"),
    [
        ("crop_param { axis: 2 offset: 1 }", "6x6x3", (1, 1, 1, 1)),
        ("crop_param { offset: 2 offset: 0 }", "6x6x3", (2, 0, 0, 2)),  # one per axis, H then W
        ("", "6x6x3", (0, 2, 0, 2)),  # offset 0 on H and W (axis 2)
        ("crop_param { axis: 3 offset: 1 }", "8x6x3", (0, 0, 1, 1)),  # H kept
        ("crop_param { axis: -1 offset: 1 }", "8x6x3", (0, 0, 1, 1)),  # -1 is W
    ],
)
def test_crop_to_the_second_bottom_at_offsets(
    params: str, volume: str, sides: tuple[int, ...]
) -> None:
    """crop_layer.cpp: every axis from 'axis' takes bottom[1]'s size, starting at its offset."""
    text = INPUT + SMALL + 'layer { name: "c" type: "Crop" bottom: "data" bottom: "small" '
    report = caffe(text + f'top: "c" {params} }}\n')
    crop = report.layers[-1]
    assert (str(crop.output), getattr(crop.node.layer, "sides", None)) == (volume, sides)
    assert crop.inputs == (Shape(8, 8, 3),)  # the data only: the second bottom gives a size


@pytest.mark.parametrize(
    ("params", "volume"),
    [
        ("shape { dim: 0 dim: -1 }", "1x1x192"),  # 3 x 8 x 8 inferred
        ("shape { dim: 0 dim: 0 dim: -1 dim: 4 }", "16x4x3"),  # 192 / (3 x 4) = 16
        ("axis: 2 shape { dim: 4 dim: -1 }", "4x16x3"),  # H, W only
        ("axis: 1 num_axes: 2 shape { dim: 24 }", "8x1x24"),  # C, H to 3 x 8: 1, 24, 8 is N, C, H
    ],
)
def test_reshape_copies_0_and_infers_minus_1(params: str, volume: str) -> None:
    out = caffe(INPUT + layer("Reshape", f"reshape_param {{ {params} }}")).layers[0]
    assert (str(out.output), out.node.layer.kind) == (volume, "reshape")


@pytest.mark.parametrize(
    ("text", "code", "match"),
    [
        (layer("Reshape", "reshape_param { shape { dim: -1 dim: -1 } }"), "E104", "at most one"),
        (layer("Reshape", "reshape_param { shape { dim: 0 dim: 5 dim: -1 } }"), "E306", "infer"),
        (layer("Reshape", "reshape_param { shape { dim: 2 dim: -1 } }"), "E102", "2 x 96"),
        (layer("Reshape", "reshape_param { shape { dim: -2 } }"), "E104", "'dim' must be -1"),
        (SMALL + layer("Crop", "crop_param { offset: 3 }", 'data" bottom: "small'), "E306", "past"),
        (
            SMALL
            + layer("Crop", "crop_param { offset: 1 offset: 1 offset: 1 }", 'data" bottom: "small'),
            "E104",
            "3 offsets",
        ),
        (
            SMALL + layer("Crop", "crop_param { axis: 1 }", 'data" bottom: "small'),
            "E102",
            "channels",
        ),
        (layer("Crop"), "E105", "two bottoms"),
    ],
)
def test_reshape_and_crop_refusals(text: str, code: str, match: str) -> None:
    d = problem(INPUT + text, match)
    assert (d.code, d.span.line) == (code, text.count("\n") + 2)


@pytest.mark.parametrize(
    ("kind", "needs"),
    [("Embed", "embedding"), ("AbsVal", "abs"), ("SPP", "pyramid"), ("Bias", "bias")],
)
def test_types_cnncalc_lacks_yet_are_named_with_their_line(kind: str, needs: str) -> None:
    d = problem(INPUT + layer(kind), f"Caffe layer type '{kind}' is not supported yet")
    assert (d.code, d.span.line) == ("E102", 3)
    assert d.hint is not None
    assert needs in d.hint


def test_a_custom_type_is_unknown() -> None:
    d = problem(INPUT + layer("Axpy"), "unknown Caffe layer type 'Axpy'")
    assert (d.code, d.span.line, d.span.col) == ("E102", 3, 27)


def test_a_bottom_nobody_produces_names_the_blob() -> None:
    d = problem(INPUT + layer("ReLU", bottom="dat"), "bottom 'dat' is produced by no layer")
    assert d.code == "E201"
    assert d.hint == "did you mean 'data'?"


def test_a_shape_error_quotes_the_prototxt_line() -> None:
    text = INPUT + layer("Convolution", "convolution_param { num_output: 2 kernel_size: 9 }")
    report = caffe(text)
    d = report.diagnostics[0]
    assert (d.code, d.span.file, d.span.line) == ("E302", "t.prototxt", 3)
    assert report.sources["t.prototxt"] == text


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a {", "ends inside"),
        ("a: }", "expected a value"),
        ("a b", "expected ':'"),
        ('a: "open', "unexpected"),
        ("a {" * (MAX_DEPTH + 2), "nested deeper"),
    ],
)
def test_syntax_errors_are_located(text: str, match: str) -> None:
    with pytest.raises(SpecError, match=match) as caught:
        parse("t.prototxt", text)
    assert caught.value.diagnostics[0].code in ("E003", "E007")


def test_text_format_details() -> None:
    root = parse("t", "a: 'x' \"y\"  # joined\nb < c: -1.5e3 >\nd: [1, 2];\ne: ENUM\n")
    a, b = root.all("a")[0][0], root.all("b")[0][0]
    assert a == Literal("xy", False, a.span)
    assert [v for v, _ in root.all("d")] == [Literal(1, False, a.span), Literal(2, False, a.span)]
    assert isinstance(b, Message)
    assert b.all("c")[0][0] == Literal(-1500.0, False, b.span)
    assert root.all("e")[0][0] == Literal("ENUM", True, b.span)


def test_cli_show_check_diff_and_convert(tmp_path: Path) -> None:
    sample = SAMPLES / "caffe_bvlc_alexnet.prototxt"
    shown = CliRunner().invoke(cli, ["show", str(sample), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["totals"]["params"] == reference(sample)["total_params"]
    assert ".caffemodel floats" in shown.stderr
    renamed = tmp_path / "net.txt"
    renamed.write_text(sample.read_text())
    forced = CliRunner().invoke(cli, ["show", str(renamed), "--from", "caffe", "--format", "json"])
    assert json.loads(forced.stdout)["totals"] == json.loads(shown.stdout)["totals"]
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "a.prototxt").write_text(sample.read_text())
    (folder / "b.yaml").write_text((Path("architectures") / "alexnet.yaml").read_text())
    checked = CliRunner().invoke(cli, ["check", str(folder)])
    assert checked.exit_code == 0, checked.output
    assert "2 specs checked: 2 ok, 0 failed" in checked.stdout
    diffed = CliRunner().invoke(cli, ["diff", str(sample), "alexnet"])
    assert diffed.exit_code == 0, diffed.output
    # the BVLC file is the paper's two-tower AlexNet, the built-in 'alexnet'
    assert "60,965,224 → 60,965,224 (+0, +0.0%)" in diffed.stdout
    out = tmp_path / "alexnet_caffe.yaml"
    converted = CliRunner().invoke(cli, ["convert", str(sample), "-o", str(out)])
    assert converted.exit_code == 0, converted.output
    assert analyze(load(out)).totals == analyze(load(sample)).totals


def test_convert_refuses_a_yaml_file() -> None:
    result = CliRunner().invoke(cli, ["convert", "architectures/vgg16.yaml"])
    assert result.exit_code == 2
    assert "--from" in result.stderr


@pytest.mark.parametrize(
    ("params", "code", "match"),
    [
        ("pooling_param { kernel_size: 2 pad: 2 }", "E104", "must be smaller than the kernel"),
        ("pooling_param { kernel_size: 0 }", "E104", "'kernel_size' must be a whole number of"),
        ("pooling_param { kernel_h: 3 }", "E105", "give both 'kernel_h' and 'kernel_w'"),
        ("pooling_param { stride: 2 }", "E105", "needs 'kernel_size'"),
        ("pooling_param { pool: MIN kernel_size: 2 }", "E103", "'pool' must be one of"),
        ("pooling_param { kernel_size: 2 stride: 1 stride: 1 stride: 1 }", "E103", "3 times"),
    ],
)
def test_pooling_fields_caffe_refuses(params: str, code: str, match: str) -> None:
    assert problem(INPUT + layer("Pooling", params), match).code == code


def test_a_layer_name_used_twice_is_located() -> None:
    text = INPUT + layer("ReLU", top="a", name="x") + layer("TanH", bottom="a", top="b", name="x")
    with pytest.raises(SpecError, match="a layer named 'x' already exists") as caught:
        caffe(text)
    assert caught.value.diagnostics[0].span.line == 4


def test_many_slices_stop_at_the_inference_budget() -> None:
    """Each Slice infers the layers before it to learn its channels: a file of thousands would
    cost their square, so the total is bounded (E007) and the file refused quickly."""
    part = 'layer { type: "Slice" bottom: "data" top: "data" top: "e"'
    part += " slice_param { slice_point: 1 } }\n"
    part += 'layer { type: "Concat" bottom: "data" bottom: "e" top: "data" }\n'
    d = problem(INPUT + part * 400, "would infer more than")
    assert d.code == "E007"


def test_a_value_cnncalc_refuses_is_shown_where_the_prototxt_writes_it() -> None:
    params = "convolution_param {\n  num_output: 99999999 kernel_size: 3 }"
    with pytest.raises(SpecError, match="above the limit") as caught:
        caffe(INPUT + layer("Convolution", params))  # refused by cnncalc's conv, not the importer
    d = caught.value.diagnostics[0]
    assert (d.code, d.span.line, d.span.col) == ("E007", 4, 15)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_samples_never_crash(data: st.DataObject) -> None:
    sample = data.draw(st.sampled_from([p for p in CAFFE if "googlenet" not in p.stem]))
    assert_survives(lines_mutated(sample.read_text(), data), "m.prototxt", Format.CAFFE)


def test_show_reports_the_declared_batch_and_an_assumed_channel_count() -> None:
    deploy = CliRunner().invoke(cli, ["show", str(SAMPLES / "caffe_bvlc_alexnet.prototxt")])
    assert "Read from the Caffe file: the file declares a batch of 10" in deploy.stderr
    train = SAMPLES / "caffe_bvlc_googlenet_train_val.prototxt"
    shown = CliRunner().invoke(cli, ["show", str(train), "--format", "json"])
    assert "3 channels assumed" in shown.stderr


def test_a_folder_walk_skips_files_that_only_share_the_extension(tmp_path: Path) -> None:
    (tmp_path / "deploy.prototxt").write_text(INPUT + layer("ReLU"))
    (tmp_path / "solver.prototxt").write_text('net: "deploy.prototxt"\nbase_lr: 0.01\n')
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n")
    (tmp_path / "yolo.cfg").write_text("[net]\nwidth=8\nheight=8\nchannels=3\n[softmax]\n")
    checked = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert checked.exit_code == 0, checked.output
    assert "2 specs checked: 2 ok" in checked.stdout
    named = CliRunner().invoke(cli, ["check", str(tmp_path / "solver.prototxt")])
    assert named.exit_code == 1  # named, it is checked, and is no network


def test_too_many_fields_is_a_limit() -> None:
    text = "a:1\n" * (MAX_FIELDS + 1)
    assert len(text) < MAX_BYTES  # within the size limit: this limit is its own
    with pytest.raises(SpecError, match="more than 50,000 fields") as caught:
        parse("t.prototxt", text)
    assert caught.value.diagnostics[0].span.line == MAX_FIELDS + 1
