"""Layer items to the layer graph: blocks instantiated, ``repeat`` unrolled, branches and names
resolved.

A layer item is a type name (``- relu``), or a one-key mapping from a type or block name to its
fields (``- conv: {filters: 96, kernel: 11}``), to its main field (``- fc: 4096``) or, for a merge,
to its branches (``- add: [[...], []]``). Besides fields, an item may carry the keys in
:data:`META_KEYS`.

The name ``previous`` refers to the output of the item before (the block's input for a block's
first item, the network input for the first layer): :data:`PREVIOUS`.

An item's ``repeat`` is a count, or ``{times: N, as: i}``, which binds ``i`` to 0 ... N - 1 in
the repeated item's fields (and a block's arguments). A block instance binds its arguments, then
its ``let`` values, in order, each able to use the ones before it.

A layer field of a reference type (``like: skip1``, ``indices: pool1``) is resolved the same way
and becomes an extra input after the layer's main one (:func:`references`).

References may only name layers defined earlier, so definition order is a topological order and
the graph is acyclic by construction; a name used before its definition is reported as E202.
Recursion here follows the nesting of the document and of blocks, both capped, so it cannot reach
Python's recursion limit.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import NamedTuple, NoReturn

from cnncalc.errors import (
    MAX_PROBLEMS,
    Diagnostic,
    Problem,
    Span,
    SpecError,
    did_you_mean,
    framework_hint,
    gave_up,
)
from cnncalc.expr import Budget, Value, budget, names
from cnncalc.layers import ALIAS_OF, FAMILIES, Layer, layer_named
from cnncalc.records import Record, field, replace
from cnncalc.shapes import Shape
from cnncalc.source import Map, Node, Scalar, Seq, describe
from cnncalc.spec import Block, Spec, input_names
from cnncalc.values import ReferenceType, build, integer, number, schema, value

META_KEYS = ("name", "repeat", "when", "input", "inputs", "branches")
#: The keys :func:`cnncalc.values.build` leaves to expansion.
_NOT_FIELDS = frozenset(META_KEYS)
#: Index standing for the network input in :attr:`GraphNode.inputs`.
INPUT = -1
#: The reference name for the item before; no layer may take it.
PREVIOUS = "previous"
#: The keys of the mapping form of ``repeat``.
REPEAT_KEYS = ("times", "as")
#: Default cap on the number of layers a spec may expand to (``--max-layers`` raises it). The
#: largest real networks have a few thousand; expanding and inferring a layer takes about 20
#: microseconds, so the default keeps any spec near a second.
MAX_LAYERS = 50_000
#: Items visited (layers, blocks, and items left out by ``when``) per allowed layer.
WORK_PER_LAYER = 4
#: Expression evaluation steps (tree nodes, see :func:`cnncalc.expr.budget`) per allowed layer:
#: 1,000,000 at the default layer cap (:data:`cnncalc.expr.MAX_STEPS`, about a second). Block
#: arguments, ``when`` and ``repeat`` are evaluated per use, so repeated blocks with long
#: expressions would otherwise cost minutes. The built-ins need at most 3.4 a layer.
STEPS_PER_LAYER = 20
#: Deepest nesting of blocks within blocks.
MAX_BLOCK_DEPTH = 32
#: Deepest nesting of layer lists, branches and block bodies together. Expansion recurses once per
#: level (a few stack frames each), so this keeps it far from Python's recursion limit.
MAX_NESTING = 64


class GraphNode(Record):
    """One layer of the expanded network."""

    name: str
    layer: Layer
    inputs: tuple[int, ...]
    #: The layer's own place in the file (inside a block body for layers made by blocks).
    span: Span = field(compare=False)
    #: The block use sites that made this layer, outermost first.
    sites: tuple[Span, ...] = field(default=(), compare=False)
    #: The enclosing block instances as (full name, block name), outermost first (for collapsing
    #: rows).
    scope: tuple[tuple[str, str], ...] = ()


class Graph(Record):
    """The expanded network: nodes in a topological (definition) order."""

    nodes: tuple[GraphNode, ...]


class _Stop(Exception):
    """Abandons expansion when a cap is reached (the diagnostic is already recorded)."""


class _Names(Mapping[str, Value]):
    """The names an expression sees in a block instance: its own (arguments and ``let`` values, or
    a repeat's index) over those around it, which are not copied (params may be many, instances
    too). It iterates as ``collections.ChainMap(own, outer)`` does (outer names first), at a
    fraction of its cost per lookup, and lookups are most of evaluating an expression."""

    __slots__ = ("outer", "own")

    def __init__(self, own: dict[str, Value], outer: Mapping[str, Value]) -> None:
        self.own = own
        self.outer = outer

    def __getitem__(self, name: str) -> Value:
        own = self.own
        return own[name] if name in own else self.outer[name]

    def __contains__(self, name: object) -> bool:
        return name in self.own or name in self.outer

    def __iter__(self) -> Iterator[str]:
        names = dict.fromkeys(self.outer)
        names.update(dict.fromkeys(self.own))
        return iter(names)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Scope(Record, frozen=False):
    prefix: str
    env: Mapping[str, Value]
    names: dict[str, int]
    sites: tuple[Span, ...] = ()
    path: tuple[tuple[str, str], ...] = ()
    blocks: tuple[str, ...] = ()
    counters: dict[str, int] = field(default_factory=dict)
    #: The block arguments bound here: all of ``env`` that is not the spec's constant params.
    args: tuple[tuple[str, Value], ...] = ()

    def binding(self, name: str, value: Value) -> _Scope:
        """This scope with ``name`` bound to ``value`` in expressions (a repeat's index); names,
        counters and everything else are shared."""
        return replace(
            self,
            env=_Names({name: value}, self.env),
            args=(*self.args, (name, value)),
        )

    def auto_name(self, prefix: str) -> str:
        count = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = count
        return f"{prefix}{count}"


class _Item(NamedTuple):
    """What a layer item says, whatever scope it is expanded in: read once per item node, as blocks
    and ``repeat`` expand the same items many times."""

    key: Scalar
    layer_type: type[Layer] | None
    block: Block | None
    fields: Map
    meta: dict[str, Node]
    #: Every key of ``fields`` is one the layer type or block accepts.
    known: bool
    #: The names its fields' expressions use (:func:`used_names`).
    uses: tuple[str, ...] | None


def used_names(fields: Map) -> tuple[str, ...] | None:
    """The names the expressions in ``fields`` use, meta keys left out: all a layer built from
    them depends on besides the spec's rank. ``None`` when some text is not an expression (a
    word such as ``same``, or a mistake ``build`` will report)."""
    used: set[str] = set()
    stack = [node for key, node in fields.entries.items() if key not in _NOT_FIELDS]
    while stack:
        node = stack.pop()
        if isinstance(node, Seq):
            stack.extend(node.items)
        elif isinstance(node, Map):
            stack.extend(node.entries.values())
        elif isinstance(node.value, str):
            try:
                used.update(names(node.value))
            except Problem:
                return None
    return tuple(sorted(used))


@functools.cache  # asked for each layer made: a type's fields never change
def references(layer_type: type[Layer]) -> tuple[str, ...]:
    """The fields of ``layer_type`` that name other layers (:class:`~cnncalc.values.ReferenceType`),
    in field order: each one given becomes an input after the main one, in this order, so ``infer``
    receives the named layer's output volume (and then its input volume, for a reference type with
    ``and_input``; the network input names no input of its own, and stands for itself)."""
    return tuple(
        name for name, f in schema(layer_type).items() if isinstance(f.type, ReferenceType)
    )


def inside(scope: _Scope, site: Scalar) -> _Scope:
    """``scope`` with the block use ``site`` named too: for a problem in a block's own text (a
    default, a ``let`` value) found while evaluating it for that use."""
    return replace(scope, sites=(*scope.sites, site.span))


def _value(node: Node, env: Mapping[str, Value], where: str) -> Value:
    """A block argument's or ``let`` value: a number, pair or expression; ``true``/``false`` are
    1 and 0 (for ``when``)."""
    if isinstance(node, Scalar) and isinstance(node.value, bool):
        return int(node.value)
    return value(node, env, where)


def expand(spec: Spec, max_layers: int = MAX_LAYERS, input: Shape | None = None) -> Graph:
    """Expand ``spec`` into a :class:`Graph` at the input volume ``input`` (default: the spec's),
    which ``input.h``, ``input.w`` and ``input.c`` name in expressions (params using them are
    evaluated again by :func:`cnncalc.spec.with_input`); raises :class:`SpecError` with every
    problem found."""
    hint = (
        "block arguments, 'when' and 'repeat' are evaluated at every use: compute a value once in"
        " params, use shorter expressions, or raise --max-layers (the budget grows with it)"
    )
    with budget(STEPS_PER_LAYER * max_layers, hint) as steps:
        return _Expander(spec, max_layers, steps, input or spec.input).run()


class _Expander:
    def __init__(self, spec: Spec, max_layers: int, steps: Budget, shape: Shape) -> None:
        self.spec = spec
        #: What every expression sees outside block arguments: the params and the input names.
        self.params: dict[str, Value] = {**spec.params, **input_names(shape)}
        #: The input's spatial rank: how many values a per-axis field holds.
        self.rank = shape.rank
        self.max_layers = max_layers
        self.steps = steps
        self.nodes: list[GraphNode] = []
        self.full_names: dict[str, int] = {}
        self.problems: dict[tuple[str, int, int, str], Diagnostic] = {}
        #: Names not found where used: the name, its node, its scope, and how many names the
        #: scope had then (the ones a hint may suggest: those defined later would fail E202).
        self.unresolved: list[tuple[str, Scalar, _Scope, int]] = []
        self.work = 0
        self.depth = 0
        self.reports = 0
        #: Layers built, by the item's node and the values of the names its fields use (or every
        #: block argument): what ``build`` reads. Blocks instantiated alike and repeated items reuse
        #: one frozen layer instead of evaluating the same expressions again (every layer of a
        #: 100,000-layer spec made by ``repeat``).
        self.built: dict[tuple[int, tuple[object, ...]], Layer] = {}
        #: Items read so far, by the id of their node (the spec's own, alive as long as it is).
        self.read: dict[int, _Item] = {}

    def run(self) -> Graph:
        top = _Scope(prefix="", env=self.params, names={"input": INPUT})
        with contextlib.suppress(_Stop):
            self.items(self.spec.layers, INPUT, top)
        with contextlib.suppress(_Stop):
            self.references_after()
        if not self.nodes and not self.problems:
            self.report(
                "E105",
                "the spec has no layers",
                self.spec.layers,
                None,
                "add layers under 'layers:'",
            )
        if self.problems:
            raise SpecError(list(self.problems.values()), self.spec.sources)
        return Graph(tuple(self.nodes))

    def references_after(self) -> None:
        """Report each name that was not defined where it was used: E202 if defined later, else
        E201.
        """
        places = {
            (name, node.span, scope.prefix): (name, node, scope, known)
            for name, node, scope, known in self.unresolved
        }
        for (
            name,
            node,
            scope,
            known,
        ) in places.values():  # once per place and scope, however often expanded
            if name in self.full_names or scope.prefix + name in self.full_names:
                self.report(
                    "E202",
                    f"'{name}' is used before it is defined",
                    node,
                    scope,
                    "a layer may only take inputs from layers above it",
                )
            else:
                self.report(
                    "E201",
                    f"no layer named '{name}' here",
                    node,
                    scope,
                    did_you_mean(name, list(islice(scope.names, known)), "layers above: "),
                )

    # -- reporting -------------------------------------------------------------------------------
    def report(
        self, code: str, message: str, node: Node, scope: _Scope | None, hint: str | None = None
    ) -> None:
        self.report_problem(Problem(code, message, hint, node.span), scope)

    def report_problem(self, problem: Problem, scope: _Scope | None) -> None:
        related = tuple(("block used here", site) for site in scope.sites) if scope else ()
        diagnostic = problem.diagnostic(related=related)
        span = diagnostic.span
        key = (problem.code, span.line, span.col, problem.message)
        self.problems.setdefault(key, diagnostic)
        self.reports += (
            1  # repeats of one problem count too: a broken block used thousands of times
        )
        if self.reports >= MAX_PROBLEMS:
            self.problems.setdefault(("E007", 0, 0, "gave up"), gave_up(span))
            raise _Stop
        if self.steps.exhausted:
            raise _Stop  # every further expression would be refused the same way

    def stop(self, message: str, node: Node, scope: _Scope, hint: str) -> NoReturn:
        self.report("E007", message, node, scope, hint)
        raise _Stop

    # -- items -----------------------------------------------------------------------------------
    def items(self, seq: Seq, current: int, scope: _Scope) -> int:
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.stop(
                f"layers nested deeper than {MAX_NESTING} levels (branches and blocks together)",
                seq,
                scope,
                "flatten the branches or blocks",
            )
        for item in seq.items:
            current = self.item(item, current, scope)
        self.depth -= 1
        return current

    def tick(self, node: Node, scope: _Scope) -> None:
        """Count one unit of work (an item, or one more repeat of it), stopping past the cap."""
        self.work += 1
        if self.work > WORK_PER_LAYER * self.max_layers:
            limit = WORK_PER_LAYER * self.max_layers
            self.stop(
                f"the spec expands to more than {limit:,} items",
                node,
                scope,
                "lower the repeat counts, or raise --max-layers if you mean it",
            )

    def item(self, node: Node, current: int, scope: _Scope) -> int:
        self.tick(node, scope)
        item = self.read.get(id(node))
        if item is None:
            item = self.read_item(node, scope)
            if item is None:
                return current
            self.read[id(node)] = item
        layer_type, block, meta = item.layer_type, item.block, item.meta
        if (when := meta.get("when")) is not None and not self.truth(when, scope):
            return current
        repeat, index_name = 1, None
        if (given := meta.get("repeat")) is not None:
            read = self.repeat(given, scope)
            if read is None:
                return current
            count, index_name = read
            try:
                repeat = integer(count, scope.env, "'repeat'", minimum=0)
            except Problem as problem:
                self.report_problem(problem, scope)
                return current
            if repeat > self.max_layers:
                self.stop(
                    f"repeat {repeat:,} is above the layer limit of {self.max_layers:,}",
                    count,
                    scope,
                    "raise the limit with --max-layers if you mean it",
                )
        name_node = meta.get("name")
        before = len(self.problems) + len(self.unresolved)
        for index in range(repeat):
            if index:
                self.tick(node, scope)  # each repeat is work, however cheap the item
                if len(self.problems) + len(self.unresolved) > before:
                    break  # every further repeat would report the same problems again
            name = None
            if isinstance(name_node, Scalar):
                name = str(name_node.value) if repeat == 1 else f"{name_node.value}.{index + 1}"
            here = scope if index_name is None else scope.binding(index_name, index)
            if layer_type is not None:
                current = self.layer(item, node, current, here, name)
            elif block is not None:
                current = self.block(block, item, current, here, name)
        return current

    def repeat(self, node: Node, scope: _Scope) -> tuple[Node, str | None] | None:
        """A ``repeat``'s count and the name its index takes (``{times: N, as: i}``), or ``None``
        after reporting why it is neither a count nor that mapping."""
        if not isinstance(node, Map):
            return node, None
        if not self.check_keys(node, list(REPEAT_KEYS), "'repeat'", scope):
            return None
        times, name = node.get("times"), node.get("as")
        if times is None:
            self.report("E105", "'repeat' needs 'times'", node, scope, "e.g. {times: 4, as: i}")
            return None
        if name is None:
            return times, None
        if not (
            isinstance(name, Scalar)
            and isinstance(name.value, str)
            and not name.quoted
            and name.value.isidentifier()
            and name.value.isascii()
        ):
            self.report(
                "E103",
                f"'as' must be a name, not {describe(name)}",
                name,
                scope,
                "e.g. as: i",
            )
            return None
        return times, name.value

    def read_item(self, node: Node, scope: _Scope) -> _Item | None:
        """The item's type or block, fields and meta keys; ``None`` after reporting why it is not an
        item.
        """
        if isinstance(node, Scalar) and isinstance(node.value, str) and not node.quoted:
            kind, body, key = node.value, None, node
        elif isinstance(node, Map) and len(node.entries) == 1:
            kind, body = next(iter(node.entries.items()))
            key = Scalar(kind, kind, False, node.keys[kind])
        elif isinstance(node, Map) and node.entries:
            keys = list(node.entries)
            self.report(
                "E103",
                f"a layer is one key, its type, but this item has {len(keys)}: {', '.join(keys)}",
                node,
                scope,
                f"indent the fields under the type: '- {keys[0]}: {{...}}'",
            )
            return None
        else:
            self.report(
                "E103",
                f"a layer must be a type name or a mapping, not {describe(node)}",
                node,
                scope,
                "e.g. '- relu' or '- conv: {filters: 64, kernel: 3}'",
            )
            return None
        kind = ALIAS_OF.get(kind, kind)
        layer_class = layer_named(kind)
        block = self.spec.blocks.get(kind)
        if layer_class is None and block is None:
            choices = [*sorted([*FAMILIES, *ALIAS_OF]), *self.spec.blocks]
            self.report(
                "E102",
                f"unknown layer type or block '{kind}'",
                key,
                scope,
                framework_hint(kind) or did_you_mean(kind, choices),
            )
            return None
        fields = self.fields_of(layer_class, body, key, scope)
        if fields is None:
            return None
        meta = {k: v for k, v in fields.entries.items() if k in META_KEYS}
        name_node = meta.get("name")
        if name_node is not None and not (
            isinstance(name_node, Scalar) and isinstance(name_node.value, str) and name_node.value
        ):
            self.report(
                "E103",
                f"'name' must be text, not {describe(name_node)}",
                name_node,
                scope,
                "e.g. name: conv1",
            )
            return None
        named = (*("input", "inputs"), *(references(layer_class) if layer_class else ()))
        refs = [
            ref
            for k in named
            if (given := fields.entries.get(k)) is not None
            for ref in (given.items if isinstance(given, Seq) else (given,))
        ]
        if isinstance(name_node, Scalar) and (
            loop := next(
                (r for r in refs if isinstance(r, Scalar) and r.value == name_node.value), None
            )
        ):
            self.report(
                "E202",
                f"'{name_node.value}' takes its own output as input: a cycle",
                loop,
                scope,
                "a layer may only take inputs from layers above it",
            )
            return None
        allowed = self.allowed_keys(layer_class, block)
        known = all(k in allowed for k in fields.keys)
        uses = used_names(fields) if layer_class else None
        return _Item(key, layer_class, block, fields, meta, known, uses)

    @staticmethod
    def allowed_keys(layer_type: type[Layer] | None, block: Block | None) -> list[str]:
        """The keys an item of ``layer_type`` (or, without one, of ``block``) may have."""
        if layer_type is None:
            return [*(block.args if block else ()), "name", "repeat", "when", "input", "inputs"]
        merge = layer_type.arity is None
        return [
            *schema(layer_type),
            "name",
            "repeat",
            "when",
            "input",
            *(("inputs", "branches") if merge else ()),
        ]

    def fields_of(
        self, layer_type: type[Layer] | None, body: Node | None, key: Scalar, scope: _Scope
    ) -> Map | None:
        """The item's keys as a mapping, the scalar and list forms turned into their main field."""
        if body is None or (isinstance(body, Scalar) and body.value is None):
            return Map({}, {}, key.span)
        if isinstance(body, Map):
            return body
        is_merge = layer_type is not None and layer_type.arity is None
        if is_merge and isinstance(body, Seq):
            return Map({"branches": body}, {"branches": body.span}, body.span)
        primary = layer_type.primary if layer_type is not None else None
        if primary is None:
            kind = key.value
            self.report(
                "E103",
                f"'{kind}' takes a mapping of fields, not {describe(body)}",
                body,
                scope,
                f"write '- {kind}: {{...}}'",
            )
            return None
        return Map({primary: body}, {primary: body.span}, body.span)

    def truth(self, node: Node, scope: _Scope) -> bool:
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        try:
            return bool(number(node, scope.env, "'when'"))
        except Problem as problem:
            self.report_problem(problem, scope)
            return False

    # -- references ------------------------------------------------------------------------------
    def resolve(self, node: Node, scope: _Scope, previous: int) -> int | None:
        """The layer ``node`` names (``previous``: the output of the item before, index
        ``previous``); ``None`` after reporting a malformed reference, or noting an unknown name
        for :meth:`references_after`."""
        if not (isinstance(node, Scalar) and isinstance(node.value, str)):
            self.report(
                "E103",
                f"a layer reference must be a name, not {describe(node)}",
                node,
                scope,
                "write the name of an earlier layer",
            )
            return None
        name = node.value
        if name == PREVIOUS:
            return previous
        if name in scope.names:
            return scope.names[name]
        if name in self.full_names:
            return self.full_names[name]
        self.unresolved.append((name, node, scope, len(scope.names)))
        return None

    def references(self, node: Node | None, scope: _Scope, previous: int) -> list[int] | None:
        if node is None:
            return []
        items = node.items if isinstance(node, Seq) else (node,)
        found = [self.resolve(item, scope, previous) for item in items]
        return None if any(i is None for i in found) else [i for i in found if i is not None]

    def start(self, fields: Map, current: int, scope: _Scope) -> int | None:
        node = fields.get("input")
        return current if node is None else self.resolve(node, scope, current)

    # -- layers and blocks -----------------------------------------------------------------------
    def check_keys(self, fields: Map, allowed: list[str], what: str, scope: _Scope) -> bool:
        ok = True
        for key, span in fields.keys.items():
            if key not in allowed:
                self.report(
                    "E101",
                    f"unknown key '{key}' for {what}",
                    Scalar(key, key, False, span),
                    scope,
                    did_you_mean(key, allowed),
                )
                ok = False
        return ok

    def layer(self, item: _Item, node: Node, current: int, scope: _Scope, name: str | None) -> int:
        key, layer_type, _, fields, _, known, uses = item
        assert layer_type is not None
        merge = layer_type.arity is None
        if not known:
            self.check_keys(
                fields, self.allowed_keys(layer_type, None), f"'{layer_type.kind}'", scope
            )
        start = self.start(fields, current, scope)
        if start is None:
            return current
        inputs = [start]
        for ref in references(layer_type):
            if (given := fields.get(ref)) is not None:
                found = self.resolve(given, scope, current)
                if found is None:
                    return current
                inputs.append(found)
                kind = schema(layer_type)[ref].type
                if isinstance(kind, ReferenceType) and kind.and_input:
                    inputs.append(INPUT if found == INPUT else self.nodes[found].inputs[0])
        if merge:
            inputs = self.merge_inputs(fields, start, current, key, scope) or []
            if len(inputs) < 2:
                if inputs:
                    self.report(
                        "E205",
                        f"'{layer_type.kind}' needs at least two inputs, got {len(inputs)}",
                        key,
                        scope,
                        "give 'branches' (lists of layers; [] is the identity) and/or 'inputs'"
                        " (names of earlier layers)",
                    )
                return current
        # what build reads: the names the fields use (a bn or relu is one layer in every block
        # instance), else every block argument bound here
        env = scope.env
        memo = (id(node), scope.args if uses is None else tuple(map(env.get, uses)))
        layer = self.built.get(memo)
        if layer is None:
            layer, problems = build(layer_type, fields, env, _NOT_FIELDS, key, self.rank)
            for problem in problems:
                self.report_problem(problem, scope)
            if layer is not None:
                self.built[memo] = layer
        if layer is None or not known:
            return current
        return self.add(
            layer, tuple(inputs), key, scope, name or scope.auto_name(layer_type.prefix)
        )

    def merge_inputs(
        self, fields: Map, start: int, previous: int, key: Scalar, scope: _Scope
    ) -> list[int] | None:
        operands: list[int] = []
        branches = fields.get("branches")
        if branches is not None:
            if not isinstance(branches, Seq):
                self.report(
                    "E103",
                    f"'branches' must be a list of layer lists, not {describe(branches)}",
                    branches,
                    scope,
                    "e.g. [[conv..., bn], []] ([] is the identity)",
                )
                return None
            for branch in branches.items:
                if not isinstance(branch, Seq):
                    self.report(
                        "E103",
                        f"a branch must be a list of layers, not {describe(branch)}",
                        branch,
                        scope,
                        "write the branch as a list; [] is the identity; name earlier layers in"
                        " 'inputs'",
                    )
                    return None
                operands.append(self.items(branch, start, scope))
        refs = self.references(fields.get("inputs"), scope, previous)
        if refs is None:
            return None
        if branches is None and not refs:
            self.report(
                "E205",
                "a merge needs 'branches' or 'inputs'",
                key,
                scope,
                "e.g. '- add: [[conv..., bn], []]'",
            )
            return None
        return operands + refs

    def add(
        self, layer: Layer, inputs: tuple[int, ...], key: Scalar, scope: _Scope, local: str
    ) -> int:
        full = scope.prefix + local
        if local == PREVIOUS:
            self.report(
                "E203",
                f"'{PREVIOUS}' names the layer before, so no layer may take it",
                key,
                scope,
                "give the layer another name",
            )
            return inputs[0]
        if local in scope.names or full in self.full_names:
            self.report(
                "E203",
                f"a layer named '{full}' already exists",
                key,
                scope,
                "give each layer a unique name",
            )
            return inputs[0]
        if len(self.nodes) >= self.max_layers:
            self.stop(
                f"the spec expands to more than {self.max_layers:,} layers",
                key,
                scope,
                "raise the limit with --max-layers if you mean it",
            )
        index = len(self.nodes)
        self.nodes.append(GraphNode(full, layer, inputs, key.span, scope.sites, scope.path))
        scope.names[local] = index
        self.full_names[full] = index
        return index

    def block(
        self, block: Block, item: _Item, current: int, scope: _Scope, name: str | None
    ) -> int:
        key, fields = item.key, item.fields
        if not item.known:
            self.check_keys(fields, self.allowed_keys(None, block), f"block '{block.name}'", scope)
            return current
        if block.name in scope.blocks:
            self.report(
                "E204",
                f"block '{block.name}' uses itself ({' -> '.join([*scope.blocks, block.name])})",
                key,
                scope,
                "a block may not contain itself, directly or through another block",
            )
            return current
        if len(scope.blocks) >= MAX_BLOCK_DEPTH:
            self.stop(
                f"blocks nested deeper than {MAX_BLOCK_DEPTH} levels",
                key,
                scope,
                "flatten the blocks",
            )
        args: dict[str, Value] = {}
        env = _Names(args, self.params)
        arg_env: Mapping[str, Value]
        for arg, default in block.args.items():
            node = fields.get(arg)
            if node is None:
                if default is None:
                    self.report(
                        "E105",
                        f"block '{block.name}' needs argument '{arg}'",
                        key,
                        scope,
                        f"add '{arg}: ...'",
                    )
                    return current
                if not isinstance(default, Node):
                    args[arg] = default
                    continue
                node, where, arg_env = default, f"default of '{arg}'", env
            else:
                where, arg_env = f"argument '{arg}'", scope.env
            try:
                args[arg] = _value(node, arg_env, where)
            except Problem as problem:
                # a default is in the block, so its use site is named beside it
                self.report_problem(problem, scope if arg_env is scope.env else inside(scope, key))
                return current
        for derived, node in block.let.items():
            try:
                args[derived] = _value(node, env, f"'let' value '{derived}'")
            except Problem as problem:
                self.report_problem(problem, inside(scope, key))
                return current
        bound = self.block_inputs(block, fields, current, key, scope)
        if bound is None:
            return current
        local = name or scope.auto_name(block.name)
        full = scope.prefix + local
        inner = _Scope(
            prefix=full + ".",
            env=env,
            names=dict(zip(block.inputs, bound, strict=True)),
            sites=(*scope.sites, key.span),
            path=(*scope.path, (full, block.name)),
            blocks=(*scope.blocks, block.name),
            args=tuple(args.items()),
        )
        output = self.items(block.layers, bound[0], inner)
        if local in scope.names:
            self.report(
                "E203",
                f"a layer named '{full}' already exists",
                key,
                scope,
                "give each layer a unique name",
            )
            return current
        scope.names[local] = output
        self.full_names.setdefault(full, output)
        return output

    def block_inputs(
        self, block: Block, fields: Map, current: int, key: Scalar, scope: _Scope
    ) -> list[int] | None:
        start = self.start(fields, current, scope)
        if start is None:
            return None
        given = fields.get("inputs")
        if given is None:
            if len(block.inputs) > 1:
                self.report(
                    "E105",
                    f"block '{block.name}' takes inputs {', '.join(block.inputs)}",
                    key,
                    scope,
                    f"add 'inputs: [{', '.join(block.inputs)}]' with earlier layer names",
                )
                return None
            return [start]
        refs = self.references(given, scope, current)
        if refs is None:
            return None
        if len(refs) != len(block.inputs):
            self.report(
                "E103",
                f"block '{block.name}' takes {len(block.inputs)} inputs"
                f" ({', '.join(block.inputs)}), got {len(refs)}",
                given,
                scope,
                "name one earlier layer per input",
            )
            return None
        return refs
