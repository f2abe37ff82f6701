"""Peak inference memory by liveness (:mod:`cnncalc.memory`), on networks worked out by hand."""

from __future__ import annotations

from pathlib import Path

from cnncalc import analyze, load, loads
from cnncalc.spec import with_params
from tests.helpers import network


def test_sequential_frees_each_tensor_after_its_last_reader() -> None:
    # input 4x4x1 (16); conv1 -> 4x4x2 (32) while the input is live: 48; relu1 in place;
    # conv2 -> 4x4x3 (48) while conv1's output is live: 80, the peak; the input is gone by then.
    report = network(
        "4x4x1", "conv: {filters: 2, kernel: 1}", "relu", "conv: {filters: 3, kernel: 1}"
    )
    peak = report.peak
    assert peak is not None
    assert (peak.elements, peak.layer) == (80, "conv2")
    assert peak.live == (("conv1", 32), ("conv2", 48))
    assert peak.shared == ("relu1",)
    assert peak.bytes(batch=8, dtype_bytes=2) == 80 * 8 * 2


def test_a_shortcut_stays_alive_until_its_merge() -> None:
    # input 2x2x4 (16) feeds both branches: conv (16) and the identity; the add (16) runs with
    # the input, the conv output and its own output live: 48.
    spec = loads(
        "input: 2x2x4\nlayers:\n  - add:\n      - - conv: {filters: 4, kernel: 1}\n      - []\n"
    )
    peak = analyze(spec).peak
    assert peak is not None
    assert (peak.elements, peak.layer) == (48, "add1")
    assert peak.live == (("input", 16), ("conv1", 16), ("add1", 16))


def test_vgg16_lecture_figures() -> None:
    """cs231n's VGG-16 (the paper's network, adaptive=0): the row sum is 15,237,608 activations;
    the liveness peak is the second 224x224x64 conv running on the first's output, 2 x 3,211,264."""
    report = analyze(with_params(load("vgg16"), {"adaptive": "0"}))
    peak = report.peak
    assert peak is not None
    assert report.totals.activations == 15_237_608
    assert peak.elements == 2 * 224 * 224 * 64
    assert [elements for _, elements in peak.live] == [224 * 224 * 64] * 2


def test_no_peak_when_a_layer_fails() -> None:
    report = network("4x4x1", "conv: {filters: 2, kernel: 3, stride: 2}")
    assert not report.ok
    assert report.peak is None


#: The networks docs/memory.md shows, and the paper's VGG-16 of the lecture.
SHOWN = ("resnet50", "mobilenet_v2", "densenet121", "convnext_tiny")


def peak_table() -> str:
    """The table of docs/memory.md: activation sum against the liveness peak, per image."""
    lines = [
        "| Built-in | Activation sum | Liveness peak | Peak during | Live then |",
        "|---|---:|---:|---|---|",
    ]
    reports = [("vgg16 (adaptive=0)", analyze(with_params(load("vgg16"), {"adaptive": "0"})))]
    reports += [(name, analyze(load(name))) for name in SHOWN]
    for name, report in reports:
        peak = report.peak
        assert peak is not None
        live = ", ".join(f"{owner} {elements:,}" for owner, elements in peak.live)
        lines.append(
            f"| {name} | {report.totals.activations:,} | {peak.elements:,} | {peak.layer} |"
            f" {live} |"
        )
    return "\n".join(lines) + "\n"


def test_memory_doc_prints_the_peaks() -> None:
    doc = Path(__file__).parent.parent / "docs" / "memory.md"
    assert peak_table() in doc.read_text(), (
        "docs/memory.md is out of date; paste (python -m tests.test_memory):\n" + peak_table()
    )


if __name__ == "__main__":
    print(peak_table(), end="")
