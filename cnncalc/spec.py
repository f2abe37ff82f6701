"""A spec file's top level: metadata, input volume, defaults, params and block definitions.

The ``layers`` list and block bodies stay as located nodes; ``expand.py`` turns them into the
layer graph. Problems are collected, not raised one at a time, so one run reports them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from cnncalc.errors import (
    MAX_PROBLEMS,
    Diagnostic,
    Problem,
    Span,
    SpecError,
    did_you_mean,
    error,
    gave_up,
)
from cnncalc.expr import Value, budget, names
from cnncalc.shapes import Rounding, Shape, parse_volume
from cnncalc.source import Map, Node, Scalar, Seq, describe, parse, path_kind, read_bytes, read_text
from cnncalc.values import integer, rounding
from cnncalc.values import value as parse_value

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
)
#: Longest chain of ``extends``.
MAX_EXTENDS = 8
BLOCK_KEYS = ("args", "inputs", "layers", "description")


@dataclass(frozen=True, slots=True)
class Block:
    """A reusable group of layers with named arguments (``None`` default = required)."""

    name: str
    args: dict[str, Value | None]
    inputs: tuple[str, ...]
    layers: Seq
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Spec:
    """A parsed spec, before expansion."""

    name: str
    title: str
    source: str
    description: str
    input: Shape
    rounding: Rounding
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


def load_text(text: str, file: str, chain: tuple[str, ...] = ()) -> Spec:
    """Parse spec ``text`` read from ``file`` (used in messages); ``chain`` is the files that
    extend it, to refuse a loop."""
    try:
        root = parse(file, text)
    except SpecError as exc:
        raise SpecError(exc.diagnostics, {file: text}) from None
    if not isinstance(root, Map):
        raise SpecError(
            [
                error(
                    "E004",
                    f"a spec must be a mapping, not {describe(root)}",
                    root.span,
                    "start with keys such as 'name:', 'input:' and 'layers:'",
                )
            ],
            {file: text},
        )
    return _SpecReader(file, chain, {file: text}).read(root)


def load_path(path: str | Path, chain: tuple[str, ...] = ()) -> Spec:
    """Read and parse a spec file. Raises :class:`SpecError` (E001 when it cannot be read)."""
    file = str(path)
    return load_text(read_text(file, read_bytes(file)), file, chain)


def _base_path(name: str, file: str) -> Path | None:
    """``extends: NAME`` looks for NAME(.yaml) beside the extending file, then among the
    built-ins."""
    from cnncalc.library import builtin_path

    here = Path(file).parent if file not in ("-", "<stdin>", "<string>") else Path.cwd()
    for candidate in (here / name, here / f"{name}.yaml"):
        if path_kind(candidate) == "file":
            return candidate
    return builtin_path(name)


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
        # read as a value in a spec is read, so one set of rules holds whatever the spelling
        nodes[name] = parse(COMMAND_LINE, text)
    reader = _SpecReader(spec.file)
    params = reader.params(nodes, spec)
    if reader.problems:
        raise SpecError(reader.problems, spec.sources)
    return replace(spec, rounding=spec_rounding, params=params, param_nodes=nodes)


def _uses(node: Node) -> frozenset[str]:
    """The names a param's value uses (of an expression, or of both halves of a pair)."""
    if isinstance(node, Seq):
        return frozenset().union(*(_uses(item) for item in node.items))
    if isinstance(node, Scalar) and isinstance(node.value, str):
        return names(node.value)
    return frozenset()


class _SpecReader:
    def __init__(
        self, file: str, chain: tuple[str, ...] = (), sources: Mapping[str, str] | None = None
    ) -> None:
        self.file = file
        self.chain = chain
        self.problems: list[Diagnostic] = []
        #: Texts read so far: this spec's own and those of the specs it extends.
        self.sources: dict[str, str] = dict(sources or {})

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
        path = _base_path(node.value, self.file)
        if path is None:
            self.problems.append(
                error(
                    "E001",
                    f"'extends: {node.value}' names no spec file or built-in",
                    node.span,
                    "give a path relative to this file, or a built-in name",
                )
            )
            return None
        resolved = str(path.resolve())
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
        try:
            base = load_path(path, chain[-MAX_EXTENDS:])
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
        else:
            shape = None  # the base that would give it failed to load, and said why
        spec_rounding = base.rounding if base else Rounding.EXACT
        if (node := root.get("rounding")) is not None:
            try:
                spec_rounding = rounding(node, {}, "'rounding'")
            except Problem as problem:
                self.problems.append(problem.diagnostic())
        param_nodes = {**(base.param_nodes if base else {}), **self.param_nodes(root.get("params"))}
        params = self.params(param_nodes, base)
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
        default_name = Path(self.file).stem if self.file not in ("-", "<stdin>") else "spec"
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
        if isinstance(node, Scalar) and isinstance(node.value, str):
            try:
                shape = parse_volume(node.value)
            except ValueError as exc:
                self.problems.append(error("E108", str(exc), node.span, "e.g. 'input: 227x227x3'"))
                return None
            if max(shape.h, shape.w, shape.c) > 10**6:
                self.problems.append(
                    error(
                        "E007",
                        f"input {shape} is beyond the limit of 1,000,000 per dimension",
                        node.span,
                        "use a realistic size",
                    )
                )
                return None
            return shape
        if isinstance(node, Map):
            try:
                h, w, c = (
                    integer(node.entries[k], {}, f"input '{k}'") if k in node.entries else 0
                    for k in ("h", "w", "c")
                )
            except Problem as problem:
                self.problems.append(problem.diagnostic())
                return None
            extra = [k for k in node.entries if k not in ("h", "w", "c")]
            if extra or not (h and w and c):
                self.problems.append(
                    error(
                        "E108",
                        "an input mapping needs exactly h, w and c",
                        node.span,
                        "e.g. 'input: {h: 224, w: 224, c: 3}'",
                    )
                )
                return None
            return Shape(h, w, c)
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

    def params(self, nodes: dict[str, Node], base: Spec | None = None) -> dict[str, Value]:
        """Evaluate params in order; each may use the ones before it.

        A param of ``base`` (the spec this one extends, or the one ``--set`` changes) keeps its
        value when its node is the base's own and it uses no param evaluated here, so along an
        ``extends`` chain each param is evaluated where it is written or changed, not again at
        every level (a level still looks each inherited param up, a dict access each).
        """
        env: dict[str, Value] = {}
        fresh: set[str] = set()  # evaluated here: written or overridden here, or using one that is
        with budget() as steps:
            for key, value in nodes.items():
                if self.full() or steps.exhausted:
                    break
                if (
                    base is not None
                    and base.param_nodes.get(key) is value
                    and key in base.params
                    and (not fresh or fresh.isdisjoint(_uses(value)))
                ):
                    env[key] = base.params[key]
                    continue
                fresh.add(key)
                try:
                    env[key] = (
                        int(value.value)
                        if isinstance(value, Scalar) and isinstance(value.value, bool)
                        else parse_value(value, env, f"param '{key}'")
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
        from cnncalc.layers import ALIASES, LAYERS  # a block may not shadow a layer type

        blocks: dict[str, Block] = {}
        for name, body in node.entries.items():
            if self.full():
                break
            span = node.keys[name]
            if name in LAYERS or name in ALIASES:
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
                self.block_inputs(name, body.get("inputs")),
                layers,
                span,
            )
        return blocks

    def block_args(self, block: str, node: Node | None) -> dict[str, Value | None]:
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
        args: dict[str, Value | None] = {}
        for key, value in node.entries.items():
            if self.full():
                break
            if isinstance(value, Scalar) and value.value is None:
                args[key] = None
                continue
            if isinstance(value, Scalar) and isinstance(value.value, bool):
                args[key] = int(value.value)
                continue
            try:
                args[key] = parse_value(value, {}, f"default of '{key}'")
            except Problem as problem:
                self.problems.append(problem.diagnostic())
        return args

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
