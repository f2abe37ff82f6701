"""Where the parameters, memory and compute live: the breakdown by family and by stage, the
largest layers, and the profile picture in the terminal, as SVG and in the HTML report."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc import analyze, load
from cnncalc.breakdown import FAMILIES
from cnncalc.cli import cli
from cnncalc.layers import LAYERS
from cnncalc.library import builtin_names
from cnncalc.render.profile import bar, profile_text


def test_every_layer_type_has_a_family() -> None:
    assert sorted(FAMILIES) == sorted(LAYERS)


def test_vgg16_params_sit_in_the_fc_layers_and_memory_in_the_early_convs() -> None:
    """The lecture's figures: 14,714,688 conv parameters (Keras' VGG16 without its top) against
    123,642,856 in the three fc layers, 102,764,544 of them in fc1 (7*7*512*4096 + 4096)."""
    found = analyze(load("vgg16")).breakdown()
    family = {p.name: p for p in found.by_family}
    assert family["conv"].params == 14_714_688
    assert family["fc"].params == 123_642_856
    assert [p.name for p in found.by_family][:2] == ["fc", "conv"]  # the largest first
    assert found.largest["params"][0].name == "fc1"
    assert found.largest["params"][0].params == 7 * 7 * 512 * 4096 + 4096
    # The two 224x224x64 convs hold the most activations: 224*224*64 each.
    assert [p.activations for p in found.largest["activations"][:2]] == [224 * 224 * 64] * 2
    stage = {p.name: p for p in found.by_stage}
    assert stage["input"].activations == 224 * 224 * 3
    assert stage["stage1"].layers == 5  # two convs, two relus, the pool


@pytest.mark.parametrize("name", builtin_names())
def test_breakdowns_add_up_to_the_totals(name: str) -> None:
    report = analyze(load(name))
    found, t = report.breakdown(), report.totals
    for parts in (found.by_family, found.by_stage):
        assert sum(p.params for p in parts) == t.params
        assert sum(p.macs for p in parts) == t.macs
    assert sum(p.activations for p in found.by_stage) == t.activations
    assert sum(p.layers for p in found.by_stage) == len(report.layers)
    assert sum(p.activations for p in found.by_family) == t.activations - report.input.numel


@pytest.mark.parametrize(
    ("value", "largest", "cells", "drawn"),
    [(10, 10, 4, "████"), (5, 10, 4, "██"), (1, 16, 2, "▏"), (1, 10_000, 4, "▏"), (0, 10, 4, "")],
    ids=["full", "half", "one eighth", "too small: thinnest", "zero: none"],
)
def test_bar(value: int, largest: int, cells: int, drawn: str) -> None:
    assert bar(value, largest, cells) == drawn


def test_profile_text_fits_and_states_its_scale() -> None:
    report = analyze(load("vgg16"))
    for width in (60, 80, 120):
        assert all(len(line) <= width for line in profile_text(report, width=width)[1:])
    lines = profile_text(report, width=80)
    assert "max 3.21 M" in lines[2]  # 224*224*64 activations
    assert "max 102.8 M" in lines[2]  # fc1's params
    fc1 = next(line for line in lines if line.startswith("fc1 "))
    params_bar = fc1[lines[1].index("Params") :].split()[0]
    assert set(params_bar) == {"█"}  # the largest params: a full bar
    assert lines[-1].startswith("(17 row(s) without memory")  # relus and dropouts


def test_profile_command_prints_the_picture_and_the_breakdown() -> None:
    result = CliRunner().invoke(cli, ["profile", "resnet50", "--depth", "0"])
    assert result.exit_code == 0
    assert "layer3 " in result.stdout
    assert re.search(r"^  conv +23\.45 M +91\.8%", result.stdout, re.MULTILINE)
    # Each 3x3 conv of layer4 holds 3*3*512*512 = 2,359,296 weights, more than fc1's 2.05 M.
    assert "Largest by params: layer4.bottleneck1.conv2 2.36 M (9.2%)" in result.stdout


def test_profile_svg_is_well_formed_with_a_bar_per_nonzero_value() -> None:
    result = CliRunner().invoke(cli, ["profile", "lenet5", "--format", "svg"])
    assert result.exit_code == 0
    root = ET.fromstring(result.stdout)
    bars = root.findall("{http://www.w3.org/2000/svg}rect")
    report = analyze(load("lenet5"))
    rows = report.rows()
    assert len(bars) == sum(
        bool(getattr(r, k)) for r in rows for k in ("activations", "params", "macs")
    )
    titles = [b.find("{http://www.w3.org/2000/svg}title").text for b in bars]  # type: ignore[union-attr]
    assert "fc1: 10,164 params" in titles


def test_html_report_is_self_contained() -> None:
    result = CliRunner().invoke(cli, ["show", "vgg16", "--format", "html"])
    assert result.exit_code == 0
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>")
    assert "<h1>VGG-16 (configuration D) — input 224x224x3</h1>" in page
    assert '<td style="text-align:right">138,357,544</td>' in page  # the params total
    assert "Largest by params: fc1 102.8 M (74.3%)" in page
    assert "<svg" in page
    assert not re.search(r"(src|href)=\"?https?:", page)  # nothing fetched from the network
    assert "<script" not in page


def test_profile_png_with_the_plot_extra(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "vgg16.png"
    result = CliRunner().invoke(cli, ["profile", "vgg16", "--format", "png", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_profile_png_without_the_extra_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import then raises ImportError
    target = tmp_path / "vgg16.png"
    result = CliRunner().invoke(cli, ["profile", "vgg16", "--format", "png", "-o", str(target)])
    assert result.exit_code == 2
    assert "pip install 'cnncalc[plot]'" in result.stderr
    assert "--format svg" in result.stderr
    assert not target.exists()


def test_profile_svg_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "p.svg"
    result = CliRunner().invoke(cli, ["profile", "alexnet", "--format", "svg", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert ET.parse(target).getroot().tag == "{http://www.w3.org/2000/svg}svg"
