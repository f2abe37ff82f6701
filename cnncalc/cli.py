"""The ``cnncalc`` command: a thin shell over the library. Each command parses its arguments,
calls the library (:mod:`cnncalc.api`, :mod:`cnncalc.checking`, :mod:`cnncalc.diff`,
:mod:`cnncalc.arithmetic`), hands the result to a renderer under :mod:`cnncalc.render`, and maps
it to an exit code.

Exit codes: 0 when every spec is sound, 1 when a spec has an error (or, with ``--strict``, a
warning or an accepted rounding note; for the arithmetic commands, when the window does not fit),
2 on a usage error (click's own).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cnncalc.api import Report, analyze, load, loads
from cnncalc.counting import Counting, every_count
from cnncalc.errors import Diagnostic, Problem, Span, SpecError, error, fails
from cnncalc.expand import MAX_LAYERS
from cnncalc.importers import Format
from cnncalc.memory import Optimizer, memory_report
from cnncalc.metrics import Dtype
from cnncalc.options import (
    AxesType,
    BudgetType,
    ColumnsType,
    Count,
    DtypeType,
    FeaturesType,
    GateType,
    PaddingType,
    ParamSetting,
    Quantity,
    VolumeType,
)
from cnncalc.records import Record
from cnncalc.render.columns import BY_KEY as _COLUMNS
from cnncalc.render.columns import DEFAULT as DEFAULT_COLUMNS
from cnncalc.render.data import SHOW_FORMATS as RENDERERS
from cnncalc.render.escape import terminal, visible
from cnncalc.render.style import Colour
from cnncalc.shapes import Padding, Shape
from cnncalc.source import MAX_BYTES, read_text
from cnncalc.spec import Spec, with_params
from cnncalc.streams import EXIT_OUTPUT, guard

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from cnncalc.budget import Gate
    from cnncalc.checking import Limits
    from cnncalc.limits import Limit

SHOW_FORMATS = ["table", *RENDERERS]
COLUMN_KEYS = list(_COLUMNS)
CHECK_FORMATS = ["text", "json", "github", "sarif"]


def _exit(failed: bool) -> None:
    sys.exit(1 if failed else 0)


def _echo_spec_error(exc: SpecError) -> None:
    """A spec that could not be loaded: its diagnostics on standard error, exit 1."""
    from cnncalc.render.diagnostics import diagnostics_text

    click.echo(diagnostics_text(exc.diagnostics, exc.sources), err=True, nl=False)
    sys.exit(1)


#: ``--from``: the format of the files named, whatever their extension.
FROM_FORMATS = ["caffe", "darknet"]


def _from_option(
    flag: str = "--from", what: str = "the files", dest: str = "source_format"
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        flag,
        dest,
        type=click.Choice(FROM_FORMATS),
        default=None,
        help=f"Read {what} as Caffe prototxt or darknet cfg, whatever the extension"
        " (default: by extension, .prototxt or .cfg; else a YAML spec).",
    )


def _format(name: str | None) -> Format | None:
    return None if name is None else Format(name)


def _complete_target(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of NAME|PATH: the built-in names that start with what was typed, and
    the shell's own file completion."""
    from click.shell_completion import CompletionItem

    from cnncalc.library import builtin_names

    names = [CompletionItem(name) for name in builtin_names() if name.startswith(incomplete)]
    return [*names, CompletionItem(incomplete, type="file")]


def format_option(
    choices: list[str], default: str, help: str = "Output format."
) -> Callable[[F], F]:
    """The ``--format`` option of a command: its documents' names, the first shown by default."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True, help=help
    )


def depth_option(
    help: str = "Collapse blocks nested deeper than this (0: top-level items only)."
    " Default: every layer.",
) -> Callable[[F], F]:
    """``--depth N``: collapse blocks nested deeper than N (each command says into what)."""
    return click.option("--depth", type=Count(0), default=None, help=help)


MAX_LAYERS_OPTION = click.option(
    "--max-layers",
    type=Count(1),
    default=MAX_LAYERS,
    show_default=True,
    help="Refuse specs that expand to more layers.",
)
#: The argument and option every command on one spec takes (show, profile, graph).
TARGET = click.argument("target", metavar="NAME|PATH", shell_complete=_complete_target)
INPUT = click.option(
    "--input", "volume", type=VolumeType(), help="Input volume HxWxC instead of the spec's own."
)


def _extends_root() -> str | None:
    """The group's ``--extends-root``, if given."""
    ctx = click.get_current_context(silent=True)
    settings = ctx.find_root().obj if ctx is not None else None
    return settings.get("extends_root") if isinstance(settings, dict) else None


def _load(target: str, source_format: str | None = None, extends_root: str | None = None) -> Spec:
    """A built-in name or spec path, or ``-``: the spec text on standard input (bounded); read as
    ``source_format`` (caffe, darknet) when given, ``extends`` reaching ``extends_root`` (default:
    the group's ``--extends-root``). A bare name is the built-in even when a path of that name
    exists here: a note says so."""
    fmt = _format(source_format)
    extends_root = extends_root or _extends_root()
    if target != "-":
        from cnncalc.api import is_bare_name
        from cnncalc.library import builtin_path
        from cnncalc.source import path_kind

        if is_bare_name(target) and builtin_path(target) and path_kind(target) is not None:
            shown = visible(target)
            click.echo(
                f"note: '{shown}' is the built-in architecture; for the path of that name here,"
                f" write './{shown}'",
                err=True,
            )
        return load(target, fmt, extends_root=extends_root)
    name = "<stdin>"
    if sys.stdin is None:  # started with standard input closed (<&-)
        hint = "pipe a spec into cnncalc, e.g. 'cat net.yaml | cnncalc check -'"
        raise SpecError([error("E001", "standard input is closed", Span(name, 1, 1), hint)])
    text = read_text(name, sys.stdin.buffer.read(MAX_BYTES + 1))  # refuses more than MAX_BYTES
    if not text.strip():
        hint = "pipe a spec into cnncalc, e.g. 'cat net.yaml | cnncalc check -'"
        raise SpecError([error("E004", "standard input is empty", Span(name, 1, 1), hint)])
    return loads(text, name, fmt, extends_root=extends_root)


def _native(report: Report, target: str, source_format: str | None) -> str:
    """The imported format's own figures (:func:`cnncalc.importers.native_figures`) and what the
    import noted (a declared batch, an assumed channel count), for standard error; empty for a
    YAML spec."""
    from cnncalc.importers import NAMES, format_of, native_figures

    fmt = format_of(target, _format(source_format)) if target != "-" else _format(source_format)
    if fmt is None:
        return ""
    figures = native_figures(report, fmt)
    line = f"{NAMES[fmt]}'s own figures: " + "; ".join(f"{k} {v}" for k, v in figures) + "\n"
    notes = report.spec.description  # what the import assumed or left out (a batch, a crop)
    return line + (terminal(f"Read from the {NAMES[fmt]} file: {notes}") + "\n" if notes else "")


COLOR = click.option(
    "--color",
    type=click.Choice([c.value for c in Colour]),
    default="auto",
    show_default=True,
    help="Colour and bold: auto on a terminal unless NO_COLOR is set.",
)


EPILOG_SHOW = """\b
Examples:
  cnncalc show vgg16
  cnncalc show alexnet --input 224x224x3      # the 224 vs 227 puzzle
  cnncalc show my_net.yaml --batch 32 --dtype float16
  cnncalc show resnet50 --depth 0             # one row per stage
  cnncalc show resnet50 --set v1=1            # a param changed: the paper's v1 stride
  cnncalc show vgg16 --format json | jq .totals
  cnncalc show deploy.prototxt                # a Caffe file; darknet .cfg too
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cnncalc")
@click.option(
    "--extends-root",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Folder whose .yaml specs 'extends' may name (default: each spec's own folder).",
)
@click.pass_context
def cli(ctx: click.Context, extends_root: str | None) -> None:
    """CNN architecture calculator: output volumes, parameters, memory and MACs from a YAML
    spec, with every window that does not fit flagged. No deep-learning framework needed.

    \b
    Examples:
      cnncalc show vgg16
      cnncalc check my_net.yaml architectures/
      cnncalc list
    """
    ctx.obj = {"extends_root": extends_root}


def _count_option(everything: bool) -> Callable[[F], F]:
    """``--count PRESET``: which tool's rules the MACs follow (:mod:`cnncalc.counting`); with
    ``everything``, also ``all``: one figure per tool."""
    choices = [c.value for c in Counting] + (["all"] if everything else [])
    return click.option(
        "--count",
        "counting",
        type=click.Choice(choices),
        default=Counting.TORCHVISION.value,
        show_default=True,
        help="Count MACs as this tool does (docs/conventions.md)"
        + ("; 'all': one line per tool." if everything else "."),
    )


@cli.command(epilog=EPILOG_SHOW)
@TARGET
@INPUT
@click.option(
    "--batch",
    type=Count(1),
    default=1,
    show_default=True,
    help="Batch size for activation memory.",
)
@click.option(
    "--dtype",
    type=DtypeType(),
    default="float32",
    show_default=True,
    help="Element type for sizes in bytes (also fp32, fp16, half, bf16, int8).",
)
@format_option(SHOW_FORMATS, "table")
@depth_option()
@MAX_LAYERS_OPTION
@click.option(
    "--rf",
    is_flag=True,
    help=(
        "Receptive-field columns (size, jump, start) in the table and Markdown; JSON and CSV always"
        " have them."
    ),
)
@click.option(
    "--columns",
    "keys",
    type=ColumnsType(),
    default=None,
    help=(
        "Columns of the table and Markdown, comma-separated; with a leading + each, added to the"
        f" defaults ({','.join(DEFAULT_COLUMNS)}). Names: {', '.join(COLUMN_KEYS)}"
        " (docs/views.md). Columns chosen here are never left out to fit a terminal."
    ),
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    type=ParamSetting(),
    help="Set a param of the spec, e.g. --set v1=1 (repeatable).",
)
@_count_option(everything=True)
@click.option(
    "--optimizer",
    type=click.Choice([o.value for o in Optimizer]),
    default=None,
    help="Add the peak and the training memory with this optimizer (docs/memory.md).",
)
@click.option(
    "--memory",
    "budget",
    type=Quantity("B"),
    default=None,
    help="Add the largest batch that fits in this many bytes, e.g. 24GB (SI: 1 GB = 10^9 B).",
)
@_from_option()
@COLOR
def show(
    target: str,
    volume: Shape | None,
    batch: int,
    dtype: Dtype,
    fmt: str,
    depth: int | None,
    max_layers: int,
    rf: bool,
    keys: tuple[str, ...] | None,
    overrides: tuple[tuple[str, str], ...],
    counting: str,
    optimizer: str | None,
    budget: int | None,
    color: str,
    source_format: str | None,
) -> None:
    """Per-layer table and totals of a built-in architecture NAME or a spec file PATH ('-' for
    stdin): YAML, Caffe .prototxt or darknet .cfg.
    """
    everything = counting == "all"
    if everything and fmt not in ("table", "json"):
        raise click.UsageError("--count all prints a table or JSON; use --format table or json")
    try:
        spec = _load(target, source_format)
        if overrides:
            spec = with_params(spec, dict(overrides))
        report = _analyze(
            spec,
            input=volume,
            batch=batch,
            dtype=dtype,
            max_layers=max_layers,
            count=Counting.TORCHVISION if everything else Counting(counting),
        )
    except Problem as exc:  # a --set naming no param of the spec: the command line is wrong
        raise click.UsageError(visible(f"{exc.message}: {exc.hint}")) from None
    except SpecError as exc:
        _echo_spec_error(exc)
    from cnncalc.render.columns import chosen
    from cnncalc.render.data import show_problems

    counts = every_count(report.layers) if everything else None
    memory = None
    if (optimizer is not None or budget is not None) and report.peak is not None:
        if fmt not in ("table", "json"):
            raise click.UsageError("--optimizer and --memory print with --format table or json")
        memory = memory_report(
            report.input,
            report.layers,
            params=report.totals.params,
            buffers=report.totals.buffers,
            batch=batch,
            dtype_bytes=report.dtype.bytes,
            optimizer=Optimizer(optimizer or Optimizer.ADAM.value),
            budget=budget,
        )
    columns = chosen(keys, rf)
    if fmt == "table":
        from cnncalc.render.table import print_counts, print_memory, print_report

        print_report(report, columns, depth, keep=keys is not None, color=color)
        if counts is not None:
            print_counts(counts)
        if memory is not None:
            print_memory(memory, batch, report.dtype.value)
    elif counts is not None or memory is not None:
        from cnncalc.render.data import report_json

        click.echo(report_json(report, depth, counts, memory))
    else:
        click.echo(RENDERERS[fmt](report, depth, columns), nl=False)
    click.echo(_native(report, target, source_format), err=True, nl=False)
    click.echo(show_problems(report), err=True, nl=False)
    _exit(fails(report.diagnostics))


@cli.command(
    epilog="""\b
Examples:
  cnncalc profile vgg16                    # memory early, params late
  cnncalc profile resnet50 --depth 0       # one row per stage
  cnncalc profile vgg16 --format svg > vgg16-profile.svg
  cnncalc profile vgg16 --format png -o vgg16.png   # pip install 'cnncalc[plot]'
"""
)
@TARGET
@INPUT
@depth_option()
@format_option(
    ["text", "svg", "png"],
    "text",
    "Bars in the terminal, an SVG picture (no extra needed), or a PNG (matplotlib).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the picture to this file (needed for png) instead of standard output.",
)
@MAX_LAYERS_OPTION
def profile(
    target: str,
    volume: Shape | None,
    depth: int | None,
    fmt: str,
    output: str | None,
    max_layers: int,
) -> None:
    """Where the activations, params and MACs live: a bar per figure for each layer (or block),
    then the sums by layer type and by stage, and the largest layers."""
    import shutil

    from cnncalc.render.data import show_problems
    from cnncalc.render.profile import breakdown_lines, profile_svg, profile_text

    try:
        report = _analyze(_load(target), input=volume, max_layers=max_layers)
    except SpecError as exc:
        _echo_spec_error(exc)
    if fmt == "png":
        from cnncalc.render.plot import MissingExtra, profile_png

        if output is None:
            raise click.UsageError("a PNG goes to a file: add -o FILE.png")
        try:
            png = profile_png(report, depth)
            with open(output, "wb") as image:
                image.write(png)
        except MissingExtra as exc:
            raise click.UsageError(str(exc)) from None
    elif fmt == "svg" and output is not None:
        with open(output, "w", encoding="utf-8") as svg:
            svg.write(profile_svg(report, depth))
    elif fmt == "svg":
        click.echo(profile_svg(report, depth), nl=False)
    else:
        width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
        lines = [*profile_text(report, depth, width), "", *breakdown_lines(report)]
        click.echo("\n".join(lines))
    click.echo(show_problems(report), err=True, nl=False)
    _exit(fails(report.diagnostics))


@cli.command(
    epilog="""\b
Examples:
  cnncalc graph resnet18 --depth 1              # Mermaid: paste into a ```mermaid block
  cnncalc graph densenet201 --depth 1 --format dot | dot -Tpng -o densenet201.png
  cnncalc graph resnet152 --depth 0 --format svg > resnet152.svg   # needs Graphviz
"""
)
@TARGET
@INPUT
@depth_option("Collapse blocks nested deeper than this into one box (0: top-level items only).")
@format_option(
    ["mermaid", "dot", "svg"],
    "mermaid",
    "Mermaid (GitHub renders it in Markdown), Graphviz DOT, or SVG drawn by Graphviz's dot.",
)
@MAX_LAYERS_OPTION
def graph(target: str, volume: Shape | None, depth: int | None, fmt: str, max_layers: int) -> None:
    """The layer graph as a picture: a box per layer (name, type, hyper-parameters, output volume)
    or per collapsed block, blocks as nested groups, merges rounded, skips dashed."""
    from cnncalc.render.data import show_problems
    from cnncalc.render.graph import graph_dot, graph_mermaid

    try:
        report = _analyze(_load(target), input=volume, max_layers=max_layers)
    except SpecError as exc:
        _echo_spec_error(exc)
    if fmt == "mermaid":
        click.echo(graph_mermaid(report, depth), nl=False)
    elif fmt == "dot":
        click.echo(graph_dot(report, depth), nl=False)
    else:
        from cnncalc.render.graphviz import NoGraphviz, render_svg

        try:
            click.echo(render_svg(graph_dot(report, depth)), nl=False)
        except NoGraphviz as exc:
            click.echo(f"cnncalc: {exc}", err=True)
            sys.exit(1)
    click.echo(show_problems(report), err=True, nl=False)
    _exit(fails(report.diagnostics))


#: Files per worker process below which ``check`` does not start one: a worker costs a fork and
#: its share of the results' pickling, some milliseconds, about one ResNet-50-size spec.
_FILES_PER_WORKER = 8


class _CheckJob(Record):
    """What ``check`` does to one file, in this process or a worker (so it must pickle)."""

    strict: bool
    fmt: str
    max_layers: int
    limits: Limits
    source_format: str | None
    extends_root: str | None

    def run(self, path: str) -> tuple[str | dict[str, Any], tuple[Diagnostic, ...], bool]:
        """The file's piece of the document (its text, annotations or JSON entry; empty for
        SARIF, written whole at the end), its diagnostics, and whether it failed."""
        from cnncalc.checking import check_file
        from cnncalc.render import check as document

        def read(target: str) -> Spec:
            return _load(target, self.source_format, self.extends_root)

        result = check_file(path, read, self.max_layers, self.limits)
        piece: str | dict[str, Any]
        if self.fmt == "json":
            piece = document.checked_entry(result, self.strict)
        elif self.fmt == "text":
            piece = document.checked_text(result, self.strict)
        elif self.fmt == "github":
            piece = document.checked_github(result)
        else:
            piece = ""
        return piece, result.diagnostics, result.failed(self.strict)


@cli.command(
    epilog="""\b
Examples:
  cnncalc check my_net.yaml
  cnncalc check architectures/ --strict
  cnncalc check specs/ --format github        # annotations in a pull request
  cnncalc check specs/ --format sarif > cnncalc.sarif   # GitHub code scanning
  cat net.yaml | cnncalc check -
"""
)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail on warnings and on rounding a spec accepted knowingly.",
)
@format_option(CHECK_FORMATS, "text")
@MAX_LAYERS_OPTION
@click.option(
    "--max-params",
    type=Quantity(),
    default=None,
    help="Fail (E401) when the parameters exceed this, e.g. 5M (SI suffixes).",
)
@click.option(
    "--max-macs",
    type=Quantity(),
    default=None,
    help="Fail (E401) when the MACs (under --count) exceed this, e.g. 600M.",
)
@click.option(
    "--budget",
    "budgets",
    multiple=True,
    type=BudgetType(),
    help="Limits as a spec's budget: writes them, e.g. '{peak_memory: {max: 50MB, batch: 8}}'"
    " (repeatable; docs/spec-language.md#budgets).",
)
@click.option(
    "--jobs",
    "-j",
    type=Count(1, 1024),
    default=None,
    help="Worker processes for many files (output in the same order).  [default: the available"
    " cores]",
)
@_count_option(everything=False)
@_from_option()
@COLOR
def check(
    paths: tuple[str, ...],
    strict: bool,
    fmt: str,
    max_layers: int,
    max_params: int | None,
    max_macs: int | None,
    budgets: tuple[tuple[Limit, ...], ...],
    counting: str,
    color: str,
    source_format: str | None,
    jobs: int | None,
) -> None:
    """Validate spec files and folders of specs (YAML, .prototxt and .cfg); exit 0 when all are
    sound, 1 otherwise (with --strict also on warnings and accepted rounding), 2 on a usage
    error."""
    from cnncalc.checking import Limits, spec_files
    from cnncalc.parallel import available_cores, ordered_map
    from cnncalc.render import check as document
    from cnncalc.render.style import paint, use_colour

    styled = fmt == "text" and use_colour(Colour(color), sys.stdout)

    if any(not path.strip() for path in paths):  # an empty CI variable: never the whole folder
        raise click.UsageError("an empty PATH names no spec; give files, folders or '-'")

    # Each spec is reported as soon as it is checked and its Report dropped: over thousands of
    # specs, keeping every report until the summary cost memory and garbage-collector passes.
    limits = Limits(
        params=max_params,
        macs=max_macs,
        count=Counting(counting),
        written=tuple(limit for given in budgets for limit in given),
    )
    job = _CheckJob(strict, fmt, max_layers, limits, source_format, _extends_root())
    files = list(spec_files(paths))
    # A pool costs a fork per worker: worth it for many files only, and never with standard input.
    workers = min(jobs or available_cores(), len(files) // _FILES_PER_WORKER)
    if "-" in files:
        workers = 1
    every: list[Diagnostic] = []
    entries: list[dict[str, Any]] = []
    checked = failed = 0
    for piece, diagnostics, did_fail in ordered_map(job.run, files, workers):
        checked += 1
        failed += did_fail
        every.extend(diagnostics)
        if isinstance(piece, dict):
            entries.append(piece)
        elif fmt == "text":
            click.echo(paint(piece) if styled else piece, nl=False, color=styled)
        elif fmt == "github":
            click.echo(piece, nl=False)
    code = 1 if fails(every, strict) else 0
    if fmt == "json":
        click.echo(document.check_json(entries, strict, code, every))
    elif fmt == "sarif":
        from importlib.metadata import version

        from cnncalc.render.sarif import check_sarif

        click.echo(check_sarif(every, version("cnncalc")))
    else:  # in GitHub's log too: why the job failed
        click.echo(document.check_summary(checked, failed, every))
    sys.exit(code)


@cli.command(
    name="list",
    epilog="""\b
Examples:
  cnncalc list
  cnncalc list --format markdown > table.md
""",
)
@format_option(["table", "json", "markdown"], "table")
@_count_option(everything=False)
def list_command(fmt: str, counting: str) -> None:
    """The built-in architectures with input, parameters, MACs and source, computed by the
    engine."""
    from cnncalc.library import builtin_names, builtin_path
    from cnncalc.render import listing

    reports = {}
    for name in builtin_names():
        path = builtin_path(name)
        assert path is not None
        reports[name] = analyze(load(path), count=counting)
    if fmt == "json":
        click.echo(listing.listing_json(reports))
    elif fmt == "markdown":
        click.echo(listing.listing_markdown(reports), nl=False)
    else:
        from cnncalc.render.table import print_list

        print_list(listing.LISTING_HEADER, listing.listing_cells(reports))


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
    from cnncalc.render.schema import schema_json

    click.echo(schema_json())


ROUNDING = click.option(
    "--rounding",
    type=click.Choice(["exact", "floor", "ceil"]),
    default="exact",
    show_default=True,
    help="A fraction is an error (exact), or rounded.",
)
WORKING_FORMAT = format_option(["text", "json"], "text")


def _echo_working(working: Any, fmt: str) -> None:
    """Print a worked answer (:class:`cnncalc.arithmetic.Working`); exit 1 when it does not fit."""
    from cnncalc.render.working import working_json, working_text

    if fmt == "json":
        click.echo(working_json(working))
    else:
        out, err = working_text(working)
        click.echo(out, nl=False)
        click.echo(err, err=True, nl=False)
    _exit(not working.ok)


def _analyze(spec: Spec, **options: Any) -> Report:
    """:func:`cnncalc.analyze`, an ``--input`` it refuses (another rank than the spec's) being a
    usage error."""
    try:
        return analyze(spec, **options)
    except Problem as exc:
        raise click.UsageError(visible(f"{exc.message}: {exc.hint}")) from None


def _fit_axes(volume: Shape, name: str, values: tuple[int, ...]) -> tuple[int, ...]:
    """A per-axis option for every spatial axis of ``volume`` (one number for all, or one per
    axis); a usage error naming both lengths otherwise."""
    from cnncalc.arithmetic import widen

    try:
        return widen(values, volume.rank, f"--{name}")
    except ValueError as exc:
        raise click.UsageError(visible(str(exc))) from None


def _fit_padding(volume: Shape, pad: str) -> Padding:
    """``--pad`` read at ``volume``'s rank; a usage error when it is not a padding there."""
    from cnncalc.arithmetic import parse_padding

    try:
        return parse_padding(pad, volume.rank)
    except ValueError as exc:
        raise click.UsageError(visible(str(exc))) from None


@cli.command(
    epilog="""\b
Examples:
  cnncalc conv 32x32x3 --filters 10 --kernel 5 --stride 1 --pad 2   # 32x32x10, 760 params
  cnncalc conv 227x227x3 --filters 96 --kernel 11 --stride 4        # AlexNet CONV1
  cnncalc conv 7x7x1 --filters 1 --kernel 3 --stride 3              # does not fit
  cnncalc conv 56x56x64 --filters 64 --kernel 3 --pad same --groups 32 --no-bias
  cnncalc conv 16x112x112x3 --filters 64 --kernel 3 --pad 1         # a 3-D (video) conv
  cnncalc conv 32000x1 --filters 128 --kernel 80 --stride 4          # a 1-D (audio) conv
"""
)
@click.argument("volume", type=VolumeType(), metavar="HxWxC")
@click.option(
    "--filters",
    type=Count(1),
    required=True,
    help="K, the number of filters (output channels).",
)
@click.option(
    "--kernel", type=AxesType(), required=True, help="F, the filter size: N, HxW or DxHxW."
)
@click.option("--stride", type=AxesType(), default="1", show_default=True, help="S: N or HxW.")
@click.option(
    "--pad",
    type=PaddingType(),
    default="0",
    show_default=True,
    help="P: N, PH,PW, TOP,BOTTOM,LEFT,RIGHT, same or valid.",
)
@click.option(
    "--dilation",
    type=AxesType(),
    default="1",
    show_default=True,
    help="Gap between kernel taps: N or HxW.",
)
@click.option(
    "--groups",
    type=Count(1),
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
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    pad: str,
    dilation: tuple[int, ...],
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
        kernel=_fit_axes(volume, "kernel", kernel),
        stride=_fit_axes(volume, "stride", stride),
        pad=_fit_padding(volume, pad),
        dilation=_fit_axes(volume, "dilation", dilation),
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
  cnncalc pool 16x56x56x64 --kernel 1x2x2                 # C3D's pool1: 16x28x28x64
"""
)
@click.argument("volume", type=VolumeType(), metavar="HxWxC")
@click.option("--kernel", type=AxesType(), required=True, help="F, the window: N or HxW.")
@click.option("--stride", type=AxesType(), default=None, help="S: N or HxW.  [default: the kernel]")
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
    kernel: tuple[int, ...],
    stride: tuple[int, ...] | None,
    pad: str,
    kind: str,
    rounding: str,
    fmt: str,
) -> None:
    """One pooling layer on an input volume, worked out: output volume, no parameters,
    operations."""
    from cnncalc import arithmetic
    from cnncalc.layers.pool import AvgPool, MaxPool
    from cnncalc.shapes import Rounding

    layer = (MaxPool if kind == "max" else AvgPool)(
        kernel=_fit_axes(volume, "kernel", kernel),
        stride=_fit_axes(volume, "stride", stride) if stride else None,
        pad=_fit_padding(volume, pad),
    )
    _echo_working(arithmetic.pool(volume, layer, Rounding(rounding)), fmt)


@cli.command(
    epilog="""\b
Examples:
  cnncalc fc 7x7x512 --units 4096     # VGG16 fc6: 102,760,448 weights
  cnncalc fc 4096 --units 1000
"""
)
@click.argument("volume", type=FeaturesType(), metavar="HxWxC|N")
@click.option("--units", type=Count(1), required=True, help="Output units.")
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
  cnncalc pad --input 16x112x112 --kernel 3 --stride 2   # every axis of a clip
"""
)
@click.option(
    "--input",
    "size",
    type=AxesType(),
    required=True,
    help="Input size along the axis (W or H), or every spatial size: HxW, DxHxW.",
)
@click.option(
    "--kernel", type=AxesType(), required=True, help="F, the kernel size (N or per axis)."
)
@click.option("--stride", type=AxesType(), default="1", show_default=True, help="S.")
@click.option(
    "--dilation",
    type=AxesType(),
    default="1",
    show_default=True,
    help="Gap between kernel taps (the kernel spans d(F-1)+1).",
)
@click.option(
    "--output",
    type=AxesType(),
    default=None,
    help="Solve for the padding that gives this output size (N or per axis).",
)
@click.option(
    "--same",
    is_flag=True,
    help="'same' padding: (F-1)/2 at stride 1, TensorFlow's (possibly asymmetric) padding above.",
)
@click.option(
    "--max-pad",
    type=Count(0, 10_000),
    default=None,
    help="Largest total padding to list.  [default: 2(F-1), at most 10,000]",
)
@WORKING_FORMAT
def pad(
    size: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    output: tuple[int, ...] | None,
    same: bool,
    max_pad: int | None,
    fmt: str,
) -> None:
    """Which paddings make (W - F + P_before + P_after)/S + 1 a whole number, and what each
    gives."""
    from cnncalc import arithmetic

    if same and output is not None:
        raise click.UsageError("give --output or --same, not both")
    try:
        working = arithmetic.pad_axes(
            size, kernel, stride, dilation, output=output, same=same, max_total=max_pad
        )
    except ValueError as exc:
        raise click.UsageError(visible(str(exc))) from None
    _echo_working(working, fmt)


@cli.command(
    epilog="""\b
Examples:
  cnncalc diff alexnet zfnet                          # the lecture's AlexNet vs ZFNet
  cnncalc diff alexnet_nopad zfnet_cs231n --changed
  cnncalc diff vgg16 vgg16 --input-b 320x320x3        # one spec at two sizes
  cnncalc diff resnet50 resnet101 --depth 1 --format json
"""
)
@click.argument("spec_a", metavar="A", shell_complete=_complete_target)
@click.argument("spec_b", metavar="B", shell_complete=_complete_target)
@click.option(
    "--input-a", type=VolumeType(), default=None, help="Input volume for A instead of its own."
)
@click.option(
    "--input-b", type=VolumeType(), default=None, help="Input volume for B instead of its own."
)
@depth_option("Collapse blocks nested deeper than this, on both sides.")
@click.option("--changed", is_flag=True, help="Only the rows that differ.")
@_from_option("--from-a", "A", "from_a")
@_from_option("--from-b", "B", "from_b")
@format_option(["table", "json"], "table")
@click.option(
    "--fail-on",
    "gates",
    multiple=True,
    type=GateType(),
    help="Exit 1 when B's total grows by more than this, e.g. params+10% or macs+50M (repeatable).",
)
@_count_option(everything=False)
@MAX_LAYERS_OPTION
def diff(
    spec_a: str,
    spec_b: str,
    input_a: Shape | None,
    input_b: Shape | None,
    depth: int | None,
    changed: bool,
    from_a: str | None,
    from_b: str | None,
    fmt: str,
    gates: tuple[Gate, ...],
    counting: str,
    max_layers: int,
) -> None:
    """Two specs (built-in names or files) layer by layer, aligned by name, else by position and
    type:
    changes in hyperparameters and output volume, params and MACs with deltas B - A, and totals."""
    from cnncalc.diff import diff as align

    try:
        a = _analyze(_load(spec_a, from_a), input=input_a, count=counting, max_layers=max_layers)
        b = _analyze(_load(spec_b, from_b), input=input_b, count=counting, max_layers=max_layers)
    except SpecError as exc:
        _echo_spec_error(exc)
    from cnncalc.render.diff import diff_json, diff_problems

    result = align(a, b, depth)
    if fmt == "json":
        click.echo(diff_json(result, changed_only=changed))
    else:
        from cnncalc.render.table import print_diff

        print_diff(result, changed_only=changed)
    click.echo(diff_problems(result), err=True, nl=False)
    breaches = [why for gate in gates if (why := gate.breach(result)) is not None]
    for why in breaches:
        click.echo(f"cnncalc: {visible(why)}", err=True)
    _exit(fails(a.diagnostics) or fails(b.diagnostics) or bool(breaches))


@cli.command(
    epilog="""\b
Examples:
  cnncalc convert deploy.prototxt -o alexnet_caffe.yaml
  cnncalc convert yolov3-tiny.cfg                    # the YAML on standard output
  cnncalc convert net.txt --from caffe
"""
)
@click.argument("target", metavar="FILE")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the spec here instead of standard output.",
)
@_from_option()
def convert(target: str, output: str | None, source_format: str | None) -> None:
    """A Caffe .prototxt or darknet .cfg FILE ('-' for stdin, with --from) as a readable cnncalc
    YAML spec, the file's layer names kept; its figures equal the import's."""
    from cnncalc.importers import format_of
    from cnncalc.importers.convert import to_yaml

    fmt = format_of(target, _format(source_format)) if target != "-" else _format(source_format)
    if fmt is None:
        raise click.UsageError(
            visible(f"'{target}' is not a .prototxt or .cfg file: give --from caffe or darknet")
        )
    try:
        spec = _load(target, fmt.value)
    except SpecError as exc:
        _echo_spec_error(exc)
    text = to_yaml(spec)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as converted:
            converted.write(text)
    except OSError as exc:
        raise click.UsageError(visible(f"cannot write {output}: {exc.strerror or exc}")) from None


#: Allocations between young-generation collections (Python's default is 700). A run builds an
#: acyclic graph of millions of objects and exits: at the default, the cyclic collector rescans
#: that graph again and again, a quarter of the time of a 100,000-layer ``show`` or of ``check``
#: over 1,000 specs. A higher threshold keeps collecting any cycle, just less often.
GC_THRESHOLD = 100_000

#: The variable click's shell completion sets (README, "Shell completion").
COMPLETE = "_CNNCALC_COMPLETE"


def main() -> None:
    """Console entry point."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    if COMPLETE in os.environ:  # the shell asks for completions: click writes bytes, unguarded
        cli.main(prog_name="cnncalc")
    out, err = guard(sys.stdout), guard(sys.stderr)
    sys.stdout, sys.stderr = out, err
    try:
        cli.main(prog_name="cnncalc")
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    for stream, name in ((out, "standard output"), (err, "standard error")):
        if stream.failure is not None:
            with contextlib.suppress(OSError, AttributeError):  # stderr itself may be closed
                message = f"cnncalc: cannot write {name}: {stream.failure.strerror}\n"
                sys.__stderr__.write(message)  # type: ignore[union-attr]
            code = EXIT_OUTPUT
    sys.exit(code)
