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
from dataclasses import dataclass, field
from pathlib import Path

from cnncalc.api import Report, analyze
from cnncalc.counting import Counting
from cnncalc.errors import Diagnostic, Span, SpecError, error, fails
from cnncalc.expand import MAX_LAYERS
from cnncalc.importers import EXTENSIONS, describes_network
from cnncalc.source import path_kind
from cnncalc.spec import Spec

#: The file names a folder is walked for: YAML specs and the imported formats.
SPEC_SUFFIXES = (".yaml", ".yml", *EXTENSIONS)
#: What :func:`spec_files` yields for a folder that holds no spec, so that it is reported.
EMPTY_FOLDER_MARK = os.sep


@dataclass(frozen=True, slots=True)
class Checked:
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Budgets a checked spec must keep (``check --max-params 5M --max-macs 600M``): ``None`` is no
    limit; MACs are counted under the preset ``count`` (:mod:`cnncalc.counting`)."""

    params: int | None = None
    macs: int | None = None
    count: Counting = Counting.TORCHVISION

    def problems(self, report: Report) -> tuple[Diagnostic, ...]:
        """One E401 per figure over its limit, with the measured figure beside the budget, at the
        spec's first line (the figure belongs to the whole spec)."""
        found = []
        where = Span(report.spec.file, 1, 1)
        measured = (
            ("params", self.params, report.totals.params, "--max-params"),
            ("MACs", self.macs, report.macs_under(self.count), "--max-macs"),
        )
        for label, limit, value, option in measured:
            if limit is not None and value > limit:
                counted = f" (counted as {self.count.value})" if label == "MACs" else ""
                found.append(
                    error(
                        "E401",
                        f"{label} {value:,}{counted} exceed the budget {limit:,} ({option})"
                        f" by {value - limit:,}",
                        where,
                        f"{label} must be at most {limit:,}",
                    )
                )
        return tuple(found)


def check_file(
    path: str,
    load: Callable[[str], Spec],
    max_layers: int = MAX_LAYERS,
    limits: Limits | None = None,
) -> Checked:
    """Load ``path`` with ``load``, analyse it at its own input size, and hold it to ``limits``
    when it is sound."""
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
    over = limits.problems(report) if limits is not None and report.ok else ()
    return Checked(path, report, report.diagnostics + over, report.sources)
