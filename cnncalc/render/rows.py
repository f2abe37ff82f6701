"""How the numbers of a row are written in every format: counts with thousands separators, SI
prefixes, bytes, receptive fields. No rendering library here, so the JSON and CSV paths stay light.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cnncalc.counting import PRESETS, Counting, torchinfo_memory
from cnncalc.exact import Exact, exact_text, half_text
from cnncalc.receptive import ExactAxes, Field
from cnncalc.render.escape import terminal
from cnncalc.shapes import spatial_text

if TYPE_CHECKING:
    from cnncalc.api import Report


def rf_text(rf: Field | None) -> tuple[str, str, str]:
    """Size, jump and start of a receptive field as printed: ``195``, ``32``, ``16``; every axis
    ``HxW`` (``DxHxW``) when they differ; empty when the field is unknown."""
    if rf is None:
        return "", "", ""
    return _axes(rf.size, exact_text), _axes(rf.jump, exact_text), _axes(rf.twice_start, half_text)


def _axes(values: ExactAxes, text: Callable[[Exact], str]) -> str:
    """Every axis printed exactly by ``text`` (16, 16.5, 1/3: cnncalc/exact.py), once if equal."""
    shown = [text(v) for v in values]
    return shown[0] if len(set(shown)) == 1 else spatial_text(tuple(shown))


def count(n: int) -> str:
    """``138,357,544``."""
    return f"{n:,}"


def share(part: int, whole: int) -> str:
    """``74.3%``: ``part`` as a percentage of ``whole``, one decimal; empty when ``whole`` is 0."""
    return f"{100 * part / whole:.1f}%" if whole else ""


def human(n: float, unit: str = "") -> str:
    """``138.4 M``, ``15.47 G``: three significant digits or so, SI prefixes."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= factor:
            value = n / factor
            digits = 2 if value < 100 else 1
            return f"{value:.{digits}f} {prefix}{unit}"
    return f"{n:g} {unit}".rstrip()


def size(n_bytes: int) -> str:
    """Bytes in decimal units: ``553.4 MB``."""
    return human(n_bytes, "B") if n_bytes >= 1000 else f"{n_bytes} B"


def output_lines(report: Report) -> list[str]:
    """A dense prediction's output line: the network's outputs by name and volume when there are
    several (heads) or the one output has height and width (a map, not a classifier's vector),
    and whether it is as large as the input. Nothing for a single ``1x1xC`` output."""
    outputs = report.outputs
    if not outputs or (len(outputs) == 1 and outputs[0].output.positions == 1):
        return []
    shown = ", ".join(f"{terminal(r.node.name)} {r.output}" for r in outputs)
    if len(outputs) > 1:
        return [f"Outputs:     {len(outputs)} heads: {shown}"]
    out, x = outputs[0].output, report.input
    size = "as large as the input" if out.spatial == x.spatial else f"from input {x}"
    return [f"Output:      {shown} (a map {size})"]


def summary_lines(report: Report) -> list[str]:
    """The summary under the table: params, buffers, activation memory, the training estimate,
    MACs and the conventions behind them (:mod:`cnncalc.metrics`)."""
    t, dtype = report.totals, report.dtype.value
    lines = (
        []
        if report.ok
        else [
            "INCOMPLETE:  the spec has errors (on standard error); the figures below count only the"
            " layers that could be inferred, not the network"
        ]
    )
    lines += output_lines(report)
    lines += [
        (
            f"Params:      {count(t.params)} ({human(t.params)}) = {count(t.weights)} weights +"
            f" {count(t.biases)} biases; {size(t.param_bytes)} at {dtype}"
        ),
    ]
    if t.buffers:
        lines.append(
            f"Buffers:     {count(t.buffers)} non-trainable (running mean and variance);"
            f" {size(t.buffer_bytes)}"
        )
    lines += [
        (
            f"Activations: {count(t.activations)} per image, {size(t.activation_bytes)}; batch of"
            f" {report.batch}: {size(t.batch_activation_bytes)} (forward)"
        ),
        (
            f"Training:    ~{size(t.training_bytes)} = 4 x params (weights, grads, Adam) + buffers"
            " + 2 x batch activations"
        ),
        (
            f"MACs:        {count(t.macs)} ({human(t.macs)}); FLOPs = 2 x MACs = {human(t.flops)};"
            f" other ops: {human(t.ops)} (bias adds, norms, activations, pooling, merges)"
        ),
    ]
    if report.count is Counting.TORCHVISION:
        lines.append(
            "Conventions: MACs = conv and fc multiply-accumulates (no bias); activations = input +"
            " outputs needing new memory; 1 MB = 10^6 B"
        )
    else:  # the preset the MACs follow, and the call of the tool it reproduces
        counted = PRESETS[report.count]
        lines += [
            f"Counted as:  {counted.counting.value}, {counted.call}",
            f"Conventions: MACs = {counted.convention}; activations = input + outputs needing new"
            " memory; 1 MB = 10^6 B",
        ]
    if report.count is Counting.TORCHINFO and report.ok:
        memory = torchinfo_memory(report.input, report.layers, report.batch)
        shown = "; ".join(f"{label}: {value}" for label, value in memory.lines())
        lines.append(f"torchinfo:   {shown} (float32, batch {report.batch})")
    return lines
