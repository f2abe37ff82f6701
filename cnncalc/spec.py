"""A spec file's top level: metadata, input volume, defaults, params and block definitions.

The ``layers`` list and block bodies stay as located nodes; ``expand.py`` turns them into the
layer graph. Problems are collected, not raised one at a time, so one run reports them all.
"""

from __future__ import annotations

import os
from collections import ChainMap
from collections.abc import Mapping
from typing import TYPE_CHECKING

from cnncalc.errors import (
    CODES,
    MAX_PROBLEMS,
    Diagnostic,
    Problem,
    Severity,
    Span,
    SpecError,
    did_you_mean,
    error,
    gave_up,
)
from cnncalc.expr import Value, budget, names
from cnncalc.records import Record, field, replace
from cnncalc.shapes import AXES, Rounding, Shape, parse_volume, volume
from cnncalc.source import (
    QUOTED,
    Map,
    Node,
    Scalar,
    Seq,
    describe,
    is_below,
    is_system_path,
    kind,
    parse,
    path_kind,
    plain_scalar,
    read_bytes,
    read_text,
    shown_path,
)
from cnncalc.values import integer, rounding
from cnncalc.values import value as parse_value

if TYPE_CHECKING:
    from pathlib import Path  # imported where used: only a spec that extends another needs it

    from cnncalc.limits import Limit

TOP_KEYS = (
    "name",
    "title",
    "source",
    "description",
    "extends",
    "input",
    "rounding",
    "params",
    "blocks",
    "layers",
    "budget",
)
#: Longest chain of ``extends``.
MAX_EXTENDS = 8
BLOCK_KEYS = ("args", "let", "inputs", "layers", "description")


def input_names(shape: Shape) -> dict[str, Value]:
    """The names an expression may use for the input volume: ``input.h``, ``input.w``, ``input.c``
    (height, width, channels of the spec's input, or of ``--input`` when given); ``input.l`` for a
    1-D input's length, ``input.d`` for a 3-D input's depth (:data:`cnncalc.shapes.AXES`)."""
    names: dict[str, Value] = {
        f"input.{letter}": size
        for (letter, _), size in zip(AXES[shape.rank], shape.spatial, strict=True)
    }
    names["input.c"] = shape.c
    return names


#: The names of :func:`input_names` at every rank.
INPUT_NAMES = frozenset(name for rank in AXES for name in input_names(Shape(*(1,) * rank, 1)))


class Block(Record):
    """A reusable group of layers with named arguments and derived values.

    An argument's default is ``None`` (required), a value, or, when it uses other names (earlier
    arguments, params, ``input.h``...), its node, evaluated at each use after the arguments before
    it. ``let`` holds the block's derived values, evaluated in order after every argument.
    """

    name: str
    args: dict[str, Value | Node | None]
    let: dict[str, Node]
    inputs: tuple[str, ...]
    layers: Seq
    span: Span = field(compare=False)


class Spec(Record, kw_only=True):
    """A parsed spec, before expansion."""

    name: str
    title: str
    source: str
    description: str
    input: Shape
    rounding: Rounding
    #: The params' values at :attr:`input` (a param may use ``input.h``, see :func:`with_input`).
    params: dict[str, Value]
    #: The params as written, so a spec that extends this one can override one and recompute the
    #: rest.
    param_nodes: dict[str, Node] = field(compare=False)
    blocks: dict[str, Block]
    layers: Seq
    file: str
    span: Span = field(compare=False)
    #: The text of this spec's file and of every spec it extends, by the name their spans use:
    #: diagnostics quote their lines from here, never from the files again.
    sources: Mapping[str, str] = field(compare=False, repr=False)
    #: What is suspicious but sound (:func:`channels_first`), reported with the layers' problems.
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False)
    #: The figures ``check`` holds the spec to (``budget:``, :mod:`cnncalc.limits`); a spec that
    #: extends another keeps the base's budget unless it writes its own.
    budget: tuple[Limit, ...] = field(default=(), compare=False)


def channels_first(shape: Shape, span: Span) -> Diagnostic | None:
    """W101 when an input reads as channels-first (CxHxW, PyTorch's and ONNX's order) though
    cnncalc reads HxWxC: its first size is a usual channel count (1, 3 or 4) and the others are
    image-sized (16 or more), as in ``3x224x224`` (``1x32000`` for a signal, ``3x16x112x112`` for
    a clip)."""
    first, *rest = (*shape.spatial, shape.c)
    if first not in (1, 3, 4) or min(rest) < 16:
        return None
    axes = AXES[shape.rank]
    read = ", ".join(f"{word} {size}" for (_, word), size in zip(axes, shape.spatial, strict=True))
    order = "x".join(letter.upper() for letter, _ in axes)
    return Diagnostic(
        code="W101",
        severity=Severity.WARNING,
        message=f"input {shape} reads as {read}, {shape.c} channels (cnncalc's order is {order}xC)",
        span=span,
        hint=f"if it is channels-first (Cx{order}), write {'x'.join(map(str, rest))}x{first}",
    )


def load_text(
    text: str,
    file: str,
    chain: tuple[str, ...] = (),
    *,
    extends_root: str | Path | None = None,
) -> Spec:
    """Parse spec ``text`` read from ``file`` (used in messages); ``chain`` is the files that
    extend it, to refuse a loop. ``extends`` may name built-ins and ``.yaml`` files under
    ``extends_root``, by default the folder of ``file`` (see :func:`_base_path`)."""
    try:
        root = parse(file, text)
    except SpecError as exc:
        raise SpecError(exc.diagnostics, {file: text}) from None
    if not isinstance(root, Map):
        raise SpecError([_not_a_mapping(root)], {file: text})
    return _SpecReader(file, chain, {file: text}, extends_root=extends_root).read(root)


def _not_a_mapping(root: Node) -> Diagnostic:
    # kind(), not describe(): the file may be anything but a spec, and its text is not quoted
    return error(
        "E004",
        f"a spec must be a mapping, not {kind(root)}",
        root.span,
        "start with keys such as 'name:', 'input:' and 'layers:'",
    )


def load_path(
    path: str | Path, chain: tuple[str, ...] = (), *, extends_root: str | Path | None = None
) -> Spec:
    """Read and parse a spec file. Raises :class:`SpecError` (E001 when it cannot be read)."""
    file = str(path)
    return load_text(read_text(file, read_bytes(file)), file, chain, extends_root=extends_root)


#: Suffixes of the files ``extends`` may name.
SPEC_SUFFIXES = (".yaml", ".yml")
#: Keys of which a file named by ``extends`` needs one to be taken for a spec.
_SPEC_MARKS = ("input", "layers", "extends")


def own_folder(file: str) -> Path:
    """The folder ``extends`` may reach from the spec read from ``file``: its own, or the working
    directory for standard input and text given to the library."""
    from pathlib import Path  # only for a spec that extends another

    here = Path.cwd() if file in ("-", "<stdin>", "<string>") else Path(file).parent
    return here.resolve()


def _base_path(name: str, file: str, root: Path) -> Path | str:
    """The file ``extends: NAME`` names, or why none may be read.

    What ``extends`` may reference: ``NAME`` or ``NAME.yaml`` beside the extending file, then the
    built-in ``NAME``. A file must end in ``.yaml`` or ``.yml`` and lie under ``root`` (the
    extending spec's folder unless the caller allows a wider one) once symbolic links are
    followed, and never under ``/proc``, ``/sys`` or ``/dev``. Those two rules are checked before
    the file is looked for, so the answer does not tell whether a file outside ``root`` exists. A
    name that is not a path (``vgg16``) falls back to the built-in when no file may be used."""
    from pathlib import Path

    from cnncalc.library import builtin_path

    here = Path.cwd() if file in ("-", "<stdin>", "<string>") else Path(file).parent
    refused = ""
    for candidate in (here / name, here / f"{name}.yaml"):
        try:
            resolved = candidate.resolve()
        except (OSError, ValueError):  # a NUL byte, a name too long, a link loop
            continue
        if is_system_path(resolved):
            refused = refused or "is a system file, never a spec"
        elif not is_below(str(resolved), str(root)):
            refused = refused or "is outside this spec's folder"
        elif path_kind(resolved) != "file":
            continue
        elif resolved.suffix not in SPEC_SUFFIXES:
            refused = refused or "is not a .yaml file"
        else:
            return candidate
    if not refused or not _looks_like_a_path(name):
        found = builtin_path(name) if "\x00" not in name else None
        if found is not None:
            return Path(found)
    return refused


def _looks_like_a_path(name: str) -> bool:
    return any(c in name for c in "/\\") or name.startswith(".") or "." in os.path.basename(name)


#: Where values given on the command line (``--set``) are reported.
COMMAND_LINE = "<--set>"


def with_params(spec: Spec, values: Mapping[str, str]) -> Spec:
    """``spec`` with params set from text (``--set v1=1``): each value is a number or an expression
    over the params before it, and the params after it are evaluated again. The name ``rounding``,
    unless the spec has a param of that name, sets the spec's top-level rounding rule instead
    (``--set rounding=floor``). Raises :class:`Problem` for a name that is not a param of the spec
    (with a "did you mean") or a rounding that is not a rule, :class:`SpecError` for a value that
    does not evaluate."""
    here = Span(COMMAND_LINE, 1, 1)
    rule = values.get("rounding") if "rounding" not in spec.param_nodes else None
    settings = {name: text for name, text in values.items() if name != "rounding" or rule is None}
    unknown = [name for name in settings if name not in spec.param_nodes]
    if unknown:
        known = [*spec.param_nodes, "rounding"]
        raise Problem(
            "E107",
            f"'{unknown[0]}' is not a param of {spec.name}",
            did_you_mean(unknown[0], known),
            here,
        )
    spec_rounding = (
        spec.rounding
        if rule is None
        else rounding(Scalar(rule, rule, False, here), {}, "'rounding'")
    )
    nodes = dict(spec.param_nodes)
    for name, text in settings.items():
        # as YAML reads it in a spec: one set of rules for a value, whatever its place
        nodes[name] = plain_scalar(text, Span(COMMAND_LINE, 1, 1))
    reader = _SpecReader(spec.file)
    params = reader.params(nodes, spec.input, spec)
    if reader.problems:
        raise SpecError(reader.problems, spec.sources)
    return replace(spec, rounding=spec_rounding, params=params, param_nodes=nodes)


def with_input(spec: Spec, shape: Shape) -> Spec:
    """``spec`` with its params evaluated again at the input volume ``shape`` (``--input``): those
    that use ``input.h``, ``input.w`` or ``input.c``, and those after them that use one of these.
    The spec's own :attr:`Spec.input` is kept (it is the size the spec was written for)."""
    if shape == spec.input:
        return spec
    reader = _SpecReader(spec.file)
    params = reader.params(spec.param_nodes, shape, spec, INPUT_NAMES)
    if reader.problems:
        raise SpecError(reader.problems, spec.sources)
    return replace(spec, params=params)


def _uses_names(node: Node) -> bool:
    """True when ``node`` is an expression (or a pair) that uses a name; ``False`` also for text
    that does not parse, which its evaluation then reports."""
    try:
        return bool(_uses(node))
    except Problem:
        return False


def _uses(node: Node) -> frozenset[str]:
    """The names a param's value uses (of an expression, or of both halves of a pair)."""
    if isinstance(node, Seq):
        return frozenset().union(*(_uses(item) for item in node.items))
    if isinstance(node, Scalar) and isinstance(node.value, str):
        return names(node.value)
    return frozenset()


class _SpecReader:
    def __init__(
        self,
        file: str,
        chain: tuple[str, ...] = (),
        sources: Mapping[str, str] | None = None,
        *,
        extends_root: str | Path | None = None,
    ) -> None:
        self.file = file
        self.chain = chain
        self._extends_root = extends_root
        self.problems: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        #: Texts read so far: this spec's own and those of the specs it extends.
        self.sources: dict[str, str] = dict(sources or {})

    def extends_folder(self) -> Path:
        """The folder whose specs ``extends`` may name (see :func:`_base_path`)."""
        from pathlib import Path

        given = self._extends_root
        return Path(given).resolve() if given else own_folder(self.file)

    def base(self, root: Map) -> Spec | None:
        """The spec named by ``extends``, whose keys this one overrides (params and blocks
        merge)."""
        node = root.get("extends")
        if node is None:
            return None
        if not (isinstance(node, Scalar) and isinstance(node.value, str)):
            self.problems.append(
                error(
                    "E103",
                    f"'extends' must name a spec, not {describe(node)}",
                    node.span,
                    "e.g. 'extends: vgg16'",
                )
            )
            return None
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in node.value[:QUOTED])
        shown += "..." if len(node.value) > QUOTED else ""
        found = _base_path(node.value, self.file, self.extends_folder())
        if isinstance(found, str):
            from cnncalc.library import builtin_names

            close = (
                "" if _looks_like_a_path(node.value) else did_you_mean(node.value, builtin_names())
            )
            hint = (
                "extend a built-in, or a .yaml file in this spec's folder or below it (the"
                " library's extends_root allows a wider folder)"
                if found
                else close
                if close.startswith("did you mean")  # else it lists every built-in: too long
                else "give a path relative to this file, or a built-in name"
            )
            message = (
                f"'extends: {shown}' {found}"
                if found
                else f"'extends: {shown}' names no spec file or built-in"
            )
            self.problems.append(error("E001", message, node.span, hint))
            return None
        from pathlib import Path

        resolved = str(found.resolve())
        chain = (*self.chain, str(Path(self.file).resolve()))
        if resolved in chain or len(self.chain) >= MAX_EXTENDS:
            self.problems.append(
                error(
                    "E204",
                    f"'extends' loops or nests deeper than {MAX_EXTENDS}:"
                    f" {' -> '.join(Path(f).name for f in (*chain, resolved))}",
                    node.span,
                    "a spec may not extend itself, directly or through others",
                )
            )
            return None
        from cnncalc.library import directory

        builtin = found.resolve().parent == Path(directory()).resolve()
        return self.read_base(found, shown, node.span, chain[-MAX_EXTENDS:], builtin)

    def read_base(
        self, path: Path, shown: str, span: Span, chain: tuple[str, ...], builtin: bool
    ) -> Spec | None:
        """The spec at ``path`` (named ``shown`` at ``span``), whose own problems are reported where
        they are once it is known to be a spec: text, YAML, a mapping with ``input``, ``layers`` or
        ``extends`` and only spec keys. Anything else is reported at ``extends`` in this spec
        without a word of the file's content (its first problem's place only, as a note), since it
        may be any file at all."""
        file = str(path)
        text = ""
        root: Node | None = None
        related: tuple[tuple[str, Span], ...] = ()
        try:
            text = read_text(file, read_bytes(file))
            root = parse(file, text)
        except SpecError as exc:
            first = exc.diagnostics[0]
            reason, related = f"is not a spec ({CODES[first.code]})", (("there", first.span),)
        else:
            keys = set(root.entries) if isinstance(root, Map) else set()
            reason = (
                ""
                if keys and keys <= set(TOP_KEYS) and keys & set(_SPEC_MARKS)
                else "is not a spec: it needs 'input', 'layers' or 'extends' and only spec keys"
            )
        if reason or not isinstance(root, Map):
            self.problems.append(
                Diagnostic(
                    code="E004",
                    severity=Severity.ERROR,
                    message=f"'extends: {shown}': {path.name} {reason}",
                    span=span,
                    hint=f"check it on its own: cnncalc check {shown_path(str(path))}",
                    related=related,
                )
            )
            return None
        own_root = path.resolve().parent if builtin else self.extends_folder()
        try:
            base = _SpecReader(file, chain, {file: text}, extends_root=own_root).read(root)
        except SpecError as exc:
            self.problems.extend(exc.diagnostics)
            self.sources.update(exc.sources)
            return None
        self.sources.update(base.sources)
        return base

    def full(self) -> bool:
        """True once :data:`MAX_PROBLEMS` problems are collected: reading on would only cost
        time."""
        return len(self.problems) >= MAX_PROBLEMS

    def text(self, root: Map, key: str, default: str = "") -> str:
        node = root.get(key)
        if node is None:
            return default
        if isinstance(node, Scalar) and isinstance(node.value, str):
            return node.value
        self.problems.append(
            error("E103", f"'{key}' must be text, not {describe(node)}", node.span, "quote it")
        )
        return default

    def read(self, root: Map) -> Spec:
        for key, span in root.keys.items():
            if self.full():
                break
            if key not in TOP_KEYS:
                self.problems.append(
                    error(
                        "E101",
                        f"unknown key '{key}' at the top of the spec",
                        span,
                        did_you_mean(key, TOP_KEYS),
                    )
                )
        base = self.base(root)
        if base is not None and "input" not in root.entries:
            shape: Shape | None = base.input
        elif "input" in root.entries or "extends" not in root.entries:
            shape = self.volume(root)
            found = channels_first(shape, root.entries["input"].span) if shape else None
            if found is not None:
                self.warnings.append(found)
        else:
            shape = None  # the base that would give it failed to load, and said why
        spec_rounding = base.rounding if base else Rounding.EXACT
        if (node := root.get("rounding")) is not None:
            try:
                spec_rounding = rounding(node, {}, "'rounding'")
            except Problem as problem:
                self.problems.append(problem.diagnostic())
        limits = base.budget if base else ()
        if (node := root.get("budget")) is not None:
            from cnncalc.limits import read_budget  # it needs the presets, which import this

            limits, malformed = read_budget(node)
            self.problems.extend(malformed)
        param_nodes = {**(base.param_nodes if base else {}), **self.param_nodes(root.get("params"))}
        moved = INPUT_NAMES if base is not None and shape != base.input else frozenset()
        params = self.params(param_nodes, shape, base, moved)
        blocks = {**(base.blocks if base else {}), **self.blocks(root.get("blocks"))}
        layers = root.get("layers") or (base.layers if base else None)
        if layers is None and "extends" not in root.entries:
            self.problems.append(
                error(
                    "E105",
                    "the spec has no 'layers'",
                    root.span,
                    "add 'layers:' with a list of layers",
                )
            )
        elif layers is not None and not isinstance(layers, Seq):
            self.problems.append(
                error(
                    "E103",
                    f"'layers' must be a list, not {describe(layers)}",
                    layers.span,
                    "write one '- layer' per line",
                )
            )
        default_name = (
            os.path.splitext(os.path.basename(self.file))[0]  # as Path.stem
            if self.file not in ("-", "<stdin>")
            else "spec"
        )
        name = self.text(root, "name", default_name)
        title = self.text(root, "title", base.title if base else "")
        source = self.text(root, "source", base.source if base else "")
        description = self.text(root, "description", base.description if base else "")
        if self.problems or shape is None or not isinstance(layers, Seq):
            raise SpecError(
                self.problems + ([gave_up(root.span)] if self.full() else []), self.sources
            )
        return Spec(
            name=name,
            title=title,
            source=source,
            description=description,
            input=shape,
            rounding=spec_rounding,
            params=params,
            param_nodes=param_nodes,
            blocks=blocks,
            layers=layers,
            file=self.file,
            span=root.span,
            sources=self.sources,
            warnings=tuple(self.warnings),
            budget=limits,
        )

    def volume(self, root: Map) -> Shape | None:
        node = root.get("input")
        if node is None:
            self.problems.append(
                error(
                    "E105",
                    "the spec has no 'input' volume",
                    root.span,
                    "add e.g. 'input: 224x224x3' (height x width x channels)",
                )
            )
            return None
        try:
            if isinstance(node, Scalar) and isinstance(node.value, str):
                return parse_volume(node.value)
            if isinstance(node, Map):
                letters = next(
                    (
                        [letter for letter, _ in axes] + ["c"]
                        for axes in AXES.values()
                        if set(node.entries) == {letter for letter, _ in axes} | {"c"}
                    ),
                    None,
                )
                if letters is None:
                    self.problems.append(
                        error(
                            "E108",
                            "an input mapping needs exactly h, w and c (l and c for 1-D; d, h, w"
                            " and c for 3-D)",
                            node.span,
                            "e.g. 'input: {h: 224, w: 224, c: 3}'",
                        )
                    )
                    return None
                *spatial, c = (integer(node.entries[k], {}, f"input '{k}'") for k in letters)
                return volume(tuple(spatial), c)
        except Problem as problem:
            self.problems.append(problem.diagnostic(problem.span or node.span))
            return None
        self.problems.append(
            error(
                "E108",
                f"'input' must be a volume such as 224x224x3, not {describe(node)}",
                node.span,
                "write HxWxC",
            )
        )
        return None

    def param_nodes(self, node: Node | None) -> dict[str, Node]:
        if node is None:
            return {}
        if not isinstance(node, Map):
            self.problems.append(
                error(
                    "E103",
                    f"'params' must be a mapping of names to numbers, not {describe(node)}",
                    node.span,
                    "e.g. 'params: {width: 1.0}'",
                )
            )
            return {}
        return dict(node.entries)

    def params(
        self,
        nodes: dict[str, Node],
        shape: Shape | None,
        base: Spec | None = None,
        fresh: frozenset[str] = frozenset(),
    ) -> dict[str, Value]:
        """Evaluate params in order; each may use the ones before it and the input volume
        (:func:`input_names` of ``shape``; without a shape, a param using it is refused).

        A param of ``base`` (the spec this one extends, or the one ``--set`` changes) keeps its
        value when its node is the base's own and it uses no param evaluated here, so along an
        ``extends`` chain each param is evaluated where it is written or changed, not again at
        every level (a level still looks each inherited param up, a dict access each). ``fresh``
        names what changed besides the params (the input names, for :func:`with_input`).
        """
        env: dict[str, Value] = {}
        scope = ChainMap(env, input_names(shape) if shape else {})
        # evaluated here: written or overridden here, or using one that is
        changed: set[str] = set(fresh)
        with budget() as steps:
            for key, value in nodes.items():
                if self.full() or steps.exhausted:
                    break
                if (
                    base is not None
                    and base.param_nodes.get(key) is value
                    and key in base.params
                    and (not changed or changed.isdisjoint(_uses(value)))
                ):
                    env[key] = base.params[key]
                    continue
                changed.add(key)
                try:
                    env[key] = (
                        int(value.value)
                        if isinstance(value, Scalar) and isinstance(value.value, bool)
                        else parse_value(value, scope, f"param '{key}'")
                    )
                except Problem as problem:
                    self.problems.append(problem.diagnostic())
        return env

    def blocks(self, node: Node | None) -> dict[str, Block]:
        if node is None:
            return {}
        if not isinstance(node, Map):
            self.problems.append(
                error(
                    "E103",
                    "'blocks' must be a mapping of block names to definitions, not"
                    f" {describe(node)}",
                    node.span,
                    "see the README's spec reference",
                )
            )
            return {}
        from cnncalc.layers import ALIAS_OF, FAMILIES  # a block may not shadow a layer type

        blocks: dict[str, Block] = {}
        for name, body in node.entries.items():
            if self.full():
                break
            span = node.keys[name]
            if name in FAMILIES or name in ALIAS_OF:
                self.problems.append(
                    error(
                        "E203",
                        f"block '{name}' has the name of a layer type",
                        span,
                        "rename the block",
                    )
                )
                continue
            if not isinstance(body, Map):
                self.problems.append(
                    error(
                        "E103",
                        f"block '{name}' must be a mapping with 'layers', not {describe(body)}",
                        body.span,
                        "add 'layers:'",
                    )
                )
                continue
            for key, key_span in body.keys.items():
                if key not in BLOCK_KEYS and not self.full():
                    self.problems.append(
                        error(
                            "E101",
                            f"unknown key '{key}' in block '{name}'",
                            key_span,
                            did_you_mean(key, BLOCK_KEYS),
                        )
                    )
            layers = body.get("layers")
            if not isinstance(layers, Seq):
                where = layers.span if layers else body.span
                self.problems.append(
                    error(
                        "E105",
                        f"block '{name}' needs a 'layers' list",
                        where,
                        "add 'layers:' with a list",
                    )
                )
                continue
            blocks[name] = Block(
                name,
                self.block_args(name, body.get("args")),
                self.block_let(name, body.get("let")),
                self.block_inputs(name, body.get("inputs")),
                layers,
                span,
            )
        return blocks

    def block_args(self, block: str, node: Node | None) -> dict[str, Value | Node | None]:
        if node is None:
            return {}
        if not isinstance(node, Map):
            self.problems.append(
                error(
                    "E103",
                    f"'args' of block '{block}' must be a mapping of names to defaults",
                    node.span,
                    "e.g. 'args: {filters: ~, stride: 1}' (~ = required)",
                )
            )
            return {}
        args: dict[str, Value | Node | None] = {}
        for key, value in node.entries.items():
            if self.full():
                break
            if isinstance(value, Scalar) and value.value is None:
                args[key] = None
                continue
            if isinstance(value, Scalar) and isinstance(value.value, bool):
                args[key] = int(value.value)
                continue
            if _uses_names(value):
                args[key] = value  # evaluated at each use, where those names are bound
                continue
            try:
                args[key] = parse_value(value, {}, f"default of '{key}'")
            except Problem as problem:
                self.problems.append(problem.diagnostic())
        return args

    def block_let(self, block: str, node: Node | None) -> dict[str, Node]:
        if node is None:
            return {}
        if isinstance(node, Map):
            return dict(node.entries)
        self.problems.append(
            error(
                "E103",
                f"'let' of block '{block}' must be a mapping of names to values",
                node.span,
                "e.g. 'let: {mid: width // 4}'",
            )
        )
        return {}

    def block_inputs(self, block: str, node: Node | None) -> tuple[str, ...]:
        if node is None:
            return ("input",)
        if (
            isinstance(node, Seq)
            and node.items
            and all(isinstance(i, Scalar) and isinstance(i.value, str) for i in node.items)
        ):
            return tuple(str(i.value) for i in node.items if isinstance(i, Scalar))
        self.problems.append(
            error(
                "E103",
                f"'inputs' of block '{block}' must be a list of names",
                node.span,
                "e.g. 'inputs: [x, skip]'",
            )
        )
        return ("input",)
