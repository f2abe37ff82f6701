"""The ``cnncalc`` command: parse arguments, call the library, pick a renderer, choose the exit
code.

Exit codes (one policy, :func:`exit_code`): 0 when every spec is sound, 1 when a spec has an error
(or, with ``--strict``, a warning or an accepted rounding note), 2 on a usage error.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Iterable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import click

from cnncalc.api import Report, analyze, load, loads
from cnncalc.errors import Diagnostic, Problem, Severity, Span, SpecError, error
from cnncalc.expand import MAX_LAYERS
from cnncalc.metrics import Dtype
from cnncalc.shapes import Shape, parse_volume
from cnncalc.source import MAX_BYTES, path_kind, read_text
from cnncalc.spec import with_params


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

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Shape:
        if isinstance(value, Shape):
            return value
        try:
            return parse_volume(str(value))
        except Problem as exc:
            self.fail(f"{exc.message}: {exc.hint}", param, ctx)


#: Diagnostics printed per spec in text and GitHub formats; the rest are counted (JSON has all).
MAX_SHOWN = 100


class ParamSetting(click.ParamType):  # type: ignore[type-arg]
    """``NAME=VALUE``: a param of the spec and a number or expression."""

    name = "NAME=VALUE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        name, sep, text = str(value).partition("=")
        if not sep or not name.strip() or not text.strip():
            self.fail(f"'{value}' is not NAME=VALUE, e.g. v1=1 or width=1.2", param, ctx)
        return name.strip(), text.strip()


def _echo_diagnostics(diagnostics: Iterable[Diagnostic], fmt: CheckFormat, err: bool) -> None:
    from cnncalc.render.diagnostics import diagnostic_github, diagnostic_text

    render = diagnostic_github if fmt is CheckFormat.GITHUB else diagnostic_text
    shown = list(diagnostics)
    for d in shown[:MAX_SHOWN]:
        click.echo(render(d), err=err)
    if len(shown) > MAX_SHOWN:
        click.echo(
            f"... {len(shown) - MAX_SHOWN:,} more problems not shown ('--format json' lists all)",
            err=err,
        )


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
            raise SpecError(
                [
                    error(
                        "E004",
                        "standard input is empty",
                        Span(name, 1, 1),
                        "pipe a spec into cnncalc, e.g. 'cat net.yaml | cnncalc check -'",
                    )
                ]
            )
        return loads(text, name)
    return load(target)


EPILOG_SHOW = """\b
Examples:
  cnncalc show vgg16
  cnncalc show alexnet --input 224x224x3      # the 224 vs 227 puzzle
  cnncalc show my_net.yaml --batch 32 --dtype float16
  cnncalc show resnet50 --depth 1             # one row per stage
  cnncalc show resnet50 --set v1=1            # a param changed: the paper's v1 stride
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
@click.option(
    "--input", "volume", type=VolumeType(), help="Input volume HxWxC instead of the spec's own."
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Batch size for activation memory.",
)
@click.option(
    "--dtype",
    type=click.Choice([d.value for d in Dtype]),
    default="float32",
    show_default=True,
    help="Element type for sizes in bytes.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in ShowFormat]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=None,
    help="Collapse blocks nested deeper than this (0: top-level items only). Default: every layer.",
)
@click.option(
    "--max-layers",
    type=click.IntRange(min=1),
    default=MAX_LAYERS,
    show_default=True,
    help="Refuse specs that expand to more layers.",
)
@click.option(
    "--rf",
    is_flag=True,
    help=(
        "Receptive-field columns (size, jump, start) in the table and Markdown; JSON and CSV always"
        " have them."
    ),
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    type=ParamSetting(),
    help="Set a param of the spec, e.g. --set v1=1 (repeatable).",
)
def show(
    target: str,
    volume: Shape | None,
    batch: int,
    dtype: str,
    fmt: str,
    depth: int | None,
    max_layers: int,
    rf: bool,
    overrides: tuple[tuple[str, str], ...],
) -> None:
    """Per-layer table and totals of a built-in architecture NAME or a spec file PATH ('-' for
    stdin).
    """
    try:
        spec = _load(target)
        if overrides:
            spec = with_params(spec, dict(overrides))
        report = analyze(spec, input=volume, batch=batch, dtype=Dtype(dtype), max_layers=max_layers)
    except Problem as exc:  # a --set naming no param of the spec: the command line is wrong
        raise click.UsageError(f"{exc.message}: {exc.hint}") from None
    except SpecError as exc:
        _echo_diagnostics(exc.diagnostics, CheckFormat.TEXT, err=True)
        sys.exit(1)
    _print_report(report, ShowFormat(fmt), depth, rf)
    notes = [d for d in report.diagnostics if d.severity is Severity.NOTE]
    _echo_diagnostics(
        [d for d in report.diagnostics if d.severity is not Severity.NOTE],
        CheckFormat.TEXT,
        err=True,
    )
    _echo_exploration(report)
    if notes:
        click.echo(
            f"note: {len(notes)} window(s) rounded by the spec's declared rule; 'cnncalc check"
            " --strict' lists them",
            err=True,
        )
    sys.exit(exit_code(report.diagnostics, strict=False))


def _print_report(report: Report, fmt: ShowFormat, depth: int | None, rf: bool = False) -> None:
    if fmt is ShowFormat.TABLE:
        from cnncalc.render.table import print_report

        print_report(report, depth, rf=rf)
        return
    from cnncalc.render import data

    if fmt is ShowFormat.MARKDOWN:
        click.echo(data.report_markdown(report, depth, rf=rf), nl=False)
        return
    render = {ShowFormat.JSON: data.report_json, ShowFormat.CSV: data.report_csv}[fmt]
    click.echo(render(report, depth), nl=fmt is ShowFormat.JSON)


def _echo_exploration(report: Report) -> None:
    """When a window does not fit exactly: every window that fails (each floored to reach the
    next) and the nearest input sizes at which the whole spec fits (stderr)."""
    if not any(d.code == "E301" for d in report.diagnostics):
        return
    from cnncalc.fitting import explore

    found = explore(report)
    click.echo(
        f"note: at {found.input}, these windows do not fit (each floored, as PyTorch would, to"
        " reach the next):",
        err=True,
    )
    for misfit in found.misfits:
        click.echo(f"  {misfit}", err=True)
    sizes = [str(v) for v in (found.below, found.above) if v is not None]
    if sizes:
        click.echo(
            f"  = {report.spec.name} fits at {' or '.join(dict.fromkeys(sizes))}: the nearest input"
            " sizes",
            err=True,
        )
    else:
        click.echo(
            f"  = no input size within {found.reach} pixels of {found.input} fits the whole of"
            f" {report.spec.name}",
            err=True,
        )


def _spec_files(paths: tuple[str, ...]) -> Iterator[str]:
    """Each path as given ('-' and files), directories walked for *.yaml and *.yml in sorted order.
    Symbolic links to directories are not followed, so a link loop cannot trap the walk."""
    for path in paths:
        if path != "-" and path_kind(path) == "dir":
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


def _check_one(
    path: str, max_layers: int = MAX_LAYERS
) -> tuple[Report | None, tuple[Diagnostic, ...]]:
    if path.endswith(os.sep) and path_kind(path) == "dir":
        return None, (
            error(
                "E001",
                "directory holds no *.yaml or *.yml spec",
                Span(path.rstrip(os.sep), 1, 1),
                "point at spec files or a folder of them",
            ),
        )
    try:
        report = analyze(_load(path), max_layers=max_layers)
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
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail on warnings and on rounding a spec accepted knowingly.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in CheckFormat]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--max-layers",
    type=click.IntRange(min=1),
    default=MAX_LAYERS,
    show_default=True,
    help="Refuse specs that expand to more layers.",
)
def check(paths: tuple[str, ...], strict: bool, fmt: str, max_layers: int) -> None:
    """Validate spec files and folders of specs; exit 0 when all are sound, 1 otherwise
    (with --strict also on warnings and accepted rounding), 2 on a usage error."""
    form = CheckFormat(fmt)
    # Each spec is reported as soon as it is checked and its Report dropped: over thousands of
    # specs, keeping every report until the summary cost memory and garbage-collector passes.
    every: list[Diagnostic] = []
    entries: list[dict[str, Any]] = []
    checked = failed = 0
    for path in _spec_files(paths):
        report, diagnostics = _check_one(path, max_layers)
        checked += 1
        every.extend(diagnostics)
        bad = exit_code(diagnostics, strict)
        failed += bad
        if form is CheckFormat.JSON:
            entries.append(_check_entry(path, report, diagnostics, bad))
            continue
        if form is CheckFormat.TEXT:
            click.echo(_check_line(path, report, diagnostics, bad))
        _echo_diagnostics(diagnostics, form, err=False)
    code = exit_code(every, strict)
    if form is CheckFormat.JSON:
        summary = {
            "version": CHECK_JSON_VERSION,
            "strict": strict,
            "exit_code": code,
            "specs": entries,
            "summary": _tally(every),
        }
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(
            _check_summary(checked, failed, every)
        )  # in GitHub's log too: why the job failed
    sys.exit(code)


def _tally(diagnostics: Iterable[Diagnostic]) -> dict[str, int]:
    tally = {s.value: 0 for s in Severity}
    for d in diagnostics:
        tally[d.severity.value] += 1
    return tally


def _check_line(
    path: str, report: Report | None, diagnostics: tuple[Diagnostic, ...], failed: int
) -> str:
    label = "<stdin>" if path == "-" else path.rstrip(os.sep)
    if failed or report is None or not report.ok:
        tally = _tally(diagnostics)
        return f"FAIL {label}: " + ", ".join(
            f"{n} {k}{'s' if n != 1 else ''}" for k, n in tally.items() if n
        )
    from cnncalc.render.rows import count, human

    t = report.totals
    notes = f" ({len(diagnostics)} notes)" if diagnostics else ""
    return (
        f"ok   {label}: {report.spec.name}, {report.input} -> {report.layers[-1].output},"
        f" {count(t.params)} params, {human(t.macs)}MACs{notes}"
    )


def _check_summary(checked: int, failed: int, every: list[Diagnostic]) -> str:
    tally = _tally(every)
    counts = f"{tally['error']} errors, {tally['warning']} warnings, {tally['note']} notes"
    return (
        f"{checked} spec{'s' if checked != 1 else ''} checked: {checked - failed} ok, {failed}"
        f" failed ({counts})"
    )


#: Version of ``check --format json`` (docs/check-json.schema.json): bumped when a key is removed or
#: changes meaning; adding keys keeps it.
CHECK_JSON_VERSION = 1


def _check_entry(
    path: str, report: Report | None, diagnostics: tuple[Diagnostic, ...], failed: int
) -> dict[str, Any]:
    """One spec's entry in ``check --format json``."""
    from cnncalc.render.diagnostics import diagnostic_dict

    entry: dict[str, Any] = {
        "file": path.rstrip(os.sep),
        "ok": not failed,
        "diagnostics": [diagnostic_dict(d) for d in diagnostics],
    }
    if report is not None:
        entry |= {
            "name": report.spec.name,
            "input": str(report.input),
            "params": report.totals.params,
            "macs": report.totals.macs,
        }
    return entry


@cli.command(
    name="list",
    epilog="""\b
Examples:
  cnncalc list
  cnncalc list --format markdown > table.md
""",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def list_command(fmt: str) -> None:
    """The built-in architectures with input, parameters, MACs and source, computed by the
    engine."""
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
    shown = [
        {
            **e,
            "params": count(e["params"]),
            "macs": human(e["macs"]),
            "activations": count(e["activations"]),
        }
        for e in entries
    ]
    if fmt == "markdown":
        from cnncalc.render.data import markdown_table

        header = ["Name", "Input", "Params", "MACs", "Activations", "Source"]
        click.echo(
            markdown_table(
                header,
                [
                    [e["name"], e["input"], e["params"], e["macs"], e["activations"], e["source"]]
                    for e in shown
                ],
                right={1, 2, 3, 4},
            ),
            nl=False,
        )
        return
    from cnncalc.render.table import print_list

    print_list(shown)


@cli.command(
    name="schema",
    epilog="""\b
Examples:
  cnncalc schema > cnncalc.schema.json
  # then, first line of a spec, for editors using yaml-language-server:
  # yaml-language-server: $schema=cnncalc.schema.json
""",
)
def schema_command() -> None:
    """A JSON Schema (draft 2020-12) of the spec language, generated from the layer registry, for
    editors' completion and validation. 'cnncalc check' remains the full check."""
    from cnncalc.jsonschema import spec_schema

    click.echo(json.dumps(spec_schema(), indent=2, ensure_ascii=False))


class PairType(click.ParamType):  # type: ignore[type-arg]
    """``N`` or ``HxW``, e.g. ``3`` or ``1x7``."""

    name = "N|HxW"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, int]:
        from cnncalc.arithmetic import parse_pair

        if isinstance(value, tuple):
            return value
        try:
            return parse_pair(str(value), param.name if param and param.name else "value")
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class PaddingType(click.ParamType):  # type: ignore[type-arg]
    """As in a spec: ``P``, ``PH,PW``, ``TOP,BOTTOM,LEFT,RIGHT``, ``same`` or ``valid``."""

    name = "P|same|valid"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from cnncalc.arithmetic import parse_padding

        if not isinstance(value, str):
            return value
        try:
            return parse_padding(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class FeaturesType(VolumeType):
    """``HxWxC``, or ``N`` for ``1x1xN`` (the output of an earlier fc)."""

    name = "HxWxC|N"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Shape:
        if isinstance(value, str) and value.strip().isdigit() and int(value) >= 1:
            return Shape(1, 1, int(value))
        return super().convert(value, param, ctx)


ROUNDING = click.option(
    "--rounding",
    type=click.Choice(["exact", "floor", "ceil"]),
    default="exact",
    show_default=True,
    help="A fraction is an error (exact), or rounded.",
)
WORKING_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def _echo_working(working: Any, fmt: str) -> None:
    """Print a worked answer (:class:`cnncalc.arithmetic.Working`) and exit 0, or 1 when it does not
    fit.
    """
    if fmt == "json":
        body = {
            "title": working.title,
            "ok": working.ok,
            "steps": list(working.steps),
            "problem": working.problem,
            "hint": working.hint,
        }
        click.echo(json.dumps(body | dict(working.figures), indent=2))
    else:
        click.echo(working.title)
        for step in working.steps:
            click.echo(f"  {step}")
        if working.problem:
            click.echo(f"error: {working.problem}", err=True)
        if working.hint:
            click.echo(f"  = hint: {working.hint}", err=True)
    sys.exit(0 if working.ok else 1)


@cli.command(
    epilog="""\b
Examples:
  cnncalc conv 32x32x3 --filters 10 --kernel 5 --stride 1 --pad 2   # 32x32x10, 760 params
  cnncalc conv 227x227x3 --filters 96 --kernel 11 --stride 4        # AlexNet CONV1
  cnncalc conv 7x7x1 --filters 1 --kernel 3 --stride 3              # does not fit
  cnncalc conv 56x56x64 --filters 64 --kernel 3 --pad same --groups 32 --no-bias
"""
)
@click.argument("volume", type=VolumeType(), metavar="HxWxC")
@click.option(
    "--filters",
    type=click.IntRange(min=1),
    required=True,
    help="K, the number of filters (output channels).",
)
@click.option("--kernel", type=PairType(), required=True, help="F, the filter size: N or HxW.")
@click.option("--stride", type=PairType(), default="1", show_default=True, help="S: N or HxW.")
@click.option(
    "--pad",
    type=PaddingType(),
    default="0",
    show_default=True,
    help="P: N, PH,PW, TOP,BOTTOM,LEFT,RIGHT, same or valid.",
)
@click.option(
    "--dilation",
    type=PairType(),
    default="1",
    show_default=True,
    help="Gap between kernel taps: N or HxW.",
)
@click.option(
    "--groups",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Grouped convolution: each filter sees C/groups channels.",
)
@click.option("--no-bias", is_flag=True, help="Filters without a bias.")
@ROUNDING
@WORKING_FORMAT
def conv(
    volume: Shape,
    filters: int,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    pad: Any,
    dilation: tuple[int, int],
    groups: int,
    no_bias: bool,
    rounding: str,
    fmt: str,
) -> None:
    """One conv layer on an input volume, worked out: (W - F + 2P)/S + 1, params per filter and in
    all, MACs.
    """
    from cnncalc import arithmetic
    from cnncalc.layers.conv import Conv
    from cnncalc.shapes import Rounding

    layer = Conv(
        filters=filters,
        kernel=kernel,
        stride=stride,
        pad=pad,
        dilation=dilation,
        groups=groups,
        bias=not no_bias,
    )
    _echo_working(arithmetic.conv(volume, layer, Rounding(rounding)), fmt)


@cli.command(
    epilog="""\b
Examples:
  cnncalc pool 55x55x96 --kernel 3 --stride 2      # AlexNet POOL1: 27x27x96
  cnncalc pool 224x224x64 --kernel 2               # stride defaults to the kernel
  cnncalc pool 112x112x64 --kernel 3 --stride 2 --pad 1 --type avg --rounding floor
"""
)
@click.argument("volume", type=VolumeType(), metavar="HxWxC")
@click.option("--kernel", type=PairType(), required=True, help="F, the window: N or HxW.")
@click.option("--stride", type=PairType(), default=None, help="S: N or HxW.  [default: the kernel]")
@click.option(
    "--pad",
    type=PaddingType(),
    default="0",
    show_default=True,
    help="P: N, PH,PW, TOP,BOTTOM,LEFT,RIGHT, same or valid.",
)
@click.option(
    "--type",
    "kind",
    type=click.Choice(["max", "avg"]),
    default="max",
    show_default=True,
    help="Max or average pooling.",
)
@ROUNDING
@WORKING_FORMAT
def pool(
    volume: Shape,
    kernel: tuple[int, int],
    stride: tuple[int, int] | None,
    pad: Any,
    kind: str,
    rounding: str,
    fmt: str,
) -> None:
    """One pooling layer on an input volume, worked out: output volume, no parameters,
    operations."""
    from cnncalc import arithmetic
    from cnncalc.layers.pool import AvgPool, MaxPool
    from cnncalc.shapes import Rounding

    layer = (MaxPool if kind == "max" else AvgPool)(kernel=kernel, stride=stride, pad=pad)
    _echo_working(arithmetic.pool(volume, layer, Rounding(rounding)), fmt)


@cli.command(
    epilog="""\b
Examples:
  cnncalc fc 7x7x512 --units 4096     # VGG16 fc6: 102,760,448 weights
  cnncalc fc 4096 --units 1000
"""
)
@click.argument("volume", type=FeaturesType(), metavar="HxWxC|N")
@click.option("--units", type=click.IntRange(min=1), required=True, help="Output units.")
@click.option("--no-bias", is_flag=True, help="No biases.")
@WORKING_FORMAT
def fc(volume: Shape, units: int, no_bias: bool, fmt: str) -> None:
    """One fully connected layer on an input (flattened first), worked out: weights, biases,
    MACs."""
    from cnncalc import arithmetic
    from cnncalc.layers.dense import FullyConnected

    _echo_working(arithmetic.fc(volume, FullyConnected(units=units, bias=not no_bias)), fmt)


@cli.command(
    epilog="""\b
Examples:
  cnncalc pad --input 32 --kernel 5 --stride 2     # F=5, S=2, P=? (whatever fits)
  cnncalc pad --input 7 --kernel 3 --stride 3      # pad 1 makes stride 3 fit
  cnncalc pad --input 32 --kernel 5 --output 32    # the padding that keeps 32
  cnncalc pad --input 224 --kernel 7 --stride 2 --same
  cnncalc pad --input 64 --kernel 3 --dilation 2 --same
"""
)
@click.option(
    "--input",
    "size",
    type=click.IntRange(min=1),
    required=True,
    help="Input size along the axis (W or H).",
)
@click.option("--kernel", type=click.IntRange(min=1), required=True, help="F, the kernel size.")
@click.option("--stride", type=click.IntRange(min=1), default=1, show_default=True, help="S.")
@click.option(
    "--dilation",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Gap between kernel taps (the kernel spans d(F-1)+1).",
)
@click.option(
    "--output",
    type=click.IntRange(min=1),
    default=None,
    help="Solve for the padding that gives this output size.",
)
@click.option(
    "--same",
    is_flag=True,
    help="'same' padding: (F-1)/2 at stride 1, TensorFlow's (possibly asymmetric) padding above.",
)
@click.option(
    "--max-pad",
    type=click.IntRange(min=0, max=10_000),
    default=None,
    help="Largest total padding to list.  [default: 2(F-1)]",
)
@WORKING_FORMAT
def pad(
    size: int,
    kernel: int,
    stride: int,
    dilation: int,
    output: int | None,
    same: bool,
    max_pad: int | None,
    fmt: str,
) -> None:
    """Which paddings make (W - F + P_before + P_after)/S + 1 a whole number, and what each
    gives."""
    from cnncalc import arithmetic

    if same and output is not None:
        raise click.UsageError("give --output or --same, not both")
    _echo_working(
        arithmetic.pad(size, kernel, stride, dilation, output=output, same=same, max_total=max_pad),
        fmt,
    )


@cli.command(
    epilog="""\b
Examples:
  cnncalc diff alexnet zfnet                          # the lecture's AlexNet vs ZFNet
  cnncalc diff alexnet_nopad zfnet_cs231n --changed
  cnncalc diff vgg16 vgg16 --input-b 320x320x3        # one spec at two sizes
  cnncalc diff resnet50 resnet101 --depth 1 --format json
"""
)
@click.argument("spec_a", metavar="A")
@click.argument("spec_b", metavar="B")
@click.option(
    "--input-a", type=VolumeType(), default=None, help="Input volume for A instead of its own."
)
@click.option(
    "--input-b", type=VolumeType(), default=None, help="Input volume for B instead of its own."
)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=None,
    help="Collapse blocks nested deeper than this, on both sides.",
)
@click.option("--changed", is_flag=True, help="Only the rows that differ.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def diff(
    spec_a: str,
    spec_b: str,
    input_a: Shape | None,
    input_b: Shape | None,
    depth: int | None,
    changed: bool,
    fmt: str,
) -> None:
    """Two specs (built-in names or files) layer by layer, aligned by name, else by position and
    type:
    changes in hyperparameters and output volume, params and MACs with deltas B - A, and totals."""
    from cnncalc.diff import diff as align

    try:
        a = analyze(_load(spec_a), input=input_a)
        b = analyze(_load(spec_b), input=input_b)
    except SpecError as exc:
        _echo_diagnostics(exc.diagnostics, CheckFormat.TEXT, err=True)
        sys.exit(1)
    result = align(a, b, depth)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(changed_only=changed), indent=2))
    else:
        from cnncalc.render.table import print_diff

        print_diff(result, changed_only=changed)
    for side, report in (("A", a), ("B", b)):
        problems = [d for d in report.diagnostics if d.severity is not Severity.NOTE]
        if problems:
            click.echo(f"{side} ({report.spec.name} at {report.input}):", err=True)
            _echo_diagnostics(problems, CheckFormat.TEXT, err=True)
            _echo_exploration(report)
    sys.exit(max(exit_code(a.diagnostics, strict=False), exit_code(b.diagnostics, strict=False)))


#: Allocations between young-generation collections (Python's default is 700). A run builds an
#: acyclic graph of millions of objects and exits: at the default, the cyclic collector rescans
#: that graph again and again, a quarter of the time of a 100,000-layer ``show`` or of ``check``
#: over 1,000 specs. A higher threshold keeps collecting any cycle, just less often.
GC_THRESHOLD = 100_000


def main() -> None:
    """Console entry point."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        cli(prog_name="cnncalc")
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
