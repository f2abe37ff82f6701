"""Where a network's activations, params and MACs live, as pictures: ``cnncalc profile``'s bars in
the terminal and as SVG (written by this module: no plotting library needed), and the breakdown
by layer family and by stage (:mod:`cnncalc.breakdown`) as text. No rich import here.

Spec text is escaped by the format's rule: :func:`cnncalc.render.escape.terminal` for a line that
may start with it (a layer name, the title), :func:`~cnncalc.render.escape.visible` inside a line,
and :func:`html.escape` after it in SVG.

Every bar is scaled to the largest value of its own figure, and the scale is printed (``max
3.21 M``: a full bar is that largest value); a nonzero value too small to draw gets the thinnest
bar, so no cost hides.
"""

from __future__ import annotations

from html import escape

from cnncalc.api import Report
from cnncalc.breakdown import Part
from cnncalc.grouping import Row
from cnncalc.render.columns import Shorten
from cnncalc.render.escape import terminal, visible
from cnncalc.render.layout import clip
from cnncalc.render.rows import human, share

#: The figures drawn side by side: (attribute of a row, header).
FIGURES = (("activations", "Activations"), ("params", "Params"), ("macs", "MACs"))

#: The colour of each figure's bars in the pictures (Tableau's first three, as Vega uses).
COLOURS = ("#4c78a8", "#f58518", "#54a24b")

#: Eighths of a character cell, for bars finer than whole cells.
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def profile_rows(report: Report, depth: int | None) -> tuple[list[Row], int]:
    """The rows that hold memory, params or MACs, and how many rows were left out (in-place
    activations, dropout, views: nothing to draw)."""
    rows = report.rows(depth)
    kept = [r for r in rows if any(getattr(r, key) for key, _ in FIGURES)]
    return kept, len(rows) - len(kept)


def bar(value: int, largest: int, cells: int) -> str:
    """``value`` as a bar of at most ``cells`` characters, ``largest`` filling them all."""
    if not value or not largest:
        return ""
    eighths = max(1, round(8 * cells * value / largest))
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def profile_text(report: Report, depth: int | None = None, width: int = 100) -> list[str]:
    """The picture in lines of at most ``width`` characters: a row per layer (or collapsed block),
    a bar per figure."""
    rows, hidden = profile_rows(report, depth)
    names = [terminal(r.name) for r in rows]
    name_width = min(max((len(n) for n in names), default=5), max(12, width // 4))
    cells = max(6, (width - name_width - 2 * len(FIGURES)) // len(FIGURES))
    largest = {key: max((getattr(r, key) for r in rows), default=0) for key, _ in FIGURES}
    spec = report.spec
    lines = [
        terminal(
            f"{spec.title or spec.name} — input {report.input}: where the memory, params and"
            " MACs are"
        ),
        " " * name_width + "".join(f"  {title:<{cells}}" for _, title in FIGURES).rstrip(),
        " " * name_width
        + "".join(f"  {'max ' + human(largest[key]):<{cells}}" for key, _ in FIGURES).rstrip(),
    ]
    for name, row in zip(names, rows, strict=True):
        bars = "".join(
            f"  {bar(getattr(row, key), largest[key], cells):<{cells}}" for key, _ in FIGURES
        )
        lines.append((clip(name, name_width, Shorten.MIDDLE).ljust(name_width) + bars).rstrip())
    if hidden:
        lines.append(f"({hidden} row(s) without memory, params or MACs not drawn)")
    return lines


def _parts(title: str, parts: tuple[Part, ...], report: Report) -> list[str]:
    t = report.totals
    lines = [f"{title:<14}{'params':>18}{'activations':>18}{'MACs':>18}"]
    for p in parts:
        if not (p.params or p.activations or p.macs):
            continue
        cells = [
            f"{human(n)} {share(n, whole):>6}" if n else "-"
            for n, whole in ((p.params, t.params), (p.activations, t.activations), (p.macs, t.macs))
        ]
        lines.append(
            f"  {clip(visible(p.name), 12, Shorten.MIDDLE):<12}"
            + "".join(f"{c:>18}" for c in cells)
        )
    return lines


def breakdown_lines(report: Report) -> list[str]:
    """The breakdown by family and by stage (shares of the totals), and the largest layers."""
    found = report.breakdown()
    lines = [*_parts("By type", found.by_family, report), ""]
    lines += [*_parts("By stage", found.by_stage, report), ""]
    t = report.totals
    for key, title in FIGURES:
        whole = getattr(t, key)
        top = ", ".join(
            f"{visible(p.name)} {human(getattr(p, key))} ({share(getattr(p, key), whole)})"
            for p in found.largest[key]
        )
        lines.append(f"Largest by {title if key == 'macs' else title.lower()}: {top or 'none'}")
    return lines


#: Geometry of the SVG picture, in pixels.
_ROW, _NAME, _PANEL, _GAP, _TOP = 16, 190, 240, 20, 64


def profile_svg(report: Report, depth: int | None = None) -> str:
    """The picture as a self-contained SVG document: the same rows and bars as the terminal's,
    each value in a tooltip."""
    rows, hidden = profile_rows(report, depth)
    largest = {key: max((getattr(r, key) for r in rows), default=0) for key, _ in FIGURES}
    width = _NAME + len(FIGURES) * (_PANEL + _GAP)
    height = _TOP + _ROW * len(rows) + 30
    spec = report.spec
    title = escape(visible(f"{spec.title or spec.name} — input {report.input}"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<text x="4" y="16" font-size="14" font-weight="bold">{title}</text>',
    ]
    for i, ((key, header), colour) in enumerate(zip(FIGURES, COLOURS, strict=True)):
        x = _NAME + i * (_PANEL + _GAP)
        out.append(f'<text x="{x}" y="38" font-weight="bold">{header}</text>')
        out.append(
            f'<text x="{x}" y="52" fill="#555">full bar = max {escape(human(largest[key]))}</text>'
        )
        for j, row in enumerate(rows):
            value = getattr(row, key)
            if not value:
                continue
            length = max(1.0, _PANEL * value / largest[key])
            y = _TOP + j * _ROW
            out.append(
                f'<rect x="{x}" y="{y}" width="{length:.1f}" height="{_ROW - 3}" fill="{colour}">'
                f"<title>{escape(visible(row.name))}: {value:,} {header.lower()}</title></rect>"
            )
    for j, row in enumerate(rows):
        y = _TOP + j * _ROW + _ROW - 5
        name = escape(clip(visible(row.name), 30, Shorten.MIDDLE))
        out.append(f'<text x="{_NAME - 6}" y="{y}" text-anchor="end">{name}</text>')
    if hidden:
        out.append(
            f'<text x="4" y="{height - 8}" fill="#555">{hidden} row(s) with no memory, params or'
            " MACs not drawn (in-place activations, dropout, views)</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
