"""Rich tables for people: ``show``'s per-layer table and summary, and ``list``. The only module
that imports rich, so the machine formats never pay for it."""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.text import Text

from cnncalc.api import Report
from cnncalc.counting import ToolCount
from cnncalc.memory import MemoryReport
from cnncalc.render.columns import Column, Shorten, cells, totals
from cnncalc.render.escape import terminal
from cnncalc.render.layout import GAP, fit, stacked_lines, table_lines
from cnncalc.render.rows import count, human, rf_text, size, summary_lines
from cnncalc.render.style import Colour, use_colour

if TYPE_CHECKING:  # imported where used: 'show' does not pay for the diff module
    from cnncalc.diff import Diff


def console(file: TextIO | None = None, color: str = "auto") -> Console:
    """A console that styles a terminal only (``--color``, ``NO_COLOR``: no colour, no bold:
    :func:`cnncalc.render.style.use_colour`), and never wraps piped tables."""
    stream = file or sys.stdout
    terminal = stream.isatty()
    width = None if terminal else int(os.environ.get("COLUMNS", "0") or 0) or 250
    styled = use_colour(Colour(color), stream)
    return Console(
        file=stream,
        width=width,
        color_system="auto" if styled else None,
        force_terminal=styled or None,
        highlight=False,
        soft_wrap=not terminal,
    )


def layer_lines(
    report: Report,
    columns: tuple[Column, ...],
    depth: int | None = None,
    width: int | None = None,
    keep: bool = False,
) -> Text:
    """The title and the per-layer table (or stacked rows) fitted to ``width`` (``None``: piped,
    never fitted), as :func:`cnncalc.render.layout.fit` decides; ``keep``: the user chose the
    columns."""
    spec = report.spec
    body = [[terminal(cell) for cell in line] for line in cells(report, columns, depth)]
    title = terminal(f"{spec.title or spec.name} — input {report.input}")
    every = ",".join(c.key for c in columns)
    return _fitted(title, columns, body, totals(report, columns), width, keep, f"--columns {every}")


def _fitted(
    title: str,
    columns: tuple[Column, ...],
    body: list[list[str]],
    footer: list[str],
    width: int | None,
    keep: bool = False,
    option: str = "",
) -> Text:
    """A title and a table laid out by :func:`cnncalc.render.layout.fit`: header, rows, totals,
    and a note naming the columns left out (and ``option``, which brings them back); or, when not
    even the narrowest table fits, the stacked layout."""
    layout = fit(columns, body, footer, width, keep)
    out = Text(title + "\n")
    if layout.stacked:
        assert width is not None
        *rows, total = stacked_lines(columns, body, footer, width)
        for lines in rows:
            out.append("\n".join(lines) + "\n")
        out.append("─" * min(width, 40) + "\n")
        out.append("\n".join(total) + "\n", style="bold")
        return out
    header, rule, lines, last = table_lines(layout, columns, body, footer)
    out.append(header + "\n", style="bold")
    out.append(rule + "\n")
    out.append("".join(line + "\n" for line in lines))
    out.append(rule + "\n")
    out.append(last + "\n", style="bold")
    if layout.dropped:
        brings = f" ({option} shows them)" if option else ""
        left_out = ", ".join(c.key for c in layout.dropped)
        out.append(f"Not shown at {width} columns: {left_out}{brings}\n", style="dim")
    return out


#: A number and its unit (``553.4 MB``, ``138.4 M``): never split across lines.
_UNIT = re.compile(r"(?<=\d) (?=[KMGT]?B\b|[KMGT]\b)")


def summary(report: Report, width: int | None = None) -> Text:
    """The summary lines; on a terminal ``width`` wide, wrapped between words under the values,
    a number never apart from its unit."""
    lines = summary_lines(report)
    if width is not None:
        wrap = textwrap.TextWrapper(width=width, subsequent_indent=" " * 13, break_long_words=False)
        # textwrap breaks at ASCII whitespace only, so a no-break space holds a pair together.
        lines = [
            part.replace("\u00a0", " ")
            for line in lines
            for part in wrap.wrap(_UNIT.sub("\u00a0", line))
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
    report: Report,
    columns: tuple[Column, ...],
    depth: int | None = None,
    file: TextIO | None = None,
    width: int | None = None,
    keep: bool = False,
    color: str = "auto",
) -> None:
    """``show``'s table and summary; fitted to ``width``, by default the terminal's (piped output
    is never fitted)."""
    out = console(file, color)
    if width is None and (file or sys.stdout).isatty():
        width = out.width
    out.print(layer_lines(report, columns, depth, width, keep), end="")
    out.print(summary(report, width))


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
    """``cnncalc list``: the built-ins, numbers right-aligned, the source last. Piped, or when
    the sources fit beside the figures, one line per built-in; on a narrower terminal each
    source goes on its own indented lines under its built-in, wrapped between words, so no
    figure is ever cut."""
    out = console(file)
    stream = file or sys.stdout
    width = out.width if stream.isatty() else None
    rows = [[terminal(cell) for cell in row] for row in cells]
    figures = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(len(header) - 1)]
    source = max(len(header[-1]), *(len(row[-1]) for row in rows))
    beside = width is None or sum(figures) + GAP * len(figures) + source <= width
    widths = [*figures, source] if beside else figures
    shown = header if beside else header[:-1]

    def line(values: list[str]) -> str:
        texts = [
            value.ljust(w) if i in (0, len(header) - 1) else value.rjust(w)
            for i, (value, w) in enumerate(zip(values, widths, strict=False))
        ]
        return (" " * GAP).join(texts).rstrip()

    text = Text()
    text.append(line(shown) + "\n", style="bold")
    text.append("─" * (sum(widths) + GAP * (len(widths) - 1)) + "\n")
    for row in rows:
        text.append(line(row if beside else row[:-1]) + "\n")
        if not beside:
            assert width is not None
            wrapped = textwrap.wrap(row[-1], width - 4, break_long_words=False)
            text.append("".join(f"    {part}\n" for part in wrapped), style="dim")
    out.print(text, end="")


def _both(a: str, b: str) -> str:
    """``a`` when both sides agree, else ``a → b``."""
    return a if a == b else f"{a} → {b}"


def _signed(n: int) -> str:
    return f"{n:+,}" if n else ""


#: The columns of ``diff``'s table: its cells come from the aligned pairs (:func:`diff_cells`);
#: the layout is ``show``'s (:func:`cnncalc.render.layout.fit`): text gives way, never a number.
DIFF_COLUMNS: tuple[Column, ...] = tuple(
    Column(key=key, header=header, doc=doc, numeric=shorten is None,
           shorten=shorten, min_width=12 if shorten else 0, drop=drop)
    for key, header, doc, shorten, drop in (
        ("name", "Layer", "layer names, a → b where they differ", Shorten.MIDDLE, 0),
        ("type", "Type", "layer types", Shorten.END, 2),
        ("hyper", "Hyper", "hyper-parameters", Shorten.END, 1),
        ("output", "Output", "output volumes", None, 0),
        ("rf", "RF", "receptive-field sizes", None, 3),
        ("params", "Params", "parameters", None, 0),
        ("dparams", "ΔParams", "B - A of the parameters", None, 0),
        ("macs", "MACs", "multiply-accumulates", None, 0),
        ("dmacs", "ΔMACs", "B - A of the MACs", None, 0),
    )
)  # fmt: skip


def diff_cells(d: Diff, changed_only: bool = False) -> tuple[list[list[str]], list[str]]:
    """One line of cells per aligned pair (``a → b`` where they differ; a row of one side only
    shows its own values), and the totals."""
    body = []
    for pair in d.pairs:
        if changed_only and not pair.changed:
            continue
        x, y = pair.a, pair.b
        deltas = (_signed(pair.delta("params")), _signed(pair.delta("macs")))
        if x is None or y is None:
            row = x or y
            assert row is not None
            cells = [
                f"{row.name} ({'A' if x else 'B'} only)",
                row.type,
                row.hyper,
                str(row.output),
                rf_text(row.rf)[0],
                count(row.params),
                deltas[0],
                count(row.macs),
                deltas[1],
            ]
        else:
            cells = [
                _both(x.name, y.name),
                _both(x.type, y.type),
                _both(x.hyper, y.hyper),
                _both(str(x.output), str(y.output)),
                _both(rf_text(x.rf)[0], rf_text(y.rf)[0]),
                _both(count(x.params), count(y.params)),
                deltas[0],
                _both(count(x.macs), count(y.macs)),
                deltas[1],
            ]
        body.append([terminal(cell) for cell in cells])
    a, b = d.a.totals, d.b.totals
    footer = [
        "Total",
        "",
        "",
        "",
        "",
        _both(count(a.params), count(b.params)),
        _signed(d.total_delta("params")) or "0",
        _both(count(a.macs), count(b.macs)),
        _signed(d.total_delta("macs")) or "0",
    ]
    return body, footer


def diff_lines(d: Diff, changed_only: bool = False, width: int | None = None) -> Text:
    """``cnncalc diff``'s title and table fitted to ``width`` (``None``: piped, never fitted).
    Plain lines, as ``show``'s table: rich would lay out every cell apart (a minute for two
    50,000-layer specs)."""
    a, b = d.a, d.b
    title = (
        f"A: {a.spec.title or a.spec.name} ({a.input})  →  B: {b.spec.title or b.spec.name}"
        f" ({b.input})"
    )
    body, footer = diff_cells(d, changed_only)
    return _fitted(terminal(title), DIFF_COLUMNS, body, footer, width)


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
    width = out.width if (file or sys.stdout).isatty() else None
    out.print(diff_lines(d, changed_only, width), end="")
    out.print(diff_summary(d))
