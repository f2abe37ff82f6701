"""The documents of ``cnncalc list``: the built-in architectures with their input, parameters,
MACs, activations and source, as JSON, Markdown or the entries of the rich table."""

from __future__ import annotations

import json
from typing import Any

from cnncalc.api import Report
from cnncalc.render.data import markdown_table
from cnncalc.render.rows import count, human


def _entry(name: str, report: Report) -> dict[str, Any]:
    t = report.totals
    return {
        "name": name,
        "title": report.spec.title,
        "input": str(report.input),
        "params": t.params,
        "macs": t.macs,
        "activations": t.activations,
        "source": report.spec.source,
    }


def listing_json(reports: dict[str, Report]) -> str:
    return json.dumps([_entry(name, report) for name, report in reports.items()], indent=2)


def listing_cells(reports: dict[str, Report]) -> list[list[str]]:
    """Name, input, params, MACs, activations and source of each built-in, as printed."""
    return [
        [
            name,
            str(report.input),
            count(report.totals.params),
            human(report.totals.macs),
            count(report.totals.activations),
            report.spec.source,
        ]
        for name, report in reports.items()
    ]


LISTING_HEADER = ["Name", "Input", "Params", "MACs", "Activations", "Source"]


def listing_markdown(reports: dict[str, Report]) -> str:
    return markdown_table(LISTING_HEADER, listing_cells(reports), right={1, 2, 3, 4})
