"""The library API a notebook user calls: :func:`load` a spec, :func:`analyze` it.

>>> import cnncalc
>>> report = cnncalc.analyze(cnncalc.load("vgg16"))
>>> report.totals.params
138357544
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cnncalc.counting import Counting, layer_counts, recount
from cnncalc.errors import Diagnostic, Problem, Severity, Span, SpecError, error
from cnncalc.expand import MAX_LAYERS, Graph, expand
from cnncalc.infer import LayerResult, infer
from cnncalc.library import builtin_names, builtin_path
from cnncalc.metrics import Dtype, Totals, totals
from cnncalc.records import Record, field
from cnncalc.shapes import Shape, axes_count
from cnncalc.source import path_kind, shown_path
from cnncalc.spec import Spec, channels_first, load_path, load_text, with_input

if TYPE_CHECKING:  # imported where first used: a check that needs no receptive field skips them
    from pathlib import Path

    from cnncalc.breakdown import Breakdown
    from cnncalc.diagram import Diagram
    from cnncalc.fitting import Exploration
    from cnncalc.grouping import Row
    from cnncalc.importers import Format
    from cnncalc.memory import Peak
    from cnncalc.receptive import Field


class Report(Record, kw_only=True):
    """Everything known about one spec at one input size: the layers with their volumes and
    costs, the totals and the problems, and on first use the analyses built on them (receptive
    fields, rows collapsed to a depth, the exploration of a window that does not fit). Renderers
    format these; they compute nothing."""

    spec: Spec
    graph: Graph
    input: Shape
    batch: int
    dtype: Dtype
    layers: tuple[LayerResult, ...]
    diagnostics: tuple[Diagnostic, ...]
    totals: Totals
    #: The preset the layers' ``macs`` and ``totals.macs`` follow (:mod:`cnncalc.counting`).
    count: Counting = Counting.TORCHVISION
    #: Analyses computed on first use (a frozen report memoises them here).
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def outputs(self) -> tuple[LayerResult, ...]:
        """The layers whose output no other layer takes (the graph's sinks), in order: the last
        layer, and the other heads of a network with several (YOLOv3's three scales)."""
        taken = {i for node in self.graph.nodes for i in node.inputs}
        sinks = {node.name for i, node in enumerate(self.graph.nodes) if i not in taken}
        return tuple(r for r in self.layers if r.node.name in sinks)

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error (notes and warnings allowed)."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def sources(self) -> Mapping[str, str]:
        """The text of every file the spec was read from, by the name its spans use."""
        return self.spec.sources

    @property
    def fields(self) -> Mapping[str, Field]:
        """The receptive field of every inferred layer, by name (:mod:`cnncalc.receptive`)."""
        if "fields" not in self._cache:
            from cnncalc.receptive import receptive_fields

            self._cache["fields"] = receptive_fields(self.graph, self.layers)
        found: Mapping[str, Field] = self._cache["fields"]
        return found

    def rows(self, depth: int | None = None) -> tuple[Row, ...]:
        """The input and one row per layer, or block instances nested deeper than ``depth``
        collapsed into one row each (:func:`cnncalc.grouping.group_rows`)."""
        key = ("rows", depth)
        if key not in self._cache:
            from cnncalc.grouping import group_rows

            self._cache[key] = group_rows(self.input, self.layers, self.fields, depth)
        found: tuple[Row, ...] = self._cache[key]
        return found

    @property
    def peak(self) -> Peak | None:
        """The liveness peak of a forward pass (:func:`cnncalc.memory.inference_peak`); ``None``
        when a layer could not be inferred."""
        if len(self.layers) != len(self.graph.nodes):
            return None
        if "peak" not in self._cache:
            from cnncalc.memory import inference_peak

            self._cache["peak"] = inference_peak(self.input, self.layers)
        found: Peak = self._cache["peak"]
        return found

    def layer_macs_under(self, name: str | Counting) -> tuple[int, ...]:
        """Each layer's count under the preset ``name`` (:func:`cnncalc.counting.layer_counts`),
        in the order of :attr:`layers`."""
        key = ("macs_under", Counting(name))
        if key not in self._cache:
            self._cache[key] = layer_counts(name, self.layers)
        found: tuple[int, ...] = self._cache[key]
        return found

    def macs_under(self, name: str | Counting) -> int:
        """The total under the preset ``name``: ``report.macs_under("fvcore")`` is fvcore's
        ``FlopCountAnalysis(model, x).total()`` for the network the spec describes."""
        return sum(self.layer_macs_under(name))

    def breakdown(self) -> Breakdown:
        """Params, activations and MACs by layer family and by stage, and the largest layers
        (:mod:`cnncalc.breakdown`)."""
        if "breakdown" not in self._cache:
            from cnncalc.breakdown import breakdown

            self._cache["breakdown"] = breakdown(self.input, self.layers)
        found: Breakdown = self._cache["breakdown"]
        return found

    def diagram(self, depth: int | None = None) -> Diagram:
        """The layer graph as boxes and edges, blocks nested deeper than ``depth`` collapsed
        (:mod:`cnncalc.diagram`)."""
        key = ("diagram", depth)
        if key not in self._cache:
            from cnncalc.diagram import diagram

            self._cache[key] = diagram(self.graph, self.input, self.layers, depth)
        found: Diagram = self._cache[key]
        return found

    def _repr_html_(self) -> str:
        """A notebook shows the title, the per-layer table and the summary
        (:mod:`cnncalc.render.html`)."""
        from cnncalc.render.columns import chosen
        from cnncalc.render.html import report_fragment

        return report_fragment(self, chosen(None))

    def _repr_markdown_(self) -> str:
        """The same as Markdown, for front ends that prefer it (``show --format markdown``)."""
        from cnncalc.render.columns import chosen
        from cnncalc.render.data import report_markdown

        return report_markdown(self, None, chosen(None))

    def exploration(self) -> Exploration | None:
        """When a window does not fit exactly (E301): every window that fails at this input, each
        floored to reach the next, and the nearest input sizes that fit (:mod:`cnncalc.fitting`)."""
        if not any(d.code == "E301" for d in self.diagnostics):
            return None
        if "exploration" not in self._cache:
            from cnncalc.fitting import explore

            self._cache["exploration"] = explore(self)
        found: Exploration = self._cache["exploration"]
        return found


def is_bare_name(target: str | Path) -> bool:
    """Whether ``target`` reads as a built-in's name: a :class:`~pathlib.Path` never does; a text
    does when it has no folder separator and no ``.yaml`` or ``.yml`` suffix (``resnet50``, not
    ``./resnet50``, ``specs/resnet50`` or ``resnet50.yaml``)."""
    if not isinstance(target, str):
        return False
    return not any(sep in target for sep in ("/", "\\")) and os.path.splitext(target)[1] not in (
        ".yaml",
        ".yml",
    )


def load(
    target: str | Path, fmt: Format | None = None, *, extends_root: str | Path | None = None
) -> Spec:
    """Load a spec from a file path, or a built-in architecture by name (``vgg16``).

    A bare name (:func:`is_bare_name`) is the built-in of that name, even when a file or folder
    of that name is in the working directory (``./resnet50`` names that one); any other text, or
    a bare name that is no built-in, is a path. A Caffe ``.prototxt`` or darknet ``.cfg`` file is
    imported (:mod:`cnncalc.importers`); ``fmt`` forces the format whatever the extension.
    ``extends_root``: the folder whose specs ``extends`` may name (default: the spec's own;
    docs/robustness.md)."""
    from cnncalc.importers import format_of, import_path

    path = os.fspath(target)
    found_format = format_of(path, fmt)
    if found_format is not None:
        return import_path(path, found_format)
    found = builtin_path(path) if is_bare_name(target) else None
    if found is None and (
        os.path.splitext(path)[1] in (".yaml", ".yml") or path_kind(path) is not None
    ):
        return load_path(path, extends_root=extends_root)
    if found is not None:
        # Shown in messages: relative where the built-ins sit below the working directory (a
        # checkout).
        return load_path(shown_path(found))
    from difflib import (
        get_close_matches,
    )  # only on this error path: difflib costs a millisecond to import

    close = get_close_matches(str(target).lower(), builtin_names(), n=3)
    hint = (
        f"did you mean {', '.join(close)}?"
        if close
        else "run 'cnncalc list' for the built-in names"
    )
    raise SpecError(
        [
            error(
                "E001",
                f"'{target}' is neither a spec file nor a built-in architecture",
                Span(str(target), 1, 1),
                hint,
            )
        ]
    )


def loads(
    text: str,
    file: str = "<string>",
    fmt: Format | None = None,
    *,
    extends_root: str | Path | None = None,
) -> Spec:
    """Load a spec from YAML text, or from the text of a ``fmt`` file; ``extends_root`` as for
    :func:`load` (default: the working directory)."""
    if fmt is not None:
        from cnncalc.importers import reader

        return reader(fmt)(file, text)
    return load_text(text, file, extends_root=extends_root)


def analyze(
    spec: Spec,
    *,
    input: Shape | None = None,
    batch: int = 1,
    dtype: Dtype = Dtype.FLOAT32,
    max_layers: int = MAX_LAYERS,
    count: str | Counting = Counting.TORCHVISION,
) -> Report:
    """Expand ``spec`` and infer every layer at ``input`` (default: the spec's own), the layers'
    ``macs`` counted under the preset ``count`` (:mod:`cnncalc.counting`; ``ValueError`` for an
    unknown name).

    Raises :class:`SpecError` when the spec itself is malformed, :class:`Problem` (E108) for an
    ``input`` of another rank than the spec's; geometry problems (a window that
    does not fit, a merge of mismatched shapes) are returned in :attr:`Report.diagnostics`.
    """
    source = input or spec.input
    if source.rank != spec.input.rank:
        raise Problem(
            "E108",
            f"input {source} has {axes_count(source.rank)}, the spec's input {spec.input} has"
            f" {spec.input.rank}",
            f"give a volume of the spec's rank, e.g. {spec.input}",
        )
    spec = with_input(spec, source)  # params using input.h, input.w or input.c, evaluated again
    graph = expand(spec, max_layers=max_layers, input=source)
    counting = Counting(count)
    layers, inferred = infer(graph, source, spec.rounding)
    if counting is not Counting.TORCHVISION:
        layers = recount(counting, layers)
    given = channels_first(input, Span("<input>", 1, 1)) if input is not None else None
    warnings = spec.warnings if input is None else (given,) if given else ()
    diagnostics = (*warnings, *inferred)
    return Report(
        spec=spec,
        graph=graph,
        input=source,
        batch=batch,
        dtype=dtype,
        layers=layers,
        diagnostics=diagnostics,
        totals=totals(source, layers, batch, dtype),
        count=counting,
    )
