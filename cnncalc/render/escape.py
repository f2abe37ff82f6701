"""User text is data at every output boundary: one escaping rule per output format.

Spec files come from strangers (pull requests checked in CI), and their text (layer and block
names, titles, sources, file names, quoted lines) reaches terminals, GitHub logs, spreadsheets and
Markdown. Each format's rule is applied where that format is rendered:

- terminal text (tables, diagnostics, ``check`` lines): :func:`terminal`: every control character
  (C0, DEL, C1), bidirectional-text control and line separator is shown as an escape (``\\x1b``,
  ``\\n``, ``\\u202e``), never sent; and a line never starts with ``::`` (a GitHub Actions workflow
  command), the first colon shown as ``\\x3a``. Rich parses no user text as markup: renderers pass
  it as :class:`rich.text.Text`.
- GitHub annotations: the same visible escapes, then the workflow-command escapes of ``%``, CR and
  LF (and ``:`` and ``,`` in properties), in ``render/diagnostics.py``.
- CSV: :func:`csv_cell`: the visible escapes, then a text cell that a spreadsheet would read as a
  formula (starting with ``=``, ``+``, ``-`` or ``@``), or a CI log as a workflow command
  (``::``), gets a leading apostrophe (OWASP's rule for formulas); quoting of commas and quotes is
  the csv module's, so cells read back as written.
- Markdown: :func:`markdown_cell`: visible escapes (a newline would start a new table row), and
  ``|`` and ``\\`` escaped, so every row keeps its cells.
- JSON: ``json.dumps`` escapes every control character by itself (``\\u001b``).
"""

from __future__ import annotations

import re

#: Characters never sent to an output as they are: C0 controls, DEL, C1 controls, the
#: bidirectional-text controls (which reorder what a reader sees: "Trojan Source", CVE-2021-42574),
#: and the line and paragraph separators.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """``text`` with every hidden character written as an escape (``\\x1b``, ``\\n``)."""
    return _HIDDEN.sub(lambda m: _escape(m.group()), text) if _HIDDEN.search(text) else text


def terminal(line: str) -> str:
    """One line of terminal text: hidden characters visible, and no leading ``::``."""
    shown = visible(line)
    return "\\x3a" + shown[1:] if shown.startswith("::") else shown


def csv_cell(value: object) -> object:
    """A CSV cell: text made visible, and a leading apostrophe where a spreadsheet would run it as
    a formula."""
    if not isinstance(value, str):
        return value
    shown = visible(value)
    return "'" + shown if shown.startswith(("=", "+", "-", "@", "::")) else shown


def markdown_cell(text: str) -> str:
    """A Markdown table cell: one line, its ``|`` and ``\\`` escaped."""
    return visible(text).replace("\\", "\\\\").replace("|", "\\|")
