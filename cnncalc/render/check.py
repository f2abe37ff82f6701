"""The documents of ``cnncalc check``: a line per spec and its diagnostics (text), GitHub Actions
annotations, and the versioned JSON document (``docs/check-json.schema.json``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cnncalc.checking import Checked
from cnncalc.errors import Diagnostic, Severity
from cnncalc.render.diagnostics import diagnostic_dict, diagnostics_text
from cnncalc.render.escape import terminal
from cnncalc.render.rows import count, human

#: Version of ``check --format json`` (docs/check-json.schema.json): bumped when a key is removed or
#: changes meaning; adding keys keeps it.
CHECK_JSON_VERSION = 1


def tally(diagnostics: Iterable[Diagnostic]) -> dict[str, int]:
    """How many diagnostics of each severity."""
    counts = {s.value: 0 for s in Severity}
    for d in diagnostics:
        counts[d.severity.value] += 1
    return counts


def checked_text(checked: Checked, strict: bool) -> str:
    """``ok   FILE: name, input -> output, params, MACs`` or ``FAIL FILE: counts``, then the
    diagnostics."""
    return terminal(_verdict(checked, strict)) + "\n" + checked_github(checked, github=False)


def checked_github(checked: Checked, github: bool = True) -> str:
    """The spec's diagnostics as GitHub workflow commands (or as text)."""
    return diagnostics_text(checked.diagnostics, checked.sources, github=github)


def _verdict(checked: Checked, strict: bool) -> str:
    label = "<stdin>" if checked.file == "-" else checked.file
    report, diagnostics = checked.report, checked.diagnostics
    found = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in tally(diagnostics).items() if n)
    if checked.failed(strict) or report is None or not report.ok:
        return f"FAIL {label}: {found}"
    t = report.totals
    notes = f" ({found})" if found else ""
    return (
        f"ok   {label}: {report.spec.name}, {report.input} -> {report.layers[-1].output},"
        f" {count(t.params)} params, {human(t.macs)}MACs{notes}"
    )


def check_summary(checked: int, failed: int, diagnostics: Iterable[Diagnostic]) -> str:
    """The closing line: how many specs, how many failed, and the diagnostics by severity."""
    counts = tally(diagnostics)
    found = f"{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes"
    spec_word = f"spec{'s' if checked != 1 else ''}"
    return f"{checked} {spec_word} checked: {checked - failed} ok, {failed} failed ({found})"


def checked_entry(checked: Checked, strict: bool) -> dict[str, Any]:
    """One spec's entry in ``check --format json``."""
    entry: dict[str, Any] = {
        "file": checked.file,
        "ok": not checked.failed(strict),
        "diagnostics": [diagnostic_dict(d) for d in checked.diagnostics],
    }
    report = checked.report
    if report is not None:
        entry |= {
            "name": report.spec.name,
            "input": str(report.input),
            "params": report.totals.params,
            "macs": report.totals.macs,
        }
    return entry


def check_json(
    entries: list[dict[str, Any]], strict: bool, exit_code: int, diagnostics: Iterable[Diagnostic]
) -> str:
    """The whole ``check --format json`` document."""
    document = {
        "version": CHECK_JSON_VERSION,
        "strict": strict,
        "exit_code": exit_code,
        "specs": entries,
        "summary": tally(diagnostics),
    }
    return json.dumps(document, indent=2)
