"""The darknet importer: real cfg files against PyTorch translations, darknet's own figures, the
cfg syntax, darknet's layer rules, and located errors."""

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
from cnncalc.importers.darknet import MAX_SECTIONS
from cnncalc.layers.channels import ChannelSlice
from cnncalc.shapes import Shape
from cnncalc.source import MAX_BYTES
from tests.importing import (
    REFERENCE,
    SAMPLES,
    assert_matches_reference,
    assert_round_trip,
    assert_survives,
    lines_mutated,
    reference,
    samples,
)

DARKNET = samples("darknet_")
NET = "[net]\nwidth=8\nheight=8\nchannels=4\n"


def darknet(text: str) -> Report:
    return analyze(loads(text, "t.cfg", Format.DARKNET))


def problem(text: str, match: str) -> Diagnostic:
    with pytest.raises(SpecError, match=match) as caught:
        loads(text, "t.cfg", Format.DARKNET)
    return caught.value.diagnostics[0]


@pytest.mark.parametrize("sample", DARKNET, ids=lambda p: p.stem)
def test_sample_matches_its_pytorch_translation(sample: Path) -> None:
    assert_matches_reference(sample)


@pytest.mark.parametrize("sample", DARKNET, ids=lambda p: p.stem)
def test_sample_round_trips_through_convert(sample: Path) -> None:
    assert_round_trip(sample)


@pytest.mark.parametrize("sample", DARKNET, ids=lambda p: p.stem)
def test_darknets_own_figures(sample: Path) -> None:
    """pjreddie's BFLOPs are 2 x conv MACs; a .weights file holds every parameter and BN's
    rolling mean and variance (the translation's buffers), after a 20-byte header."""
    ref = reference(sample)
    figures = dict(native_figures(analyze(load(sample)), Format.DARKNET))
    assert figures["BFLOPs (pjreddie)"] == f"{2 * ref['macs'] / 1e9:.3f}"
    floats = ref["total_params"] + ref["buffers"]
    assert figures[".weights floats"] == f"{floats:,} ({20 + 4 * floats:,} bytes)"


def test_alexeyabs_bflops_add_maxpool_and_shortcut_work() -> None:
    net = "[net]\nwidth=512\nheight=512\nchannels=64\n"
    conv = "[convolutional]\nfilters=64\nsize=1\nactivation=linear\n"
    text = net + conv + conv + "[shortcut]\nfrom=-2\n[maxpool]\nsize=2\nstride=2\n"
    report = darknet(text)
    conv_macs = 2 * (512 * 512 * 64 * 64)
    shortcut = 512 * 512 * 64  # one add per element and 'from' layer (shortcut_layer.c)
    pool = 256 * 256 * 64 * 2 * 2  # out_h * out_w * c * size * size (maxpool_layer.c)
    figures = dict(native_figures(report, Format.DARKNET))
    assert figures["BFLOPs (pjreddie)"] == f"{2 * conv_macs / 1e9:.3f}"
    assert figures["BFLOPS (AlexeyAB)"] == f"{(2 * conv_macs + shortcut + pool) / 1e9:.3f}"
    add = next(x for x in report.layers if x.node.layer.kind == "add")
    assert [report.graph.nodes[i].name for i in add.node.inputs] == ["conv1", "conv0"]


def test_net_size_is_the_default_input_and_input_overrides_it() -> None:
    spec = load(Path("tests/samples/darknet_tiny.cfg"))
    assert spec.input == Shape(224, 224, 3)
    wider = analyze(spec, input=Shape(320, 320, 3))
    assert wider.layers[0].output.h == 320


def test_spaces_anywhere_and_both_comment_marks() -> None:
    text = "# comment\n; another\n[ net ]\nwid th = 8\nheight=8\nchannels = 4\n"
    text += "[convolutional]\n filters = 1 6\nsize=3\npad=1\nactivation = leaky # trailing\n"
    report = darknet(text.replace("# trailing", ""))
    assert str(report.layers[0].output) == "8x8x16"


@pytest.mark.parametrize(
    ("options", "volume", "pad"),
    [
        ("size=3\npad=1", "8x8x2", (1, 1, 1, 1)),  # pad=1 means size/2
        ("size=3\npadding=0", "6x6x2", (0, 0, 0, 0)),
        ("size=3\nstride=2\npad=1", "4x4x2", (1, 1, 1, 1)),  # (8 + 2 - 3)/2 + 1 = 4.5, floored
        ("size=1\npad=1", "8x8x2", (0, 0, 0, 0)),  # 1/2 = 0
    ],
)
def test_convolutional_padding(options: str, volume: str, pad: tuple[int, ...]) -> None:
    report = darknet(NET + f"[convolutional]\nfilters=2\n{options}\nactivation=linear\n")
    conv = report.layers[0]
    assert str(conv.output) == volume
    assert getattr(conv.node.layer, "pad", None) == pad


def test_batch_normalize_means_no_conv_bias_and_bn_buffers() -> None:
    report = darknet(NET + "[convolutional]\nfilters=2\nsize=1\nbatch_normalize=1\n")
    conv, bn, act = report.layers
    assert (conv.cost.weights, conv.cost.biases) == (8, 0)
    assert (bn.cost.weights, bn.cost.biases, bn.cost.buffers) == (2, 2, 4)
    assert act.node.layer.kind == "sigmoid"  # darknet's default activation is logistic


@pytest.mark.parametrize(
    ("options", "volume"),
    [
        ("size=2\nstride=2", "4x4x4"),  # padding 1: (8 + 1 - 2)/2 + 1 = 4.5, floored
        ("size=2\nstride=1", "8x8x4"),  # padding 1 keeps the size
        ("size=3\nstride=1\npadding=0", "6x6x4"),
        ("stride=2", "4x4x4"),  # size defaults to the stride
    ],
)
def test_maxpool_padding_is_a_total(options: str, volume: str) -> None:
    assert str(darknet(NET + f"[maxpool]\n{options}\n").layers[0].output) == volume


def test_route_relative_absolute_and_several() -> None:
    text = NET + "[convolutional]\nfilters=2\nsize=1\nactivation=linear\n"  # 0
    text += "[convolutional]\nfilters=3\nsize=1\nactivation=linear\n"  # 1
    text += "[route]\nlayers=-2\n"  # 2: layer 0
    text += "[route]\nlayers=0, -2\n"  # 3: layers 0 and 1
    report = darknet(text)
    by_name = {x.node.name: x for x in report.layers}
    assert str(by_name["route2"].output) == "8x8x2"
    assert str(by_name["route3"].output) == "8x8x5"


def test_route_groups_keep_one_part_of_each_input() -> None:
    text = NET + "[convolutional]\nfilters=6\nsize=1\nactivation=linear\n"
    text += "[route]\nlayers=-1\ngroups=2\ngroup_id=1\n"
    slices = [x.node.layer for x in darknet(text).layers if isinstance(x.node.layer, ChannelSlice)]
    assert [(s.start, s.channels) for s in slices] == [(3, 3)]


def test_heads_and_cost_pass_through() -> None:
    text = NET + "[convolutional]\nfilters=2\nsize=1\n[yolo]\nmask=0\n[region]\n[cost]\n"
    text += "[route]\nlayers=-3\n"  # the yolo layer's output is the conv's
    report = darknet(text)
    assert report.layers[-1].inputs == (Shape(8, 8, 2),)


def test_yolov3_at_416_has_the_issues_parameters_and_darknets_bflops() -> None:
    """pjreddie's BFLOPs are 2 x conv MACs of the PyTorch translation at 416 (darknet has no
    maxpool or flops in [upsample], [route], [yolo]); AlexeyAB's add one per element and 'from'
    layer of each shortcut: Darknet-53's 1, 2, 8, 8, 4 residuals at 208, 104, 52, 26, 13 with
    64 .. 1024 channels."""
    ref = json.loads((REFERENCE / "darknet_yolov3_416.json").read_text())
    report = analyze(load(SAMPLES / ref["sample"]), input=Shape(416, 416, 3))
    assert report.totals.params == ref["total_params"] == 61_949_149  # the issue's figure
    assert report.totals.macs == ref["macs"]
    final = report.layers[-1].output
    assert [final.h, final.w, final.c] == ref["output"]
    residual_adds = sum(
        blocks * side * side * channels
        for blocks, side, channels in zip(
            (1, 2, 8, 8, 4), (208, 104, 52, 26, 13), CHANNELS, strict=True
        )
    )
    figures = dict(native_figures(report, Format.DARKNET))
    assert figures["BFLOPs (pjreddie)"] == f"{2 * ref['macs'] / 1e9:.3f}"
    assert figures["BFLOPS (AlexeyAB)"] == f"{(2 * ref['macs'] + residual_adds) / 1e9:.3f}"


CHANNELS = (64, 128, 256, 512, 1024)


@pytest.mark.parametrize(
    ("options", "volume"),
    [("", "16x16x4"), ("stride=3", "24x24x4"), ("stride=2\nscale=0.5", "16x16x4")],
)
def test_upsample_is_nearest_stride_times(options: str, volume: str) -> None:
    """upsample_layer.c: out = in * stride (default 2); 'scale' multiplies values only."""
    layer = darknet(NET + f"[upsample]\n{options}\n").layers[0]
    assert (str(layer.output), layer.node.layer.kind, layer.cost.weights) == (volume, "upsample", 0)


@pytest.mark.parametrize(
    ("options", "volume", "kind"),
    [
        ("stride=2", "4x4x16", "pixel_unshuffle"),
        ("stride=2\nreverse=1", "16x16x1", "pixel_shuffle"),
    ],
)
def test_reorg_is_space_to_depth_or_back(options: str, volume: str, kind: str) -> None:
    """reorg_layer.c: w/stride, h/stride, c*stride^2 (reverse: the other way); 8x8x4 by 2."""
    layer = darknet(NET + f"[reorg]\n{options}\n").layers[0]
    assert (str(layer.output), layer.node.layer.kind) == (volume, kind)


@pytest.mark.parametrize(
    ("options", "side", "biases", "kinds"),
    [
        ("pad=1", 14, 2, ["conv_transpose", "sigmoid"]),  # (8-1)2 + 4 - 2(4/2) = 14
        ("padding=1", 16, 2, ["conv_transpose", "sigmoid"]),  # (8-1)2 + 4 - 2 = 16
        (
            "batch_normalize=1\nactivation=leaky",
            18,
            0,
            ["conv_transpose", "batchnorm", "leaky_relu"],
        ),
    ],
)
def test_deconvolutional(options: str, side: int, biases: int, kinds: list[str]) -> None:
    """deconvolutional_layer.c: out = (in - 1) stride + size - 2 pad; c*n*size*size weights, the
    biases BN's shift with batch_normalize. 4 channels in, 2 filters of 4x4 stride 2."""
    text = NET + f"[deconvolutional]\nfilters=2\nsize=4\nstride=2\n{options}\n"
    report = darknet(text)
    deconv = report.layers[0]
    assert str(deconv.output) == f"{side}x{side}x2"
    assert (deconv.cost.weights, deconv.cost.biases) == (4 * 2 * 4 * 4, biases)
    assert deconv.cost.macs == 8 * 8 * 4 * 2 * 4 * 4  # every input position scatters its weights
    assert [x.node.layer.kind for x in report.layers] == kinds


def test_deconv_upsample_and_reorg_add_no_bflops() -> None:
    """Only convolutional_layer.c, maxpool_layer.c and shortcut_layer.c set 'bflops' (AlexeyAB;
    pjreddie prints them for convolutions only): the conv's 8x8x2 outputs x 4 x 3 x 3 MACs."""
    text = NET + "[convolutional]\nfilters=2\nsize=3\npad=1\nactivation=linear\n"
    text += "[deconvolutional]\nfilters=4\nsize=2\nstride=2\nactivation=linear\n"
    text += "[upsample]\n[reorg]\nstride=2\n"
    figures = dict(native_figures(darknet(text), Format.DARKNET))
    conv = 8 * 8 * 2 * 4 * 3 * 3
    assert figures["BFLOPs (pjreddie)"] == figures["BFLOPS (AlexeyAB)"] == f"{2 * conv / 1e9:.3f}"


@pytest.mark.parametrize(("word", "kind"), [("elu", "elu"), ("selu", "selu"), ("mish", "mish")])
def test_activations_darknet_defines(word: str, kind: str) -> None:
    layers = darknet(NET + f"[convolutional]\nfilters=2\nactivation={word}\n").layers
    assert [x.node.layer.kind for x in layers] == ["conv", kind]


@pytest.mark.parametrize(
    ("section", "match", "line", "needs"),
    [
        ("[upsample]\nstride=-2\n", "downsample", 6, "sums"),
        ("[reorg]\nstride=2\nflatten=1\n", "'flatten'", 7, "flattening"),
        ("[reorg3d]\nstride=2\n", "reorg3d", 5, "3-D"),
        ("[local]\n", "local", 5, "locally connected"),
    ],
)
def test_what_cnncalc_lacks_yet_is_named_with_its_line(
    section: str, match: str, line: int, needs: str
) -> None:
    d = problem(NET + section, f"{match}.* is not supported yet")
    assert (d.code, d.span.line) == ("E102", line)
    assert d.hint is not None
    assert needs in d.hint


def test_an_activation_cnncalc_lacks_yet() -> None:
    d = problem(NET + "[convolutional]\nactivation=hard_mish\n", "'hard_mish' is not supported")
    assert (d.code, d.span.line, d.span.col) == ("E102", 6, 12)


def test_reorg_of_an_odd_map_is_refused() -> None:
    """darknet's w/stride would drop the last column silently; cnncalc refuses (E306)."""
    text = NET.replace("width=8", "width=7") + "[reorg]\nstride=2\n"
    report = darknet(text)
    assert [(d.code, d.span.line) for d in report.diagnostics] == [("E306", 5)]
    assert "divisible by 2" in report.diagnostics[0].message


@pytest.mark.parametrize(
    ("text", "code", "line", "match"),
    [
        ("[convolutional]\n", "E105", 1, "first section must be"),
        (NET + "filters\n", "E003", 5, "is not key=value"),
        (NET + "width=9\n", "E006", 5, "duplicate key 'width'"),
        (NET + "[maxpool]\nsize=2.5\n", "E103", 6, "'size' must be a whole number"),
        (NET + "[maxpool]\nsize=0\n", "E104", 6, "'size' must be at least 1"),
        (NET + "[route]\nlayers=-1\n", "E201", 6, "names layer -1"),  # the input is no layer
        (NET + "[route]\nlayers=x\n", "E103", 6, "must list layer indices"),
        (NET + "[shortcut]\n", "E105", 5, "needs 'from'"),
        (NET + "[dropout]\nprobability=1.5\n", "E104", 6, "'probability' must be in"),
    ],
)
def test_located_errors(text: str, code: str, line: int, match: str) -> None:
    d = problem(text, match)
    assert (d.code, d.span.line) == (code, line)


def test_too_many_sections_is_a_limit() -> None:
    d = problem(NET + "[softmax]\n" * (MAX_SECTIONS + 1), "sections")
    assert d.code == "E007"
    assert len(NET + "[softmax]\n" * (MAX_SECTIONS + 1)) < MAX_BYTES


def test_cli_show_and_convert_a_cfg(tmp_path: Path) -> None:
    sample = Path("tests/samples/darknet_darknet19.cfg")
    shown = CliRunner().invoke(cli, ["show", str(sample), "--input", "224x224x3"])
    assert shown.exit_code == 0, shown.output
    assert "BFLOPs (pjreddie)" in shown.stderr
    out = tmp_path / "d.yaml"
    assert CliRunner().invoke(cli, ["convert", str(sample), "-o", str(out)]).exit_code == 0
    assert analyze(load(out)).totals == analyze(load(sample)).totals


def test_standard_input_needs_from() -> None:
    text = Path("tests/samples/darknet_tiny.cfg").read_text()
    forced = CliRunner().invoke(
        cli, ["show", "-", "--from", "darknet", "--format", "json"], input=text
    )
    assert forced.exit_code == 0, forced.output
    assert "darknet's own figures" in forced.stderr
    as_yaml = CliRunner().invoke(cli, ["check", "-"], input=text)
    assert as_yaml.exit_code == 1  # without --from, standard input is YAML


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_samples_never_crash(data: st.DataObject) -> None:
    sample = data.draw(st.sampled_from(DARKNET))
    assert_survives(lines_mutated(sample.read_text(), data), "m.cfg", Format.DARKNET)
