"""Rich tables for people: ``show``'s per-layer table and summary, and ``list``. The only module
that imports rich, so the machine formats never pay for it."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cnncalc.api import Report
from cnncalc.render.rows import count, human, rf_text, rows, size


def console(file: TextIO | None = None) -> Console:
    """A console that colours a terminal only, honours ``NO_COLOR``, and never wraps piped tables."""
    stream = file or sys.stdout
    terminal = stream.isatty()
    width = None if terminal else int(os.environ.get("COLUMNS", "0") or 0) or 250
    return Console(file=stream, width=width, no_color="NO_COLOR" in os.environ or not terminal, highlight=False, soft_wrap=not terminal)


def layer_table(report: Report, depth: int | None = None, rf: bool = False) -> Table:
    """The per-layer table; ``rf`` adds the receptive-field columns (size, jump, start)."""
    spec = report.spec
    title = f"{spec.title or spec.name} — input {report.input}"
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_footer=True, pad_edge=False)
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
    for row in rows(report, depth):
        field = rf_text(row.rf) if rf else ()
        table.add_row(row.name, row.type, row.hyper, row.output, *field, count(row.activations), count(row.weights), count(row.biases), count(row.macs))
    return table


def summary(report: Report) -> Text:
    t, dtype = report.totals, report.dtype.value
    lines = [
        f"Params:      {count(t.params)} ({human(t.params)}) = {count(t.weights)} weights + {count(t.biases)} biases; {size(t.param_bytes)} at {dtype}",
    ]
    if t.buffers:
        lines.append(f"Buffers:     {count(t.buffers)} non-trainable (running mean and variance); {size(t.buffer_bytes)}")
    lines += [
        f"Activations: {count(t.activations)} per image, {size(t.activation_bytes)}; batch of {report.batch}: {size(t.batch_activation_bytes)} (forward)",
        f"Training:    ~{size(t.training_bytes)} = 4 x params (weights, grads, Adam) + buffers + 2 x batch activations",
        f"MACs:        {count(t.macs)} ({human(t.macs)}); FLOPs = 2 x MACs = {human(t.flops)}; other ops: {human(t.ops)}",
        "Conventions: MACs = conv and fc multiply-accumulates (no bias); activations = input + outputs needing new memory; 1 MB = 10^6 B",
    ]
    return Text("\n".join(lines))


def print_report(report: Report, depth: int | None = None, file: TextIO | None = None, rf: bool = False) -> None:
    out = console(file)
    out.print(layer_table(report, depth, rf))
    out.print(summary(report))


def print_list(entries: list[dict[str, str]], file: TextIO | None = None) -> None:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column, justify in (("name", "left"), ("input", "right"), ("params", "right"), ("MACs", "right"), ("activations", "right"), ("source", "left")):
        table.add_column(column.capitalize() if column != "MACs" else column, justify=justify, no_wrap=column != "source")  # type: ignore[arg-type]
    for entry in entries:
        table.add_row(entry["name"], entry["input"], entry["params"], entry["macs"], entry["activations"], entry["source"])
    console(file).print(table)
