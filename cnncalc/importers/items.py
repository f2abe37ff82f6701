"""What an importer builds: located layer items, the same nodes a YAML spec's ``layers`` holds.

An importer reads its format and calls :meth:`Network.add` once per cnncalc layer, with spans into
the ``.prototxt`` or ``.cfg`` text; :meth:`Network.spec` then gives a :class:`~cnncalc.spec.Spec`
whose ``sources`` carry that text. The expander, shape inference, receptive fields and every
renderer take it from there unchanged, and a diagnostic quotes the imported file's line.
"""

from __future__ import annotations

from cnncalc.errors import Diagnostic, Severity, Span, SpecError, error
from cnncalc.records import Record, field
from cnncalc.shapes import Rounding, Shape
from cnncalc.source import Map, Node, Scalar, Seq
from cnncalc.spec import Spec

#: A field's value as an importer gives it: a number, a flag, a word (``rounding: ceil``) or a list
#: of whole numbers (``kernel: [h, w]``, ``pad: [top, bottom, left, right]``).
FieldValue = int | float | bool | str | tuple[int, ...]
#: The name of the network input in references (``expand.py``'s scope starts with it).
INPUT = "input"
#: Layers inferred, all queries of :meth:`Network.channels` together. Each query infers the layers
#: read so far, so a file of many slices would cost their square; real files ask a few times
#: (YOLOv4-tiny's six grouped routes in 38 layers), so this bound only stops a hostile one.
MAX_INFERRED = 20_000


def scalar(value: int | float | bool | str, span: Span) -> Scalar:
    """A located scalar as the YAML reader would give it (raw text included)."""
    raw = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return Scalar(value, raw, False, span)


def _node(value: FieldValue, span: Span) -> Node:
    if isinstance(value, tuple):
        return Seq(tuple(scalar(v, span) for v in value), span)
    return scalar(value, span)


def pair_or_one(h: int, w: int) -> int | tuple[int, ...]:
    """``3`` for a square window, ``(3, 5)`` otherwise: what a reader of the spec expects."""
    return h if h == w else (h, w)


class Network(Record, frozen=False):
    """Layer items under construction, and the problems found while reading."""

    file: str
    text: str
    items: list[Node] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    #: The item the next one takes as input when it names none (the expander's rule).
    last: str = INPUT
    #: Layers inferred so far to answer :meth:`channels`.
    inferred: int = 0

    def add(
        self,
        kind: str,
        name: str,
        span: Span,
        inputs: list[str],
        fields: dict[str, tuple[FieldValue, Span]] | None = None,
    ) -> str:
        """One layer item ``kind`` named ``name``, reading ``inputs`` (one, or several for a
        merge); each field value keeps the place it was read from. Returns the name."""
        entries: dict[str, Node] = {"name": scalar(name, span)}
        if len(inputs) > 1:
            entries["inputs"] = Seq(tuple(scalar(i, span) for i in inputs), span)
        elif inputs[0] != self.last:
            entries["input"] = scalar(inputs[0], span)
        for key, (value, where) in (fields or {}).items():
            entries[key] = _node(value, where)
        body = Map(entries, dict.fromkeys(entries, span), span)
        self.items.append(Map({kind: body}, {kind: span}, span))
        self.last = name
        return name

    def problem(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.problems.append(error(code, message, span, hint))

    def channels(self, name: str, input: Shape, rounding: Rounding, where: Span) -> int | None:
        """The channels of layer ``name``'s output (a Slice or a grouped route at ``where`` needs
        them); ``None`` after a problem, reported."""
        found = self.shape(name, input, rounding, where)
        return None if found is None else found.c

    def shape(self, name: str, input: Shape, rounding: Rounding, where: Span) -> Shape | None:
        """The volume of layer ``name``'s output, inferred from the layers read so far (a Crop or
        a Reshape at ``where`` needs it); ``None`` when the layers so far have a problem, which
        is then reported."""
        # expand and infer come after the importers in the pipeline: this is its one step back
        from cnncalc.expand import expand
        from cnncalc.infer import infer

        if name == INPUT:
            return input
        if self.problems:
            return None
        self.inferred += len(self.items)
        if self.inferred > MAX_INFERRED:
            self.problem(
                "E007",
                f"sizing this layer's input would infer more than {MAX_INFERRED:,} layers",
                where,
                "a file with this many slices or grouped routes is not a real network",
            )
            return None
        try:
            spec = self.spec(
                name="", title="", source="", description="", input=input, rounding=rounding
            )
            layers, diagnostics = infer(expand(spec), input, rounding)
        except SpecError as exc:
            self.problems.extend(exc.diagnostics)
            return None
        found = [x.output for x in layers if x.node.name == name]
        if not found:
            self.problems.extend(d for d in diagnostics if d.severity is Severity.ERROR)
        return found[0] if found else None

    def spec(
        self,
        *,
        name: str,
        title: str,
        source: str,
        description: str,
        input: Shape | None,
        rounding: Rounding,
    ) -> Spec:
        """The spec; raises :class:`SpecError` with every problem found (and the source text)."""
        where = Span(self.file, 1, 1)
        if input is None and not self.problems:
            self.problem("E105", "the file declares no input size", where, "declare the input")
        if not self.items and not self.problems:
            self.problem("E105", "the file has no layers", where, "add layers")
        if self.problems or input is None:
            raise SpecError(self.problems, {self.file: self.text})
        return Spec(
            name=name,
            title=title,
            source=source,
            description=description,
            input=input,
            rounding=rounding,
            params={},
            param_nodes={},
            blocks={},
            layers=Seq(tuple(self.items), where),
            file=self.file,
            span=where,
            sources={self.file: self.text},
        )


def not_supported_yet(what: str, needs: str, span: Span) -> Diagnostic:
    """E102 for a layer the format has and cnncalc cannot compute yet: names it and what it
    needs."""
    return error("E102", f"{what} is not supported yet", span, f"it needs {needs}")


def unknown_hint(word: str, known: list[str], what: str) -> str:
    """The hint for a type the format does not have: the closest known one, else what it
    probably is (a fork's or a project's own layer), rather than a list of every type."""
    from difflib import get_close_matches  # only on this error path

    close = get_close_matches(word, known, n=1) if len(word) <= 40 else []
    if close:
        return f"did you mean '{close[0]}'?"
    return f"a custom {what} (a fork's or a project's own) that cnncalc cannot know"
