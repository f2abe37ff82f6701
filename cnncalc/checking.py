"""``cnncalc check`` as a library: which files a list of paths names, and each file's verdict.

A spec fails when it has an error, or under ``strict`` also a warning or an accepted rounding note
(:func:`cnncalc.errors.fails`). Folders are walked for ``*.yaml`` and ``*.yml`` specs, and for
the files the importers read (:data:`cnncalc.importers.EXTENSIONS`: ``*.prototxt``, ``*.cfg``,
those that describe a network: not a Caffe solver nor a ``setup.cfg``), in sorted order,
without following symbolic links to folders, so a link loop cannot trap the walk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from cnncalc.api import Report, analyze
from cnncalc.counting import Counting
from cnncalc.errors import Diagnostic, Span, SpecError, did_you_mean, error, fails
from cnncalc.expand import MAX_LAYERS
from cnncalc.importers import EXTENSIONS, describes_network
from cnncalc.limits import FIGURES, Limit
from cnncalc.memory import saved_activations, training_memory
from cnncalc.records import Record, field, replace
from cnncalc.source import path_kind
from cnncalc.spec import Spec

#: The file names a folder is walked for: YAML specs and the imported formats.
SPEC_SUFFIXES = (".yaml", ".yml", *EXTENSIONS)
#: What :func:`spec_files` yields for a folder that holds no spec, so that it is reported.
EMPTY_FOLDER_MARK = os.sep


class Checked(Record):
    """One checked file: the report when the spec loaded, every diagnostic, and the texts read."""

    file: str
    report: Report | None
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, str] = field(default_factory=dict)

    def failed(self, strict: bool) -> bool:
        return self.report is None or fails(self.diagnostics, strict)


def spec_files(paths: tuple[str, ...]) -> Iterator[str]:
    """Each path as given ('-' and files), folders walked for *.yaml, *.yml, *.prototxt and *.cfg
    in sorted order;
    a folder with none is yielded with a trailing separator, to be reported as empty."""
    for path in paths:
        if path != "-" and path_kind(path) == "dir":
            found = [str(p) for p in sorted(_walk(Path(path)))]
            if not found:
                yield f"{path}{EMPTY_FOLDER_MARK}"
            yield from found
        else:
            yield path


def _walk(folder: Path) -> Iterator[Path]:
    """Spec files below ``folder``, with an explicit stack: a tree thousands of levels deep needs
    no recursion (``os.walk`` recurses, and hits the interpreter's limit at about 1,000)."""
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:  # unreadable or vanished: nothing to check there
            continue
        folders = []
        for entry in entries:
            if _is_dir(entry):  # a link to a folder is not followed: a link loop cannot trap us
                if not entry.is_symlink():
                    folders.append(entry.path)
            elif entry.name.endswith(SPEC_SUFFIXES) and _network(entry):
                yield Path(entry.path)  # FIFOs too: reported, never opened
        stack.extend(reversed(folders))  # sorted order, depth first, as os.walk gave


def _network(entry: os.DirEntry[str]) -> bool:
    """A YAML file, or an imported format's file that describes a network (a Caffe solver or a
    ``setup.cfg`` beside the networks is not one: skipped). Only a regular file is read."""
    if entry.name.endswith((".yaml", ".yml")):
        return True
    try:
        regular = entry.is_file()
    except OSError:
        return True
    return not regular or describes_network(entry.path)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


class Limits(Record, kw_only=True):
    """Budgets given on the command line (``check --max-params 5M --max-macs 600M``): ``None`` is
    no limit; MACs are counted under the preset ``count`` (:mod:`cnncalc.counting`). They are held
    with the spec's own ``budget:`` (:func:`budget_problems`)."""

    params: int | None = None
    macs: int | None = None
    count: Counting = Counting.TORCHVISION
    #: ``--budget``: limits written as a spec's ``budget:`` (:func:`cnncalc.limits.read_budget`).
    written: tuple[Limit, ...] = ()

    def entries(self, file: str) -> tuple[Limit, ...]:
        """These limits as :class:`Limit` entries, at ``file``'s first line (a command-line limit
        belongs to the whole spec)."""
        where = Span(file, 1, 1)
        given = (("params", self.params, "--max-params"), ("macs", self.macs, "--max-macs"))
        options = tuple(
            Limit(figure=figure, bound=bound, span=where, written=option, count=self.count)
            for figure, bound, option in given
            if bound is not None
        )
        return options + tuple(
            replace(limit, span=where, written=f"--budget {limit.figure}") for limit in self.written
        )


def measure(limit: Limit, report: Report) -> int | None:
    """The figure ``limit`` bounds, measured on ``report`` (see :mod:`cnncalc.limits`); ``None``
    for a receptive field at a layer the network does not have or whose field is not known."""
    if limit.figure == "params":
        return report.totals.params
    if limit.figure == "macs":
        return report.macs_under(limit.count)
    if limit.figure == "peak_memory":
        peak = report.peak
        assert peak is not None  # a sound report infers every layer
        return peak.bytes(limit.batch, limit.dtype.bytes)
    if limit.figure == "training_memory":
        saved = saved_activations(report.input, report.layers)
        step = training_memory(
            report.totals.params,
            report.totals.buffers,
            saved,
            batch=limit.batch,
            optimizer=limit.optimizer,
            activation_bytes=limit.dtype.bytes,
        )
        return step.total
    found = report.fields.get(_last_layer(report, limit.layer))
    return None if found is None else int(min(found.size))


def _last_layer(report: Report, name: str) -> str:
    """``name`` when it is a layer, else the last layer of the block instance ``name``
    (``layer4`` for ``layer4.2.relu``), else ``name``."""
    names = [result.node.name for result in report.layers]
    if name in names:
        return name
    inside = [n for n in names if n.startswith(f"{name}.")]
    return inside[-1] if inside else name


def _exceed(label: str) -> str:
    """The verb for ``label``: the counts are plural (``params``, ``MACs``), the rest singular."""
    return "exceed" if label in ("params", "MACs") else "exceeds"


def budget_problems(report: Report, limits: tuple[Limit, ...]) -> tuple[Diagnostic, ...]:
    """One E401 per figure beyond its limit, with the measured figure beside the limit, at the
    line the limit was written on; E402 for a receptive-field budget at a layer the network does
    not have."""
    found = []
    for limit in limits:
        label = FIGURES[limit.figure][0]
        value = measure(limit, report)
        if value is None:
            found.append(
                error(
                    "E402",
                    f"the budget's receptive field is at '{limit.layer}', which has no"
                    " receptive field in this network",
                    limit.span,
                    did_you_mean(limit.layer, list(report.fields)),
                )
            )
        elif limit.figure == "receptive_field" and value < limit.bound:
            found.append(
                error(
                    "E401",
                    f"{label} {value:,}{limit.condition()} is below the budget {limit.bound:,}"
                    f" ({limit.written}) by {limit.bound - value:,}",
                    limit.span,
                    f"{label} must be at least {limit.bound:,}",
                )
            )
        elif limit.figure != "receptive_field" and value > limit.bound:
            found.append(
                error(
                    "E401",
                    f"{label} {value:,}{limit.condition()} {_exceed(label)} the budget"
                    f" {limit.bound:,} ({limit.written}) by {value - limit.bound:,}",
                    limit.span,
                    f"{label} must be at most {limit.bound:,}",
                )
            )
    return tuple(found)


def check_file(
    path: str,
    load: Callable[[str], Spec],
    max_layers: int = MAX_LAYERS,
    limits: Limits | None = None,
) -> Checked:
    """Load ``path`` with ``load``, analyse it at its own input size, and hold it to its own
    ``budget:`` and to ``limits`` when it is sound."""
    if path.endswith(EMPTY_FOLDER_MARK) and path_kind(path) == "dir":
        folder = path.rstrip(os.sep)
        problem = error(
            "E001",
            "directory holds no *.yaml, *.yml, *.prototxt or *.cfg spec",
            Span(folder, 1, 1),
            "point at spec files or a folder of them",
        )
        return Checked(folder, None, (problem,))
    try:
        report = analyze(load(path), max_layers=max_layers)
    except SpecError as exc:
        return Checked(path, None, exc.diagnostics, exc.sources)
    given = report.spec.budget + (limits.entries(report.spec.file) if limits else ())
    over = budget_problems(report, given) if report.ok else ()
    return Checked(path, report, report.diagnostics + over, report.sources)
