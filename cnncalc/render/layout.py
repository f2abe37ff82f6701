"""Fitting ``show``'s table to a terminal: which columns are shown, how wide, or a stacked layout.
Plain strings, no rendering library: :mod:`cnncalc.render.table` styles the lines.

A number is never shortened: a cut number is a wrong number. When the table is wider than the
terminal, in this order:

1. text gives way: layer names lose their middle (``stage1.u…conv1``), hyper-parameters and types
   their end, down to a few characters each, and the room left goes first to the width that nine
   cells in ten of a column need (one long type gives way before every row's name);
2. default columns are left out, the highest :attr:`Column.drop` first (weights, biases and other
   ops; then the receptive-field columns; activations; type; hyper-parameters), and a note names
   them and ``--columns``; columns chosen with ``--columns`` are never left out;
3. a stacked layout: each layer on its own lines, ``Header value`` pairs wrapped to the width.

Piped output (no width) is never fitted: one line per layer at the cells' natural widths, for
``grep``, ``less -S`` and ``awk``.
"""

from __future__ import annotations

from cnncalc.records import Record
from cnncalc.render.columns import Column, Shorten

#: Spaces between two columns.
GAP = 2


class Layout(Record, kw_only=True):
    """The columns shown and their widths; ``stacked`` when not even the narrowest table fits."""

    columns: tuple[Column, ...]
    widths: tuple[int, ...]
    dropped: tuple[Column, ...] = ()
    stacked: bool = False


def clip(text: str, width: int, how: Shorten) -> str:
    """``text`` in at most ``width`` characters, an ellipsis marking what was left out."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    if how is Shorten.END:
        return text[: width - 1] + "…"
    # A dotted name keeps its last part whole when that leaves room for a start (stage1…conv1).
    leaf = text.rsplit(".", 1)[-1]
    tail = len(leaf) if len(leaf) <= (width - 1) // 2 + 2 else (width - 1) // 2
    return text[: width - 1 - tail] + "…" + text[len(text) - tail :]


def fit(
    columns: tuple[Column, ...],
    body: list[list[str]],
    footer: list[str],
    width: int | None,
    keep: bool = False,
) -> Layout:
    """The layout of ``columns`` for a terminal ``width`` wide (``None``: piped, natural widths).
    ``keep``: the user chose the columns, so none is left out (stacked instead)."""
    natural = [
        max(len(c.header), len(footer[i]), *(len(line[i]) for line in body))
        for i, c in enumerate(columns)
    ]
    if width is None:
        return Layout(columns=columns, widths=tuple(natural))
    least = [
        natural[i] if c.shorten is None else min(natural[i], max(c.min_width, len(c.header)))
        for i, c in enumerate(columns)
    ]
    shown = list(range(len(columns)))

    def needed(indices: list[int], widths: list[int]) -> int:
        return sum(widths[i] for i in indices) + GAP * (len(indices) - 1)

    while needed(shown, least) > width:
        candidates = [i for i in shown if columns[i].drop] if not keep else []
        if not candidates:
            return Layout(columns=columns, widths=(), stacked=True)
        shown.remove(max(candidates, key=lambda i: (columns[i].drop, i)))
    widths = list(least)
    # Text grows back a character at a time in turn, first to the width most of its cells need
    # (a column wide for one cell, adaptive_avgpool among convs, waits), then to its widest.
    for target in (_typical(columns, body, natural, least), natural):
        spare = width - needed(shown, widths)
        growing = [i for i in shown if widths[i] < target[i]]
        while spare and growing:
            for i in growing[:spare]:
                widths[i] += 1
            spare -= min(spare, len(growing))
            growing = [i for i in growing if widths[i] < target[i]]
    return Layout(
        columns=tuple(columns[i] for i in shown),
        widths=tuple(widths[i] for i in shown),
        dropped=tuple(c for i, c in enumerate(columns) if i not in shown),
    )


def _typical(
    columns: tuple[Column, ...], body: list[list[str]], natural: list[int], least: list[int]
) -> list[int]:
    """Per column, the width nine cells in ten fit in (at least its narrowest)."""
    out = []
    for i, _ in enumerate(columns):
        lengths = sorted(len(line[i]) for line in body)
        typical = lengths[(9 * (len(lengths) - 1)) // 10] if lengths else 0
        out.append(min(natural[i], max(least[i], typical)))
    return out


def _line(cells: list[str], layout: Layout) -> str:
    texts = []
    for text, column, width in zip(cells, layout.columns, layout.widths, strict=True):
        if column.shorten is not None:
            texts.append(clip(text, width, column.shorten).ljust(width))
        else:
            texts.append(text.rjust(width))
    return (" " * GAP).join(texts).rstrip()


def table_lines(
    layout: Layout, columns: tuple[Column, ...], body: list[list[str]], footer: list[str]
) -> tuple[str, str, list[str], str]:
    """The header, the rule under it, one line per row, and the totals, of a table ``layout``."""
    at = [columns.index(c) for c in layout.columns]
    header = _line([c.header for c in layout.columns], layout)
    rule = "─" * (sum(layout.widths) + GAP * (len(layout.widths) - 1))
    rows = [_line([line[i] for i in at], layout) for line in body]
    return header, rule, rows, _line([footer[i] for i in at], layout)


def stacked_lines(
    columns: tuple[Column, ...], body: list[list[str]], footer: list[str], width: int
) -> list[list[str]]:
    """Each row as lines of at most ``width`` characters: its text cells on the first (shortened
    if need be), then ``Header value`` for every other non-empty cell, wrapped, indented by two.
    A pair wider than the width has a line of its own, whole."""
    out = []
    for line in [*body, footer]:
        text = "  ".join(cell for c, cell in zip(columns, line, strict=True) if c.shorten and cell)
        lines = [clip(text, width, Shorten.END)]
        current = ""
        for c, cell in zip(columns, line, strict=True):
            if c.shorten is not None or not cell:
                continue
            pair = f"{c.header} {cell}"
            if current and len(current) + GAP + len(pair) > width:
                lines.append(current)
                current = ""
            current = f"{current}{' ' * GAP}{pair}" if current else f"  {pair}"
        if current:
            lines.append(current)
        out.append(lines)
    return out
