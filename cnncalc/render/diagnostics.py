"""Diagnostics as text (ruff/rustc style, with the source line and a caret), JSON and GitHub
Actions annotations. The one place that formats a problem.

The quoted line comes from the text the spec was parsed from (``Spec.sources``,
``SpecError.sources``), passed in by the caller: no file is read again, so a file changed since,
a FIFO or a device can never be quoted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cnncalc.errors import Diagnostic, Severity
from cnncalc.render.escape import terminal, visible

if TYPE_CHECKING:
    from cnncalc.fitting import Exploration

#: Line breaks as the YAML reader counts lines (libyaml: CR LF, CR, LF, NEL, LS, PS), so the quoted
#: line is the one the span names; ``str.splitlines`` also breaks at form feeds and other controls.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

#: Characters of a quoted line shown around the column on a long line (a minified spec).
QUOTE_WIDTH = 200


def source_line(sources: Mapping[str, str], file: str, line: int) -> str | None:
    """Line ``line`` (1-based) of the text read from ``file``, if that text is known."""
    text = sources.get(file)
    if not text or line < 1:  # an empty file has no line to show
        return None
    start = 0
    for _ in range(line - 1):
        found = _LINE_BREAK.search(text, start)
        if found is None:
            return None
        start = found.end()
    end = _LINE_BREAK.search(text, start)
    return text[start : end.start() if end else len(text)]


def diagnostic_text(d: Diagnostic, sources: Mapping[str, str]) -> str:
    """``file:line:col: E301 [error] message``, the source line with a caret, then hint and
    related places."""
    out = [f"{d.span}: {d.code} [{d.severity.value}] {d.message}"]
    if d.severity is Severity.NOTE:  # accepted on purpose: one line is enough
        return terminal(out[0])
    text = source_line(sources, d.span.file, d.span.line)
    quoted = []
    if text is not None:
        gutter = " " * len(str(d.span.line))
        # a window of the line around the column on a long line (a minified spec)
        start = max(d.span.col - QUOTE_WIDTH // 2, 0) if d.span.col > QUOTE_WIDTH else 0
        line = text.expandtabs(1)
        before = visible(line[start : d.span.col - 1])  # the caret follows the escapes
        shown = ("…" if start else "") + visible(line[start : start + QUOTE_WIDTH])
        caret = " " * (len(before) + (1 if start else 0)) + "^"
        quoted = [f"{gutter} |", f"{d.span.line} | {shown}", f"{gutter} | {caret}"]
    notes = [f"  = note: {label}: {span}" for label, span in d.related]
    if d.hint:
        notes.append(f"  = hint: {d.hint}")
    return "\n".join([terminal(out[0]), *quoted, *(terminal(line) for line in notes)])


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
    message = visible(d.message + (f" (hint: {d.hint})" if d.hint else ""))
    file = _escape(visible(d.span.file)).replace(",", "%2C").replace(":", "%3A")
    level = _GITHUB_LEVEL[d.severity]
    return (
        f"::{level} file={file},line={d.span.line},col={d.span.col},title={d.code}"
        f"::{_escape(message)}"
    )


#: Diagnostics printed per spec in text and GitHub formats; the rest are counted (JSON has all).
MAX_SHOWN = 100


def diagnostics_text(
    diagnostics: tuple[Diagnostic, ...], sources: Mapping[str, str], github: bool = False
) -> str:
    """Each diagnostic (at most :data:`MAX_SHOWN`) on its own lines, as text or GitHub
    annotations, and how many more there are; empty when there are none."""
    shown = [
        diagnostic_github(d) if github else diagnostic_text(d, sources)
        for d in diagnostics[:MAX_SHOWN]
    ]
    if len(diagnostics) > MAX_SHOWN:
        more = len(diagnostics) - MAX_SHOWN
        shown.append(f"... {more:,} more problems not shown ('--format json' lists all)")
    return "".join(line + "\n" for line in shown)


def exploration_text(found: Exploration, spec_name: str) -> str:
    """When a window does not fit exactly: every window that fails (each floored to reach the
    next) and the nearest input sizes at which the whole spec fits."""
    lines = [
        f"note: at {found.input}, these windows do not fit (each floored, as PyTorch would, to"
        " reach the next):",
        *(f"  {misfit}" for misfit in found.misfits),
    ]
    sizes = [str(v) for v in (found.below, found.above) if v is not None]
    if sizes:
        fitting = " or ".join(dict.fromkeys(sizes))
        lines.append(f"  = {spec_name} fits at {fitting}: the nearest input sizes")
    else:
        lines.append(
            f"  = no input size within {found.reach} pixels of {found.input} fits the whole of"
            f" {spec_name}"
        )
    return "".join(terminal(line) + "\n" for line in lines)


#: How each rounding rule rounds, and whose it is, as the note about rounded windows says.
RULES = {"floor": ("down", "as PyTorch"), "ceil": ("up", "as Caffe's pooling")}


def rounding_notes_line(notes: int, rule: str, target: str) -> str:
    """``show``'s one line about windows the spec rounded on purpose: the rule, and the command
    that lists them (``check --strict`` on the same ``target``)."""
    import shlex

    way, whose = RULES.get(rule, ("", ""))
    return (
        f"note: {notes} window(s) rounded {way} to a whole size by the spec's 'rounding: {rule}'"
        f" ({whose}); 'cnncalc check --strict {shlex.quote(target)}' lists them\n"
    )
