"""Rich tables for people: ``show``'s per-layer table and summary, and ``list``. The only module
that imports rich, so the machine formats never pay for it."""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cnncalc.api import Report
from cnncalc.render.columns import Column, cells, totals
from cnncalc.render.escape import terminal
from cnncalc.render.layout import GAP, fit, stacked_lines, table_lines
from cnncalc.render.rows import count, rf_text, summary_lines
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
    footer = totals(report, columns)
    layout = fit(columns, body, footer, width, keep)
    out = Text(terminal(f"{spec.title or spec.name} — input {report.input}") + "\n")
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
        every = ",".join(c.key for c in columns)
        out.append(
            f"Not shown at {width} columns: {', '.join(c.key for c in layout.dropped)}"
            f" (--columns {every} shows them)\n",
            style="dim",
        )
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
