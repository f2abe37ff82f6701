"""Diagnostics as text (ruff/rustc style, with the source line and a caret), JSON and GitHub
Actions annotations. The one place that formats a problem."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from cnncalc.errors import Diagnostic, Severity, SpecError
from cnncalc.source import read_bytes

#: Text of sources not on disk (stdin), by the name used in their spans.
SOURCES: dict[str, str] = {}


@cache
def _lines(file: str) -> list[str]:
    try:  # the same guarded read as loading: never opens a FIFO or device, reads a bounded prefix
        return read_bytes(file).decode("utf-8", errors="replace").splitlines()
    except SpecError:
        return []


@lru_cache(maxsize=4)
def _split(text: str) -> list[str]:
    return text.splitlines()


def source_line(file: str, line: int) -> str | None:
    # keyed by the text, not its name: standard input read again in one process is new text
    lines = _split(SOURCES[file]) if file in SOURCES else _lines(file)
    return lines[line - 1] if 0 < line <= len(lines) else None


def diagnostic_text(d: Diagnostic) -> str:
    """``file:line:col: E301 [error] message``, the source line with a caret, then hint and related
    places.
    """
    out = [f"{d.span}: {d.code} [{d.severity.value}] {d.message}"]
    if d.severity is Severity.NOTE:  # accepted on purpose: one line is enough
        return out[0]
    text = source_line(d.span.file, d.span.line)
    if text is not None:
        gutter = " " * len(str(d.span.line))
        # at most 200 characters of the line, around the column on a long one (a minified spec)
        start = max(d.span.col - 100, 0) if d.span.col > 200 else 0
        shown = ("…" if start else "") + text.expandtabs(1)[start : start + 200]
        caret = " " * (d.span.col - 1 - start + (1 if start else 0)) + "^"
        out += [f"{gutter} |", f"{d.span.line} | {shown}", f"{gutter} | {caret}"]
    for label, span in d.related:
        out.append(f"  = note: {label}: {span}")
    if d.hint:
        out.append(f"  = hint: {d.hint}")
    return "\n".join(out)


def diagnostic_dict(d: Diagnostic) -> dict[str, Any]:
    return {
        "file": d.span.file,
        "line": d.span.line,
        "col": d.span.col,
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "hint": d.hint,
        "related": [
            {"message": label, "file": s.file, "line": s.line, "col": s.col}
            for label, s in d.related
        ],
    }


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def diagnostic_github(d: Diagnostic) -> str:
    """A GitHub Actions workflow command, which annotates the line in a pull request."""
    message = d.message + (f" (hint: {d.hint})" if d.hint else "")
    file = _escape(d.span.file).replace(",", "%2C").replace(":", "%3A")
    return (
        f"::{_GITHUB_LEVEL[d.severity]}"
        f" file={file},line={d.span.line},col={d.span.col},title={d.code}::{_escape(message)}"
    )
