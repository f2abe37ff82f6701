"""``show``'s table at any terminal width: no number is ever cut, and every number printed is the
one ``show --format json`` gives (the oracle here is the JSON, re-formatted by the test).

Each built-in is rendered at the widths people have (40 to 250 columns), with the default columns
and with every column chosen (which, narrow, gives the stacked layout); once more in a real
pseudo-terminal, as a user sees it.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cnncalc import analyze, load
from cnncalc.library import builtin_names
from cnncalc.render.columns import COLUMNS, chosen
from cnncalc.render.data import report_json
from cnncalc.render.table import print_report

WIDTHS = (40, 60, 80, 100, 120, 160, 250)
EVERY = tuple(c.key for c in COLUMNS)
_SHAPE = re.compile(r"\d+x\d+x\d+")
_SEP = re.compile(r" {2,}")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _pair(values: list[float]) -> str:
    texts = [str(int(v)) if v == int(v) else str(v) for v in values]
    return texts[0] if texts[0] == texts[1] else "x".join(texts)


def _expected(header: str, entry: dict[str, Any], bytes_each: int) -> str | float | None:
    """What the cell under ``header`` must read for a JSON layer (or totals) ``entry``: exact text,
    a float for a rounded figure (memory in bytes), ``None``: not checked here (shares,
    kernels)."""
    exact: dict[str, Callable[[], object]] = {
        "Params": lambda: f"{entry['weights'] + entry['biases']:,}",
        "Activations": lambda: f"{entry['activations']:,}",
        "Weights": lambda: f"{entry['weights']:,}",
        "Biases": lambda: f"{entry['biases']:,}",
        "Buffers": lambda: f"{entry['buffers']:,}",
        "MACs": lambda: f"{entry['macs']:,}",
        "Other ops": lambda: f"{entry['ops']:,}",
        "Output": lambda: entry["output"],
        "RF": lambda: _pair(entry["rf"]["size"]),
        "Jump": lambda: _pair(entry["rf"]["jump"]),
        "Start": lambda: _pair(entry["rf"]["start"]),
    }
    if header in ("Output", "RF", "Jump", "Start") and not entry.get(
        header.lower(), entry.get("rf")
    ):
        return ""  # the totals have no volume or field
    if header in exact:
        return str(exact[header]())
    if header == "Memory" and "activations" in entry:
        return float(entry["activations"] * bytes_each)
    return None


_UNITS = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}


def _check_cell(header: str, cell: str, want: str | float | None, where: str) -> None:
    assert "…" not in cell or not re.search(r"\d", cell) or header in ("Layer", "Type", "Hyper"), (
        where,
        header,
        cell,
    )
    if want is None:
        return
    if isinstance(want, float):
        value, unit = cell.split()
        assert abs(float(value) * _UNITS[unit] - want) <= 0.006 * want + 0.5, (where, cell, want)
    else:
        assert cell == want, (where, header, cell, want)


def _right_cell(line: str, end: int) -> str:
    """The right-aligned cell ending at column ``end``: back to the two spaces before it (no cell
    of a built-in holds two spaces); empty when the column is blank there."""
    text = line[:end].ljust(end)
    if text.endswith(" "):
        return ""
    start = text.rfind("  ") + 2 if "  " in text else 0
    return text[start:]


def _check_table(
    lines: list[str], document: dict[str, Any], width: int | None, name: str
) -> list[str]:
    """Every figure of a fitted table against the JSON, read at the right edge of its header;
    returns the headers shown."""
    at = next(i for i, line in enumerate(lines) if line.startswith("Layer"))
    end = next(i for i, line in enumerate(lines) if line.startswith(("Total", "INCOMPLETE")))
    if width is not None:
        assert all(len(line) <= width for line in lines[at : end + 1]), (name, width)
    header = lines[at]
    headers = _SEP.split(header.strip())
    edges = [header.index(h) + len(h) for h in headers]  # headers are distinct
    rows = [line for line in lines[at + 2 : end + 1] if not line.startswith("─")]
    entries = [*document["layers"], document["totals"]]
    assert len(rows) == len(entries), name
    bytes_each = document["totals"]["activation_bytes"] // max(document["totals"]["activations"], 1)
    text = {c.header for c in COLUMNS if c.shorten is not None}
    for line, entry in zip(rows, entries, strict=True):
        where = f"{name} at {width}: {line.split()[0]}"
        for h, edge in zip(headers, edges, strict=True):
            if h not in text:
                _check_cell(h, _right_cell(line, edge), _expected(h, entry, bytes_each), where)
    return headers


def _check_stacked(lines: list[str], document: dict[str, Any], width: int, name: str) -> None:
    """Each stacked row: a line of text cells, then ``Header value`` pairs, none cut."""
    headers = sorted((c.header for c in COLUMNS), key=len, reverse=True)
    entries = [*document["layers"], document["totals"]]
    bytes_each = document["totals"]["activation_bytes"] // max(document["totals"]["activations"], 1)
    entry: dict[str, Any] = {}
    seen = 0
    for line in lines[1:]:
        if line.startswith("─") or not line.strip():
            continue
        if not line.startswith("  "):  # a row's first line, or the summary after the totals
            if seen == len(entries):
                break
            entry = entries[seen]
            seen += 1
            continue
        assert len(line) <= width or len(_SEP.split(line.strip())) == 1, (name, width, line)
        for pair in _SEP.split(line.strip()):
            header = next(h for h in headers if pair.startswith(h + " "))
            cell = pair[len(header) + 1 :]
            _check_cell(header, cell, _expected(header, entry, bytes_each), f"{name} at {width}")
    assert seen == len(entries), name


def _render(name: str, width: int, keys: tuple[str, ...] | None) -> tuple[list[str], Any]:
    report = analyze(load(name))
    out = io.StringIO()
    print_report(report, chosen(keys), file=out, width=width, keep=keys is not None)
    return out.getvalue().splitlines(), json.loads(report_json(report))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", builtin_names())
def test_default_table_fits_and_shows_the_json_numbers(name: str, width: int) -> None:
    lines, document = _render(name, width, None)
    if not lines[1].startswith("Layer"):  # not even the essential columns fit: stacked
        assert width < 60, name
        _check_stacked(lines, document, width, name)
        return
    headers = _check_table(lines, document, width, name)
    assert {"Layer", "Output", "Params", "MACs"} <= set(headers)  # never left out
    note = [line for line in lines if line.startswith("Not shown")]
    assert bool(note) == (len(headers) < len(chosen(None)))
    if width >= 120:  # the defaults are chosen to fit 80 columns, so nothing is left out
        assert not note, (name, note)


@pytest.mark.parametrize("width", [40, 80, 250])
@pytest.mark.parametrize("name", ["vgg16", "resnet50", "googlenet", "densenet121", "lenet5"])
def test_every_column_chosen_is_shown_whole(name: str, width: int) -> None:
    lines, document = _render(name, width, EVERY)
    if lines[1].startswith("Layer"):
        assert len(_check_table(lines, document, width, name)) == len(EVERY)
    else:
        _check_stacked(lines, document, width, name)
    assert not [line for line in lines if line.startswith("Not shown")]


def test_narrow_terminal_gives_way_in_the_documented_order() -> None:
    """Text is shortened first (a type wide for one cell before the names most rows need), then
    default columns are left out with a note naming them and --columns, and names keep their
    last part."""
    text = "\n".join(_render("vgg16", 80, None)[0])
    assert "stage1.unit1.conv1 " in text  # names whole at 80 columns
    assert "adaptiv… " in text  # the one long type gave way
    assert "Not shown" not in text
    lines = _render("vgg16", 64, None)[0]
    assert any(line.startswith("stage1.u…conv1 ") for line in lines)
    assert next(line for line in lines if line.startswith("Not shown")) == (
        "Not shown at 64 columns: hyper (--columns name,type,hyper,output,params,macs shows them)"
    )
    lines = _render("vgg16", 60, None)[0]
    note = next(line for line in lines if line.startswith("Not shown"))
    assert note == (
        "Not shown at 60 columns: type, hyper (--columns name,type,hyper,output,params,macs shows"
        " them)"
    )


def test_piped_table_is_one_line_per_layer_at_natural_width() -> None:
    report = analyze(load("resnet152"))
    out = io.StringIO()
    print_report(report, chosen(None), file=out)
    lines = out.getvalue().splitlines()
    assert len(lines) >= len(report.layers) + 4
    names = [line.split()[0] for line in lines[3 : 3 + len(report.layers) + 1]]
    assert names == ["input", *(r.node.name for r in report.layers)]
    assert not any("…" in line for line in lines)
    assert not any(line.startswith("Not shown") for line in lines)


def in_terminal(args: list[str], columns: int, strip: bool = True, **extra: str) -> str:
    """What ``cnncalc ARGS`` shows in a pseudo-terminal ``columns`` wide (with ``extra``
    environment variables), colours stripped unless not ``strip``."""
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env |= {"TERM": "xterm-256color", **extra}
    done = subprocess.Popen(
        [sys.executable, "-m", "cnncalc", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        cwd=Path(__file__).parent.parent,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert done.wait(timeout=60) == 0
    text = b"".join(chunks).decode().replace("\r\n", "\n")
    return _ANSI.sub("", text) if strip else text


@pytest.mark.parametrize(("name", "columns"), [("vgg16", 80), ("resnet50", 120)])
def test_in_a_real_terminal_every_number_is_the_jsons(name: str, columns: int) -> None:
    text = in_terminal(["show", name], columns)
    document = json.loads(report_json(analyze(load(name))))
    _check_table(text.splitlines(), document, columns, name)
    shown = [line for line in text.splitlines() if not line.startswith("note: ")]  # stderr's
    assert all(len(line) <= columns for line in shown)  # the summary too
    if name == "vgg16":  # the terminal's width was used: at 80 columns, a type gives way
        assert "adaptiv… " in text
        assert "\n             553.4 MB at float32\n" in text  # wrapped, a number with its unit


def test_every_column_is_documented() -> None:
    """docs/views.md lists each column with its header and what it holds, as the registry says."""
    page = (Path(__file__).parent.parent / "docs" / "views.md").read_text(encoding="utf-8")
    listed = [line for line in page.splitlines() if line.startswith("| `")]
    assert listed == [f"| `{c.key}` | {c.header} | {c.doc} |" for c in COLUMNS]
