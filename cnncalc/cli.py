"""The ``cnncalc`` command: parse arguments, call the library, pick a renderer, choose the exit code.

Exit codes (one policy, :func:`exit_code`): 0 when every spec is sound, 1 when a spec has an error
(or, with ``--strict``, a warning or an accepted rounding note), 2 on a usage error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import click

from cnncalc.api import Report, analyze, load, loads
from cnncalc.errors import Diagnostic, Severity, Span, SpecError, error
from cnncalc.expand import MAX_LAYERS
from cnncalc.metrics import Dtype
from cnncalc.shapes import Shape, parse_volume
from cnncalc.source import MAX_BYTES, read_text


class ShowFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


class CheckFormat(str, Enum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


def exit_code(diagnostics: Iterable[Diagnostic], strict: bool) -> int:
    """0 when clean; 1 on any error, or under ``strict`` on any warning or note. (2, a usage
    error, is click's own.)"""
    failing = {Severity.ERROR, Severity.WARNING, Severity.NOTE} if strict else {Severity.ERROR}
    return 1 if any(d.severity in failing for d in diagnostics) else 0


class VolumeType(click.ParamType):  # type: ignore[type-arg]
    """``HxWxC``, e.g. ``224x224x3``."""

    name = "HxWxC"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Shape:
        if isinstance(value, Shape):
            return value
        try:
            return parse_volume(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


#: Diagnostics printed per spec in text and GitHub formats; the rest are counted (JSON has all).
MAX_SHOWN = 100


def _echo_diagnostics(diagnostics: Iterable[Diagnostic], fmt: CheckFormat, err: bool) -> None:
    from cnncalc.render.diagnostics import diagnostic_github, diagnostic_text

    render = diagnostic_github if fmt is CheckFormat.GITHUB else diagnostic_text
    shown = list(diagnostics)
    for d in shown[:MAX_SHOWN]:
        click.echo(render(d), err=err)
    if len(shown) > MAX_SHOWN:
        click.echo(f"... {len(shown) - MAX_SHOWN:,} more problems not shown ('--format json' lists all)", err=err)


def _stdin_spec() -> tuple[str, str]:
    from cnncalc.render.diagnostics import SOURCES

    data = sys.stdin.buffer.read(MAX_BYTES + 1)  # bounded: read_text refuses more than MAX_BYTES
    text = read_text("<stdin>", data)
    SOURCES["<stdin>"] = text
    return text, "<stdin>"


def _load(target: str) -> Any:
    if target == "-":
        text, name = _stdin_spec()
        if not text.strip():
            raise SpecError([error("E004", "standard input is empty", Span(name, 1, 1), "pipe a spec into cnncalc, e.g. 'cat net.yaml | cnncalc check -'")])
        return loads(text, name)
    return load(target)


EPILOG_SHOW = """\b
Examples:
  cnncalc show vgg16
  cnncalc show alexnet --input 224x224x3      # the 224 vs 227 puzzle
  cnncalc show my_net.yaml --batch 32 --dtype float16
  cnncalc show resnet50 --depth 1             # one row per stage
  cnncalc show vgg16 --format json | jq .totals
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cnncalc")
def cli() -> None:
    """CNN architecture calculator: output volumes, parameters, memory and MACs from a YAML
    spec, with every window that does not fit flagged. No deep-learning framework needed.

    \b
    Examples:
      cnncalc show vgg16
      cnncalc check my_net.yaml architectures/
      cnncalc list
    """


@cli.command(epilog=EPILOG_SHOW)
@click.argument("target", metavar="NAME|PATH")
@click.option("--input", "volume", type=VolumeType(), help="Input volume HxWxC instead of the spec's own.")
@click.option("--batch", type=click.IntRange(min=1), default=1, show_default=True, help="Batch size for activation memory.")
@click.option("--dtype", type=click.Choice([d.value for d in Dtype]), default="float32", show_default=True, help="Element type for sizes in bytes.")
@click.option("--format", "fmt", type=click.Choice([f.value for f in ShowFormat]), default="table", show_default=True, help="Output format.")
@click.option(
    "--depth", type=click.IntRange(min=0), default=None, help="Collapse blocks nested deeper than this (0: top-level items only). Default: every layer."
)
@click.option("--max-layers", type=click.IntRange(min=1), default=MAX_LAYERS, show_default=True, help="Refuse specs that expand to more layers.")
def show(target: str, volume: Shape | None, batch: int, dtype: str, fmt: str, depth: int | None, max_layers: int) -> None:
    """Per-layer table and totals of a built-in architecture NAME or a spec file PATH ('-' for stdin)."""
    try:
        report = analyze(_load(target), input=volume, batch=batch, dtype=Dtype(dtype), max_layers=max_layers)
    except SpecError as exc:
        _echo_diagnostics(exc.diagnostics, CheckFormat.TEXT, err=True)
        sys.exit(1)
    _print_report(report, ShowFormat(fmt), depth)
    notes = [d for d in report.diagnostics if d.severity is Severity.NOTE]
    _echo_diagnostics([d for d in report.diagnostics if d.severity is not Severity.NOTE], CheckFormat.TEXT, err=True)
    if notes:
        click.echo(f"note: {len(notes)} window(s) rounded by the spec's declared rule; 'cnncalc check --strict' lists them", err=True)
    sys.exit(exit_code(report.diagnostics, strict=False))


def _print_report(report: Report, fmt: ShowFormat, depth: int | None) -> None:
    if fmt is ShowFormat.TABLE:
        from cnncalc.render.table import print_report

        print_report(report, depth)
        return
    from cnncalc.render import data

    render = {ShowFormat.JSON: data.report_json, ShowFormat.CSV: data.report_csv, ShowFormat.MARKDOWN: data.report_markdown}[fmt]
    click.echo(render(report, depth), nl=fmt is ShowFormat.JSON)


def _spec_files(paths: tuple[str, ...]) -> Iterator[str]:
    """Each path as given ('-' and files), directories walked for *.yaml and *.yml in sorted order.
    Symbolic links to directories are not followed, so a link loop cannot trap the walk."""
    for path in paths:
        if path != "-" and Path(path).is_dir():
            found = [str(p) for p in sorted(_walk(Path(path)))]
            if not found:
                yield f"{path}{os.sep}"  # reported as an empty directory
            yield from found
        else:
            yield path


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        yield from (Path(root) / f for f in files if f.endswith((".yaml", ".yml")))


def _check_one(path: str) -> tuple[Report | None, tuple[Diagnostic, ...]]:
    if path.endswith(os.sep) and Path(path).is_dir():
        return None, (error("E001", "directory holds no *.yaml or *.yml spec", Span(path.rstrip(os.sep), 1, 1), "point at spec files or a folder of them"),)
    try:
        report = analyze(_load(path))
    except SpecError as exc:
        return None, exc.diagnostics
    return report, report.diagnostics


@cli.command(
    epilog="""\b
Examples:
  cnncalc check my_net.yaml
  cnncalc check architectures/ --strict
  cnncalc check specs/ --format github        # annotations in a pull request
  cat net.yaml | cnncalc check -
"""
)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--strict", is_flag=True, help="Also fail on warnings and on rounding a spec accepted knowingly.")
@click.option("--format", "fmt", type=click.Choice([f.value for f in CheckFormat]), default="text", show_default=True, help="Output format.")
def check(paths: tuple[str, ...], strict: bool, fmt: str) -> None:
    """Validate spec files and folders of specs; exit 0 when all are sound, 1 otherwise."""
    form = CheckFormat(fmt)
    results = [(path, *_check_one(path)) for path in _spec_files(paths)]
    every = [d for _, _, diagnostics in results for d in diagnostics]
    code = exit_code(every, strict)
    if form is CheckFormat.JSON:
        click.echo(json.dumps(_check_json(results, strict, code), indent=2))
    else:
        for path, report, diagnostics in results:
            failed = exit_code(diagnostics, strict)
            if form is CheckFormat.TEXT:
                click.echo(_check_line(path, report, diagnostics, failed))
            _echo_diagnostics(diagnostics, form, err=False)
        if form is CheckFormat.TEXT:
            click.echo(_check_summary(results, every, strict))
    sys.exit(code)


def _tally(diagnostics: Iterable[Diagnostic]) -> dict[str, int]:
    tally = {s.value: 0 for s in Severity}
    for d in diagnostics:
        tally[d.severity.value] += 1
    return tally


def _check_line(path: str, report: Report | None, diagnostics: tuple[Diagnostic, ...], failed: int) -> str:
    label = "<stdin>" if path == "-" else path.rstrip(os.sep)
    if failed or report is None or not report.ok:
        tally = _tally(diagnostics)
        return f"FAIL {label}: " + ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in tally.items() if n)
    from cnncalc.render.rows import count, human

    t = report.totals
    notes = f" ({len(diagnostics)} notes)" if diagnostics else ""
    return f"ok   {label}: {report.spec.name}, {report.input} -> {report.layers[-1].output}, {count(t.params)} params, {human(t.macs)}MACs{notes}"


def _check_summary(results: list[tuple[str, Report | None, tuple[Diagnostic, ...]]], every: list[Diagnostic], strict: bool) -> str:
    failed = sum(1 for _, _, d in results if exit_code(d, strict))
    tally = _tally(every)
    counts = f"{tally['error']} errors, {tally['warning']} warnings, {tally['note']} notes"
    return f"{len(results)} spec{'s' if len(results) != 1 else ''} checked: {len(results) - failed} ok, {failed} failed ({counts})"


def _check_json(results: list[tuple[str, Report | None, tuple[Diagnostic, ...]]], strict: bool, code: int) -> dict[str, Any]:
    from cnncalc.render.data import JSON_SCHEMA_VERSION
    from cnncalc.render.diagnostics import diagnostic_dict

    specs = []
    for path, report, diagnostics in results:
        entry: dict[str, Any] = {
            "file": path.rstrip(os.sep),
            "ok": not exit_code(diagnostics, strict),
            "diagnostics": [diagnostic_dict(d) for d in diagnostics],
        }
        if report is not None:
            entry |= {"name": report.spec.name, "input": str(report.input), "params": report.totals.params, "macs": report.totals.macs}
        specs.append(entry)
    return {"version": JSON_SCHEMA_VERSION, "strict": strict, "exit_code": code, "specs": specs, "summary": _tally(d for _, _, ds in results for d in ds)}


@cli.command(
    name="list",
    epilog="""\b
Examples:
  cnncalc list
  cnncalc list --format markdown > table.md
""",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True, help="Output format.")
def list_command(fmt: str) -> None:
    """The built-in architectures with input, parameters, MACs and source, computed by the engine."""
    from cnncalc.library import builtin_names, builtin_path
    from cnncalc.render.rows import count, human

    entries: list[dict[str, Any]] = []
    for name in builtin_names():
        path = builtin_path(name)
        assert path is not None
        report = analyze(load(path))
        t = report.totals
        entries.append(
            {
                "name": name,
                "title": report.spec.title,
                "input": str(report.input),
                "params": t.params,
                "macs": t.macs,
                "activations": t.activations,
                "source": report.spec.source,
            }
        )
    if fmt == "json":
        click.echo(json.dumps(entries, indent=2))
        return
    shown = [{**e, "params": count(e["params"]), "macs": human(e["macs"]), "activations": count(e["activations"])} for e in entries]
    if fmt == "markdown":
        from cnncalc.render.data import markdown_table

        header = ["Name", "Input", "Params", "MACs", "Activations", "Source"]
        click.echo(
            markdown_table(header, [[e["name"], e["input"], e["params"], e["macs"], e["activations"], e["source"]] for e in shown], right={1, 2, 3, 4}),
            nl=False,
        )
        return
    from cnncalc.render.table import print_list

    print_list(shown)


def main() -> None:
    """Console entry point."""
    try:
        cli(prog_name="cnncalc")
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
