"""HTML: ``show --format html``, one self-contained page (title, table, summary, breakdown and
the profile as inline SVG; no script, nothing fetched, so it opens offline), and the fragment a
notebook shows for a :class:`cnncalc.api.Report` (``_repr_html_``). User text is escaped once
here, by :func:`html.escape` after :func:`cnncalc.render.escape.visible`."""

from __future__ import annotations

from html import escape

from cnncalc.api import Report
from cnncalc.render.columns import Column, cells, totals
from cnncalc.render.escape import visible
from cnncalc.render.profile import breakdown_lines, profile_svg
from cnncalc.render.rows import summary_lines

_RIGHT = ' style="text-align:right"'


def _title(report: Report) -> str:
    spec = report.spec
    return escape(visible(f"{spec.title or spec.name} — input {report.input}"))


def report_table(report: Report, depth: int | None, columns: tuple[Column, ...]) -> str:
    """The table of ``columns``, figures right-aligned, the totals last."""
    head = "".join(f"<th{'' if c.shorten else _RIGHT}>{escape(c.header)}</th>" for c in columns)
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<td{'' if c.shorten else _RIGHT}>{escape(visible(cell))}</td>"
            for c, cell in zip(columns, line, strict=True)
        )
        + "</tr>"
        for line in [*cells(report, columns, depth), totals(report, columns)]
    )
    return f"<table>\n<tr>{head}</tr>\n{body}\n</table>\n"


def report_fragment(report: Report, columns: tuple[Column, ...]) -> str:
    """What a notebook shows: the title, the table and the summary."""
    summary = escape("\n".join(summary_lines(report)))
    return f"<h4>{_title(report)}</h4>\n{report_table(report, None, columns)}<pre>{summary}</pre>\n"


def report_html(report: Report, depth: int | None, columns: tuple[Column, ...]) -> str:
    """The whole page of ``show --format html``."""
    pre = escape("\n".join([*summary_lines(report), "", *breakdown_lines(report)]))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_title(report)}</title>\n<style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse;font-size:13px}td,th{padding:1px 8px}"
        "tr:last-child{font-weight:bold;border-top:1px solid #888}"
        "th{border-bottom:1px solid #888;text-align:left}pre{font-size:13px}</style></head><body>\n"
        f"<h1>{_title(report)}</h1>\n{report_table(report, depth, columns)}"
        f"<pre>{pre}</pre>\n<h2>Profile</h2>\n{profile_svg(report, depth)}</body></html>\n"
    )
