"""``cnncalc graph``: the layer graph as Mermaid and DOT, blocks as groups, merges and skips
visible, collapsible with --depth; SVG through Graphviz when it is installed."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc import analyze, load, loads
from cnncalc.cli import cli
from cnncalc.render.graph import graph_dot, graph_mermaid

_NODE = re.compile(r'^\s*n(\d+)(\[|\(\[)"(.*)"(\]|\]\))$')


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_mermaid_has_a_box_per_layer_with_type_hyper_and_volume() -> None:
    report = analyze(load("resnet18"))
    text = graph_mermaid(report)
    nodes = [m.groups() for line in text.splitlines() if (m := _NODE.match(line))]
    assert len(nodes) == len(report.layers)  # the input is a parallelogram, matched apart
    assert '  n0[/"input<br/>224x224x3"/]' in text
    labels = {int(index): label for index, _, label, _ in nodes}
    assert labels[1] == "conv1<br/>conv 7x7/2 p3 nobias<br/>112x112x64"
    # Merges are rounded: ResNet-18's eight basic blocks end in an add each.
    assert sum(opening == "([" for _, opening, _, _ in nodes) == 8
    # Each add has one shortcut into it, dashed: eight skips.
    assert text.count(" -.-> ") == 8
    # Groups: four stages of two blocks each.
    assert text.count("subgraph ") == 4 + 8
    assert text.count("subgraph ") == sum(line.strip() == "end" for line in text.splitlines())


def test_every_edge_of_the_graph_is_drawn() -> None:
    report = analyze(load("googlenet"))
    text = graph_mermaid(report)
    drawn = set(re.findall(r"^  n(\d+) -(?:->|\.->) n(\d+)$", text, re.MULTILINE))
    expected = {
        (str(0 if i < 0 else i + 1), str(index + 1))
        for index, node in enumerate(report.graph.nodes)
        for i in node.inputs
    }
    assert drawn == expected


@pytest.mark.parametrize(("name", "most"), [("resnet152", 20), ("densenet201", 20)])
def test_depth_zero_keeps_the_largest_networks_readable(name: str, most: int) -> None:
    code, text, _ = _run("graph", name, "--depth", "0")
    assert code == 0
    boxes = [line for line in text.splitlines() if re.match(r"^\s*n\d+[\[(]", line)]
    assert len(boxes) <= most
    assert "subgraph" not in text  # collapsed: no group left open
    if name == "densenet201":  # a repeat is one box: 6, 12, 48 and 32 dense layers
        assert '["denseblock3<br/>dense_layer: x48, 336 layers<br/>14x14x1792"]' in text
    code, deeper, _ = _run("graph", name, "--depth", "1")
    assert deeper.count("subgraph ") >= 4  # the stages, around their blocks


def test_dot_has_clusters_and_dashed_skips() -> None:
    text = graph_dot(analyze(load("resnet18")))
    assert text.startswith('digraph "resnet18" {')
    assert text.count("subgraph cluster_") == 12
    assert text.count("[style=dashed];") == 8
    assert 'n1 [label="conv1\\nconv 7x7/2 p3 nobias\\n112x112x64"];' in text


def test_user_text_cannot_break_out_of_a_label() -> None:
    layers = "layers:\n  - conv: {filters: 4, kernel: 3}\n"
    spec = loads(f'title: "a\\"]; x --> y %% <b>`"\ninput: 8x8x3\n{layers}', "t.yaml")
    report = analyze(spec)
    mermaid = graph_mermaid(report)
    assert 'title: "a#quot;]; x --#gt; y %% #lt;b#gt;#96;' in mermaid
    dot = graph_dot(report)
    assert 'label="a\\"]; x --> y %% <b>`' in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_through_graphviz() -> None:
    code, text, _ = _run("graph", "resnet18", "--depth", "1", "--format", "svg")
    assert code == 0
    root = ET.fromstring(text[text.index("<svg") :])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "layer1.basic1" in text


def test_svg_without_graphviz_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, out, err = _run("graph", "resnet18", "--format", "svg")
    assert code == 1
    assert out == ""
    assert "needs Graphviz's 'dot' on PATH" in err
    assert "--format dot" in err


def test_the_docs_mermaid_example_is_current() -> None:
    page = (Path(__file__).parent.parent / "docs" / "graph.md").read_text(encoding="utf-8")
    shown = page.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert shown == graph_mermaid(analyze(load("resnet18")), 1)
