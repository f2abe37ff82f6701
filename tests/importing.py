"""What the Caffe and darknet tests share: the sample files, their PyTorch figures
(``scripts/make_import_reference.py``) and the two checks every sample passes, the figures and
the round trip through ``cnncalc convert``."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from cnncalc import analyze, load, loads
from cnncalc.api import Report
from cnncalc.errors import SpecError
from cnncalc.importers import Format
from cnncalc.importers.convert import to_yaml

SAMPLES = Path(__file__).parent / "samples"
REFERENCE = Path(__file__).parent / "reference"


def samples(prefix: str) -> list[Path]:
    """The sample files of one format (``caffe_`` or ``darknet_``)."""
    return sorted(SAMPLES.glob(f"{prefix}*"))


def reference(sample: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((REFERENCE / f"{sample.stem}.json").read_text())
    return found


def weighted(report: Report) -> list[list[int]]:
    """Every conv and fc layer as ``[H, W, C, weights, biases, count]``, sorted: the reference's
    multiset."""
    counts = Counter(
        (x.output.h, x.output.w, x.output.c, x.cost.weights, x.cost.biases)
        for x in report.layers
        if x.node.layer.kind in ("conv", "dwconv", "conv_transpose", "fc")
    )
    return sorted([*key, count] for key, count in counts.items())


def assert_matches_reference(sample: Path) -> None:
    """The import's figures are the PyTorch translation's: input, output, parameters, buffers,
    MACs, and every conv and fc layer's volume, weights and biases."""
    ref = reference(sample)
    report = analyze(load(sample))
    final = report.layers[-1].output
    assert report.ok, report.diagnostics
    assert [report.input.h, report.input.w, report.input.c] == ref["input"]
    assert [final.h, final.w, final.c] == ref["output"]
    assert report.totals.params == ref["total_params"]
    assert report.totals.buffers == ref["buffers"]
    assert report.totals.macs == ref["macs"]
    assert weighted(report) == ref["weighted"]


def figures(report: Report) -> list[tuple[object, ...]]:
    """Everything a layer row shows: name, type, hyperparameters, volumes and costs."""
    return [
        (x.node.name, x.node.layer, x.node.inputs, x.inputs, x.output, x.cost)
        for x in report.layers
    ]


def assert_round_trip(sample: Path) -> None:
    """``convert``'s YAML, read by the normal loader, gives the import's layers and totals."""
    imported = analyze(load(sample))
    converted = analyze(loads(to_yaml(load(sample)), "converted.yaml"))
    assert figures(converted) == figures(imported)
    assert converted.totals == imported.totals
    assert converted.spec.input == imported.spec.input
    assert [d.message for d in converted.diagnostics] == [d.message for d in imported.diagnostics]


def lines_mutated(text: str, data: Any) -> str:
    """``text`` with a few of its lines deleted, duplicated, swapped, cut short or given another
    number, drawn by hypothesis (``data`` is ``st.data()``)."""
    from hypothesis import strategies as st

    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "cut", "number"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
        else:
            number = data.draw(st.sampled_from(["0", "-1", "1", "2.5", "99999999999", "x", ""]))
            lines[i] = re.sub(r"-?\d+", number, lines[i], count=1)
        if not lines:
            lines = [""]
    return "\n".join(lines)


def assert_survives(text: str, file: str, fmt: Format) -> None:
    """Whatever the text, it loads and is analysed, or is refused with located diagnostics on
    lines that exist; never another exception."""
    try:
        report = analyze(loads(text, file, fmt))
        found = report.diagnostics
    except SpecError as exc:
        found = exc.diagnostics
    count = text.count("\n") + 1
    for d in found:
        assert d.span.file == file
        assert 1 <= d.span.line <= count, d
