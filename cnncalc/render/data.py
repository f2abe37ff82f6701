"""The documents of ``show`` in machine formats: JSON (versioned), CSV and Markdown; and the
Markdown table every Markdown document uses. No rich import here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cnncalc.api import Report
from cnncalc.counting import PRESETS, Counting, ToolCount
from cnncalc.errors import Severity
from cnncalc.exact import Exact, exact_text
from cnncalc.grouping import Row
from cnncalc.memory import MemoryReport
from cnncalc.metrics import CONVENTIONS, rf_convention
from cnncalc.receptive import ExactAxes, Field
from cnncalc.render.columns import Column, cells, totals
from cnncalc.render.diagnostics import (
    diagnostic_dict,
    diagnostics_text,
    exploration_text,
    rounding_notes_line,
)
from cnncalc.render.escape import csv_cell, markdown_cell, visible
from cnncalc.render.rows import rf_text, summary_lines
from cnncalc.shapes import IMAGE_RANK, axis_words

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


def row_values(row: Row) -> list[Any]:
    """The row's value in each of :data:`COLUMNS`, as JSON and CSV give them."""
    return [
        row.name,
        row.type,
        row.hyper,
        str(row.output),
        row.activations,
        row.weights,
        row.biases,
        row.buffers,
        row.macs,
        row.ops,
    ]


def _row_dict(row: Row) -> dict[str, Any]:
    return dict(zip(COLUMNS, row_values(row), strict=True)) | {
        "shape": [*row.output.spatial, row.output.c],
        "rf": rf_dict(row.rf),
    }


def rf_dict(rf: Field | None) -> dict[str, Any] | None:
    if rf is None:
        return None
    return {
        "size": _json_axes(rf.size),
        "jump": _json_axes(rf.jump),
        "start": _json_start(rf),
        "padding": _json_axes(rf.padding),
        "via": rf.via or None,
        "aligned": rf.aligned,
    }


def _json_axes(values: ExactAxes) -> list[int | float | str]:
    if all(type(v) is int for v in values):  # every built-in: no conversion needed
        return list(values)  # type: ignore[arg-type]
    return [json_exact(v) for v in values]


def _json_start(rf: Field) -> list[int | float | str]:
    twice = rf.twice_start
    if all(type(v) is int and abs(v) <= _FLOAT_EXACT for v in twice):
        return [int(v) / 2 for v in twice]  # what json_exact gives, without making Fractions
    return [json_exact(v, point=True) for v in rf.start]


#: Integers up to this magnitude, and halves of them, are exact in a float.
_FLOAT_EXACT = 2**53


def json_exact(value: Exact, point: bool = False) -> int | float | str:
    """An exact value as JSON prints it exactly (docs/receptive-fields.md, "Exact values"): an
    integer as a number (with a point, ``16.0``, when ``point`` and within 2**53, as starts have
    always been printed); a fraction as a number when the float nearest it prints as exactly its
    value (``5.5``, ``0.2``), else as a string, its exact decimal or ``p/q``
    (``"1000000100000010000001.5"``, ``"1/3"``), which a JSON reader cannot round unnoticed."""
    if isinstance(value, int) or value.denominator == 1:
        whole = int(value)
        return float(whole) if point and -_FLOAT_EXACT <= whole <= _FLOAT_EXACT else whole
    if value.denominator == 2 and -_FLOAT_EXACT <= value.numerator <= _FLOAT_EXACT:
        return float(value)  # the common case: a half, shown as 16.5 by float's repr
    try:
        nearest = float(value)
    except OverflowError:
        return exact_text(value)
    from fractions import Fraction

    return nearest if Fraction(repr(nearest)) == value else exact_text(value)


def conventions(report: Report) -> dict[str, str]:
    """What each figure counts; ``macs`` states the report's counting preset, ``rf`` the axes of
    the report's rank."""
    found = CONVENTIONS
    if report.count is not Counting.TORCHVISION:
        found = found | {"macs": PRESETS[report.count].convention}
    if report.input.rank != IMAGE_RANK:
        found = found | {"rf": rf_convention(report.input.rank)}
    return found


def counts_dict(counts: tuple[ToolCount, ...]) -> dict[str, Any]:
    """``show --count all --format json``: each tool's total, difference from the default, the
    call it reproduces and its count per layer (by name, in execution order)."""
    return {
        c.preset.counting.value: {
            "total": c.total,
            "difference": c.difference,
            "call": c.preset.call,
            "convention": c.preset.convention,
            "layers": dict(c.layers),
        }
        for c in counts
    }


def peak_dict(report: Report) -> dict[str, Any] | None:
    """``peak``: the liveness peak of a forward pass (:func:`cnncalc.memory.inference_peak`), per
    image in elements and at the report's batch and dtype in bytes, the layer running then and
    the storages live then (by the layer that allocated each, in elements per image)."""
    peak = report.peak
    if peak is None:
        return None
    return {
        "elements": peak.elements,
        "bytes": peak.bytes(report.batch, report.dtype.bytes),
        "layer": peak.layer,
        "live": dict(peak.live),
    }


def memory_dict(memory: MemoryReport) -> dict[str, Any]:
    """``training`` (``show --optimizer``): one training step's bytes by part
    (:func:`cnncalc.memory.training_memory`), and with ``--memory`` the largest batches under
    ``fit``."""
    step = memory.training
    document: dict[str, Any] = {
        "training": {
            "optimizer": memory.optimizer.value,
            "weights": step.weights,
            "gradients": step.gradients,
            "optimizer_state": step.optimizer,
            "saved_activations": step.activations,
            "buffers": step.buffers,
            "total": step.total,
        }
    }
    if memory.fit is not None:
        document["fit"] = {
            "budget": memory.fit.budget,
            "inference_batch": memory.fit.inference,
            "training_batch": memory.fit.training,
        }
    return document


def report_dict(
    report: Report,
    depth: int | None = None,
    layer: Callable[[Row], Any] = _row_dict,
    counts: tuple[ToolCount, ...] | None = None,
    memory: MemoryReport | None = None,
) -> dict[str, Any]:
    """The JSON document for ``show --format json``; ``layer`` makes each entry of ``layers``;
    ``counts`` (``--count all``) adds every tool's figures under ``counts``. A report counted
    under a preset other than the default names it under ``count``. ``peak`` is the liveness
    peak (absent when a layer could not be inferred); ``memory`` (``--optimizer``, ``--memory``)
    adds ``training`` and ``fit``."""
    spec, t = report.spec, report.totals
    document = {
        "version": JSON_SCHEMA_VERSION,
        "name": spec.name,
        "title": spec.title,
        "source": spec.source,
        "file": spec.file,
        "input": str(report.input),
        # the input as a list, and what each of its numbers is: every "shape" list reads alike
        "input_shape": [*report.input.spatial, report.input.c],
        "axes": [*axis_words(report.input.rank), "channels"],
        "batch": report.batch,
        "dtype": report.dtype.value,
        "layers": [layer(row) for row in report.rows(depth)],
        # False when the spec has an error: the totals then count only the layers inferred.
        "complete": report.ok,
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
        "conventions": conventions(report),
        "diagnostics": [diagnostic_dict(d) for d in report.diagnostics],
    }
    if report.count is not Counting.TORCHVISION:
        document["count"] = report.count.value
    if counts is not None:
        document["counts"] = counts_dict(counts)
    if (peak := peak_dict(report)) is not None:
        document["peak"] = peak
    if memory is not None:
        document |= memory_dict(memory)
    return document


def report_json(
    report: Report,
    depth: int | None = None,
    counts: tuple[ToolCount, ...] | None = None,
    memory: MemoryReport | None = None,
) -> str:
    """:func:`report_dict` as :func:`layers_json` writes it."""
    import json  # here, not at the top: a table never needs it (about a millisecond to import)

    # Layers encoded as they are made: a few hundred bytes each instead of a dict of dicts.
    encoded = report_dict(report, depth, lambda row: json.dumps(_row_dict(row)), counts, memory)
    return layers_json(encoded)


def layers_json(document: dict[str, Any]) -> str:
    """``document`` indented by two spaces, except that each of its ``layers``, already encoded
    (a JSON string each), is one line.

    Why: ``json.dumps`` with ``indent`` runs the pure-Python encoder, about 20 microseconds a layer
    and a key per line (55 MB for 100,000 layers); one compact ``dumps`` per layer runs the C
    encoder and keeps the file greppable, a layer a line. The document is the same JSON value.
    """
    import json

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
    import json

    if key == "layers":
        return "[\n    " + ",\n    ".join(value) + "\n  ]" if value else "[]"
    return json.dumps(value, indent=2).replace("\n", "\n  ")


def report_csv(report: Report, depth: int | None = None) -> str:
    import csv  # here, not at the top: the JSON path does not pay for it
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS + RF_COLUMNS)
    for row in report.rows(depth):
        writer.writerow([csv_cell(value) for value in row_values(row)] + list(rf_text(row.rf)))
    return buffer.getvalue()


def markdown_table(header: list[str], body: list[list[str]], right: set[int]) -> str:
    """A GitHub-flavoured Markdown table; columns in ``right`` are right-aligned."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(markdown_cell(cell) for cell in line) + " |" for line in body]
    return "\n".join(lines) + "\n"


def report_markdown(report: Report, depth: int | None, columns: tuple[Column, ...]) -> str:
    """The title, the table of ``columns`` with the totals in bold, and the summary lines."""
    spec = report.spec
    body = cells(report, columns, depth)
    body.append([f"**{cell}**" if cell else "" for cell in totals(report, columns)])
    right = {i for i, c in enumerate(columns) if c.shorten is None}
    title = markdown_cell(f"{spec.title or spec.name} — input {report.input}")
    summary = "".join(
        f"- {markdown_cell(' '.join(line.split()))}\n" for line in summary_lines(report)
    )
    return (
        f"### {title}\n\n"
        + markdown_table([c.header for c in columns], body, right)
        + (f"\n{summary}")
    )


#: The machine formats of ``show``, each a function of (report, depth, columns) giving the whole
#: document (JSON and CSV have every figure, whatever the columns); the rich table (``table``) is
#: :func:`cnncalc.render.table.print_report`.
SHOW_FORMATS: dict[str, Callable[[Report, int | None, tuple[Column, ...]], str]] = {
    "json": lambda report, depth, columns: report_json(report, depth) + "\n",
    "csv": lambda report, depth, columns: report_csv(report, depth),
    "markdown": report_markdown,
    "html": lambda report, depth, columns: _html(report, depth, columns),
}


def _html(report: Report, depth: int | None, columns: tuple[Column, ...]) -> str:
    from cnncalc.render.html import report_html  # only this format pays for it

    return report_html(report, depth, columns)


def show_problems(report: Report) -> str:
    """What ``show`` writes to standard error: the problems (notes summarised in one line) and,
    when a window does not fit, the exploration of the sizes that do."""
    notes = [d for d in report.diagnostics if d.severity is Severity.NOTE]
    problems = tuple(d for d in report.diagnostics if d.severity is not Severity.NOTE)
    text = diagnostics_text(problems, report.sources)
    found = report.exploration()
    if found is not None:
        text += exploration_text(found, report.spec.name)
    if notes:
        spec = report.spec
        target = spec.file if spec.file and spec.file != "<stdin>" else spec.name
        text += rounding_notes_line(len(notes), spec.rounding.value, visible(target))
    return text
