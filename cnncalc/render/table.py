"""Rich tables for people: ``show``'s per-layer table and summary, and ``list``. The only module
that imports rich, so the machine formats never pay for it."""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cnncalc.api import Report
from cnncalc.counting import PRESETS, Counting, ToolCount
from cnncalc.memory import MemoryReport
from cnncalc.render.escape import terminal
from cnncalc.render.rows import count, human, rf_text, size

if TYPE_CHECKING:  # imported where used: 'show' does not pay for the diff module
    from cnncalc.diff import Diff


def console(file: TextIO | None = None) -> Console:
    """A console that colours a terminal only, honours ``NO_COLOR``, and never wraps piped
    tables."""
    stream = file or sys.stdout
    terminal = stream.isatty()
    width = None if terminal else int(os.environ.get("COLUMNS", "0") or 0) or 250
    return Console(
        file=stream,
        width=width,
        no_color="NO_COLOR" in os.environ or not terminal,
        highlight=False,
        soft_wrap=not terminal,
    )


#: Lines of the multi-line cells in :func:`layer_table`.
CELL_LINES = 256


def layer_table(report: Report, depth: int | None = None, rf: bool = False) -> Table:
    """The per-layer table; ``rf`` adds the receptive-field columns (size, jump, start)."""
    spec = report.spec
    title = f"{spec.title or spec.name} — input {report.input}"
    table = Table(
        title=Text(terminal(title)),
        box=box.SIMPLE_HEAD,
        title_justify="left",
        show_footer=True,
        pad_edge=False,
    )
    t = report.totals
    table.add_column("Layer", footer="Total", no_wrap=True)
    table.add_column("Type", no_wrap=True)
    table.add_column("Hyper", no_wrap=True)
    table.add_column("Output", justify="right", no_wrap=True)
    for column in ("RF", "Jump", "Start") if rf else ():
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("Activations", footer=count(t.activations), justify="right", no_wrap=True)
    table.add_column("Weights", footer=count(t.weights), justify="right", no_wrap=True)
    table.add_column("Biases", footer=count(t.biases), justify="right", no_wrap=True)
    table.add_column("MACs", footer=count(t.macs), justify="right", no_wrap=True)
    cells = []
    for row in report.rows(depth):
        field = rf_text(row.rf) if rf else ()
        cells.append(
            [
                terminal(row.name),
                terminal(row.type),
                terminal(row.hyper),
                str(row.output),
                *field,
                count(row.activations),
                count(row.weights),
                count(row.biases),
                count(row.macs),
            ]
        )
    # Table rows whose cells hold a column's lines each: rich lays out, measures and pads every
    # cell apart (~50 microseconds each, 80 ms for ResNet-50's 1,400 cells), while a multi-line
    # cell costs about one line's worth. The box draws no line between rows, so the output is the
    # same; rows stay one line each, as every cell is one line and columns do not wrap. A cell of
    # at most CELL_LINES lines, as rich splits a cell's text line by line in quadratic time.
    for start in range(0, len(cells), CELL_LINES):
        table.add_row(
            *(
                Text("\n".join(column))
                for column in zip(*cells[start : start + CELL_LINES], strict=True)
            )
        )
    return table


def summary(report: Report) -> Text:
    t, dtype = report.totals, report.dtype.value
    lines = [
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
            f" other ops: {human(t.ops)}"
        ),
    ]
    if report.count is Counting.TORCHVISION:
        lines.append(
            "Conventions: MACs = conv and fc multiply-accumulates (no bias); activations = input +"
            " outputs needing new memory; 1 MB = 10^6 B"
        )
    else:
        counted = PRESETS[report.count]
        lines += [
            f"Counted as:  {counted.counting.value}, {counted.call}",
            f"Conventions: MACs = {counted.convention}; activations = input + outputs needing new"
            " memory; 1 MB = 10^6 B",
        ]
    return Text("\n".join(lines))


def count_lines(counts: tuple[ToolCount, ...]) -> Text:
    """``show --count all``: one line per tool, its total and the difference from the default."""
    width = max(len(c.preset.counting.value) for c in counts)
    lines = ["MACs by tool (difference from torchvision):"]
    for c in counts:
        shown = f"{c.difference:+,}" if c.difference else "default"
        lines.append(
            f"  {c.preset.counting.value:<{width}}  {count(c.total):>16} ({human(c.total)})"
            f"  {shown}"
        )
    return Text("\n".join(lines))


def print_report(
    report: Report, depth: int | None = None, file: TextIO | None = None, rf: bool = False
) -> None:
    out = console(file)
    out.print(layer_table(report, depth, rf))
    out.print(summary(report))


def memory_lines(found: MemoryReport, batch: int, dtype: str) -> Text:
    """``show --optimizer/--memory``: the liveness peak, the training breakdown and what fits."""
    t = found.training
    live = ", ".join(f"{terminal(name)} {count(n)}" for name, n in found.peak.live)
    lines = [
        f"Peak (inference): {size(found.peak_bytes)} at batch {batch}, {dtype}, during"
        f" {terminal(found.peak.layer)} ({count(found.peak.elements)} per image live: {live})",
        f"Training ({found.optimizer.value}, batch {batch}, activations {dtype}):"
        f" {size(t.total)} = weights {size(t.weights)} + gradients {size(t.gradients)}"
        f" + optimizer {size(t.optimizer)} + saved activations {size(t.activations)}"
        f" + buffers {size(t.buffers)}",
    ]
    if found.fit is not None:
        lines.append(
            f"Fits in {size(found.fit.budget)}: batch {count(found.fit.inference)} for inference,"
            f" {count(found.fit.training)} for training"
        )
    return Text("\n".join(lines))


def print_memory(found: MemoryReport, batch: int, dtype: str, file: TextIO | None = None) -> None:
    console(file).print(memory_lines(found, batch, dtype))


def print_counts(counts: tuple[ToolCount, ...], file: TextIO | None = None) -> None:
    console(file).print(count_lines(counts))


def print_list(header: list[str], cells: list[list[str]], file: TextIO | None = None) -> None:
    """``cnncalc list``: the built-ins, numbers right-aligned, the source free to wrap."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    last = len(header) - 1
    for index, column in enumerate(header):
        right = 0 < index < last
        table.add_column(column, justify="right" if right else "left", no_wrap=index != last)
    for row in cells:
        table.add_row(*(Text(terminal(cell)) for cell in row))
    console(file).print(table)


def _both(a: str, b: str) -> str:
    """``a`` when both sides agree, else ``a → b``."""
    return a if a == b else f"{a} → {b}"


def _signed(n: int) -> str:
    return f"{n:+,}" if n else ""


def diff_table(d: Diff, changed_only: bool = False) -> Table:
    """``cnncalc diff``: one row per aligned pair, ``a → b`` where they differ, deltas ``B - A``."""
    a, b = d.a, d.b
    title = (
        f"A: {a.spec.title or a.spec.name} ({a.input})  →  B: {b.spec.title or b.spec.name}"
        f" ({b.input})"
    )
    table = Table(
        title=Text(terminal(title)),
        box=box.SIMPLE_HEAD,
        title_justify="left",
        show_footer=True,
        pad_edge=False,
    )
    table.add_column("Layer", footer="Total", no_wrap=True)
    table.add_column("Type", no_wrap=True)
    table.add_column("Hyper", no_wrap=True)
    table.add_column("Output", justify="right", no_wrap=True)
    table.add_column("RF", justify="right", no_wrap=True)
    table.add_column(
        "Params",
        footer=_both(count(a.totals.params), count(b.totals.params)),
        justify="right",
        no_wrap=True,
    )
    table.add_column(
        "ΔParams", footer=_signed(d.total_delta("params")) or "0", justify="right", no_wrap=True
    )
    table.add_column(
        "MACs",
        footer=_both(count(a.totals.macs), count(b.totals.macs)),
        justify="right",
        no_wrap=True,
    )
    table.add_column(
        "ΔMACs", footer=_signed(d.total_delta("macs")) or "0", justify="right", no_wrap=True
    )
    for pair in d.pairs:
        if changed_only and not pair.changed:
            continue
        x, y = pair.a, pair.b
        if x is None or y is None:  # a row of one side only: its own values
            row = x or y
            assert row is not None
            cells = [
                f"{row.name} ({'A' if x else 'B'} only)",
                row.type,
                row.hyper,
                str(row.output),
                rf_text(row.rf)[0],
                count(row.params),
            ]
            cells += [_signed(pair.delta("params")), count(row.macs), _signed(pair.delta("macs"))]
            table.add_row(*(Text(terminal(cell)) for cell in cells))
            continue
        both = (
            _both(x.name, y.name),
            _both(x.type, y.type),
            _both(x.hyper, y.hyper),
            _both(str(x.output), str(y.output)),
            _both(rf_text(x.rf)[0], rf_text(y.rf)[0]),
            _both(count(x.params), count(y.params)),
            _signed(pair.delta("params")),
            _both(count(x.macs), count(y.macs)),
            _signed(pair.delta("macs")),
        )
        table.add_row(*(Text(terminal(cell)) for cell in both))
    return table


def diff_summary(d: Diff) -> Text:
    from cnncalc.diff import Match

    lines = []
    for label, key in (("Params", "params"), ("MACs", "macs"), ("Activations", "activations")):
        before, after = int(getattr(d.a.totals, key)), int(getattr(d.b.totals, key))
        share = f", {100 * (after - before) / before:+.1f}%" if before else ""
        lines.append(
            f"{label + ':':<13}{count(before)} → {count(after)} ({after - before:+,}{share})"
        )
    matches = Counter(p.match for p in d.pairs)
    by_name = f"{matches[Match.NAME]} row{'s' if matches[Match.NAME] != 1 else ''} by name"
    only = f"{matches[Match.A_ONLY]} only in A, {matches[Match.B_ONLY]} only in B"
    lines.append(f"Alignment:   {by_name}, {matches[Match.POSITION]} by position and type, {only}")
    for side, report in (("A", d.a), ("B", d.b)):
        if not report.ok:
            lines.append(
                f"Incomplete:  {side} has errors (below), so its rows and totals stop where its"
                " layers could not be inferred"
            )
    return Text("\n".join(lines))


def print_diff(d: Diff, changed_only: bool = False, file: TextIO | None = None) -> None:
    out = console(file)
    out.print(diff_table(d, changed_only))
    out.print(diff_summary(d))
