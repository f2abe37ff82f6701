"""Machine formats of a report: JSON (versioned), CSV and Markdown. No rich import here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cnncalc.api import Report
from cnncalc.metrics import CONVENTIONS
from cnncalc.receptive import Field
from cnncalc.render.diagnostics import diagnostic_dict
from cnncalc.render.rows import Row, count, rf_text, rows

#: Bumped when a key is removed or changes meaning (adding keys keeps the version).
JSON_SCHEMA_VERSION = 1

COLUMNS = (
    "name",
    "type",
    "hyper",
    "output",
    "activations",
    "weights",
    "biases",
    "buffers",
    "macs",
    "ops",
)


#: The receptive-field columns of CSV (and, with ``--rf``, of the tables).
RF_COLUMNS = ("rf", "rf_jump", "rf_start")


def _row_dict(row: Row) -> dict[str, Any]:
    return {column: getattr(row, column) for column in COLUMNS} | {"rf": rf_dict(row.rf)}


def rf_dict(rf: Field | None) -> dict[str, Any] | None:
    if rf is None:
        return None
    return {
        "size": list(rf.size),
        "jump": list(rf.jump),
        "start": list(rf.start),  # halves of integers: exact in a float
        "padding": list(rf.padding),
        "via": rf.via or None,
        "aligned": rf.aligned,
    }


def report_dict(
    report: Report, depth: int | None = None, layer: Callable[[Row], Any] = _row_dict
) -> dict[str, Any]:
    """The JSON document for ``show --format json``; ``layer`` makes each entry of ``layers``."""
    spec, t = report.spec, report.totals
    return {
        "version": JSON_SCHEMA_VERSION,
        "name": spec.name,
        "title": spec.title,
        "source": spec.source,
        "file": spec.file,
        "input": str(report.input),
        "batch": report.batch,
        "dtype": report.dtype.value,
        "layers": [layer(row) for row in rows(report, depth)],
        "totals": {
            "params": t.params,
            "weights": t.weights,
            "biases": t.biases,
            "buffers": t.buffers,
            "macs": t.macs,
            "flops": t.flops,
            "ops": t.ops,
            "activations": t.activations,
            "param_bytes": t.param_bytes,
            "buffer_bytes": t.buffer_bytes,
            "activation_bytes": t.activation_bytes,
            "batch_activation_bytes": t.batch_activation_bytes,
            "training_bytes": t.training_bytes,
        },
        "conventions": CONVENTIONS,
        "diagnostics": [diagnostic_dict(d) for d in report.diagnostics],
    }


def report_json(report: Report, depth: int | None = None) -> str:
    """:func:`report_dict` as :func:`layers_json` writes it."""
    # Layers encoded as they are made: a few hundred bytes each instead of a dict of dicts.
    return layers_json(report_dict(report, depth, lambda row: json.dumps(_row_dict(row))))


def layers_json(document: dict[str, Any]) -> str:
    """``document`` indented by two spaces, except that each of its ``layers``, already encoded
    (a JSON string each), is one line.

    Why: ``json.dumps`` with ``indent`` runs the pure-Python encoder, about 20 microseconds a layer
    and a key per line (55 MB for 100,000 layers); one compact ``dumps`` per layer runs the C
    encoder and keeps the file greppable, a layer a line. The document is the same JSON value.
    """
    return (
        "{\n"
        + ",\n".join(
            f"  {json.dumps(key)}: {_member(key, value)}" for key, value in document.items()
        )
        + "\n}"
    )


def _member(key: str, value: Any) -> str:
    """A member's value in :func:`layers_json`: the encoded layers a line each, the rest nested one
    level (a JSON string holds no raw newline, so indenting every line is safe)."""
    if key == "layers":
        return "[\n    " + ",\n    ".join(value) + "\n  ]" if value else "[]"
    return json.dumps(value, indent=2).replace("\n", "\n  ")


def report_csv(report: Report, depth: int | None = None) -> str:
    import csv  # here, not at the top: the JSON path does not pay for it
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS + RF_COLUMNS)
    for row in rows(report, depth):
        writer.writerow([getattr(row, column) for column in COLUMNS] + list(rf_text(row.rf)))
    return buffer.getvalue()


def markdown_table(header: list[str], body: list[list[str]], right: set[int]) -> str:
    """A GitHub-flavoured Markdown table; columns in ``right`` are right-aligned."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in body]
    return "\n".join(lines) + "\n"


def report_markdown(report: Report, depth: int | None = None, rf: bool = False) -> str:
    """The Markdown table; ``rf`` adds the receptive-field columns (size, jump, start)."""
    extra = ["RF", "Jump", "Start"] if rf else []
    header = [
        "Layer",
        "Type",
        "Hyper",
        "Output",
        *extra,
        "Activations",
        "Weights",
        "Biases",
        "MACs",
    ]
    body = [
        [
            r.name,
            r.type,
            r.hyper,
            r.output,
            *(rf_text(r.rf) if rf else ()),
            count(r.activations),
            count(r.weights),
            count(r.biases),
            count(r.macs),
        ]
        for r in rows(report, depth)
    ]
    t = report.totals
    body.append(
        [
            "**Total**",
            "",
            "",
            "",
            *[""] * len(extra),
            count(t.activations),
            count(t.weights),
            count(t.biases),
            count(t.macs),
        ]
    )
    return markdown_table(header, body, right=set(range(4, len(header))))
