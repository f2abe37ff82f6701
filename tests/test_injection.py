"""Spec text is data at every output boundary (issue: trust under attack, output injection).

Arbitrary strings (control characters, newlines, rich markup, GitHub workflow commands, quotes,
pipes, bidirectional-text controls) are put where a spec carries text (title, layer names, an
unknown layer type that a diagnostic quotes) and pushed through every command and format. The
invariants: no raw control byte reaches an output except cnncalc's own line breaks; no line starts
with ``::`` except cnncalc's own annotations; CSV reads back to the same cells with formulas
neutralised; Markdown keeps one row per layer; every row's name stays beside its own numbers; and
JSON round-trips the text exactly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc.cli import cli
from cnncalc.render.escape import csv_cell, terminal, visible

EXAMPLES = int(os.environ.get("CNNCALC_HYPOTHESIS_EXAMPLES", "30"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

NASTY = [
    "\x1b[31m",
    "\x1b]8;;http://x\x07link\x1b]8;;\x07",
    "\x07",
    "\r",
    "\n",
    "\n::error file=README.md,line=1::pwned",
    "::warning::x",
    "[/bold]",
    "[link=http://x]y[/link]",
    "[red]",
    "=cmd|' /C calc'!A0",
    "+1",
    "-1",
    "@SUM(1)",
    "|",
    "\\",
    '"',
    "'",
    "\u202e",
    "\u2066",
    "\u2028",
    "\x85",
    "\x7f",
    "\x00",
    "\t",
]
TEXT = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=6)), min_size=1, max_size=5).map(
    "".join
)

#: Characters that may never reach an output raw.
FORBIDDEN = {chr(c) for c in (*range(0, 10), *range(11, 32), *range(0x7F, 0xA0))} | set(
    "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _yaml(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


def _spec(title: str, first: str, second: str) -> str:
    return (
        f"title: {_yaml(title)}\ninput: 8x8x3\nlayers:\n"
        f"  - conv: {{filters: 4, kernel: 3, name: {_yaml(first)}}}\n"
        "  - relu\n"
        f"  - fc: {{units: 10, name: {_yaml(second)}}}\n"
    )


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _assert_clean(text: str, github: bool = False) -> None:
    raw = FORBIDDEN & set(text)
    assert not raw, f"raw control characters {sorted(map(repr, raw))} in output"
    for line in text.splitlines():
        if line.startswith("::"):
            assert github, line
            assert line.startswith(("::error ", "::warning ", "::notice ")), line


@SETTINGS
@given(title=TEXT, first=TEXT, second=TEXT)
def test_spec_text_never_escapes_its_format(title: str, first: str, second: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.yaml"
        path.write_text(_spec(title, first, second), encoding="utf-8")
        code, out, err = _run("show", str(path), "--format", "json")
        for fmt in ("table", "csv", "markdown"):
            shown = _run("show", str(path), "--format", fmt)
            _assert_clean(shown[1] + shown[2])
        for fmt in ("text", "github", "json"):
            checked = _run("check", str(path), "--format", fmt)
            _assert_clean(checked[1], github=fmt == "github")
        _assert_clean(out + err)
        if code != 0:  # e.g. two layers given the same name: the diagnostics were checked above
            return
        document = json.loads(out)
        layers = document["layers"]
        assert document["title"] == title
        assert [row["name"] for row in layers] == ["input", first, "relu1", second]
        rows = list(csv.reader(io.StringIO(_run("show", str(path), "--format", "csv")[1])))
        assert [row[0] for row in rows[1:]] == [csv_cell(r["name"]) for r in layers]
        assert all(not cell.startswith(("=", "+", "-", "@", "::")) for row in rows for cell in row)
        assert [row[4] for row in rows[1:]] == [str(r["activations"]) for r in layers]
        markdown = _run("show", str(path), "--format", "markdown")[1].splitlines()
        table = [line for line in markdown if line.startswith("|")]
        assert len(table) == 2 + len(layers) + 1  # header, rule, a row per layer, total
        for line, row in zip(table[2:], layers, strict=False):
            assert line.rstrip(" |").endswith(f"{row['macs']:,}")  # the name beside its numbers
        body = _run("show", str(path))[1].splitlines()[3:]  # after the title, header and rule
        for line, row in zip(body, layers, strict=False):  # one line per layer, in order
            assert line.startswith(terminal(row["name"]) + " ")
            assert line.rstrip().endswith(f"{row['macs']:,}")


@SETTINGS
@given(kind=TEXT)
def test_quoted_text_in_diagnostics_is_visible(kind: str) -> None:
    """An unknown layer type is quoted by the E102 message, its hint and the source line."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.yaml"
        path.write_text(f"input: 8x8x3\nlayers:\n  - {_yaml(kind)}\n", encoding="utf-8")
        for fmt in ("text", "github"):
            code, out, _ = _run("check", str(path), "--format", fmt)
            assert code == 1
            _assert_clean(out, github=fmt == "github")


def test_named_examples_are_escaped() -> None:
    """The issue's own cases, one by one."""
    assert visible("a\nb") == "a\\nb"
    assert visible("\x1b[31m") == "\\x1b[31m"
    assert visible("\u202e") == "\\u202e"
    assert terminal("::error file=x::y") == "\\x3a:error file=x::y"
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("@x") == "'@x"
    assert csv_cell(5) == 5
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.yaml"
        path.write_text(_spec("[/bold]", "[link=http://x]y", "ok"), encoding="utf-8")
        code, out, err = _run("show", str(path))
        assert code == 0, err
        assert out.startswith("[/bold] — input 8x8x3")  # printed as text, not parsed as markup
        assert "[link=http://x]y" in out


_MERMAID_NODE = re.compile(r'^\s*n\d+(\["[^"]*"\]|\(\["[^"]*"\]\)|\[/"[^"]*"/\])$')
_DOT_NODE = re.compile(r'^\s*n\d+ \[label="(?:[^"\\]|\\.)*"(?:, shape=\w+)?\];$')


@SETTINGS
@given(title=TEXT, first=TEXT, second=TEXT)
def test_spec_text_never_escapes_the_views(title: str, first: str, second: str) -> None:
    """The HTML report, the profile (text and SVG), the graph (Mermaid and DOT) and SARIF keep
    spec text inside its place: one table row per layer, well-formed XML, one label per node."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.yaml"
        path.write_text(_spec(title, first, second), encoding="utf-8")
        code, page, err = _run("show", str(path), "--format", "html")
        _assert_clean(page + err)
        if code == 0:
            assert page.count("<tr>") == 1 + 4 + 1  # header, input and three layers, totals
            ET.fromstring(page[page.index("<svg") : page.index("</svg>") + 6])
        for args in (
            ("profile", str(path)),
            ("graph", str(path)),
            ("graph", str(path), "--format", "dot"),
        ):
            _assert_clean("".join(_run(*args)[1:]))
        _, svg, _ = _run("profile", str(path), "--format", "svg")
        if svg:
            ET.fromstring(svg)
        _, mermaid, _ = _run("graph", str(path))
        body = mermaid.split("flowchart TD\n", 1)[-1].splitlines()
        nodes = [line for line in body if not re.match(r"^\s*(n\d+ -|subgraph|end$)", line)]
        assert all(_MERMAID_NODE.match(line) for line in nodes), nodes
        _, dot, _ = _run("graph", str(path), "--format", "dot")
        labels = [line for line in dot.splitlines() if re.match(r"^\s*n\d+ \[", line)]
        assert all(_DOT_NODE.match(line) for line in labels), labels
        _, sarif, _ = _run("check", str(path), "--format", "sarif")
        _assert_clean(sarif)
        json.loads(sarif)
