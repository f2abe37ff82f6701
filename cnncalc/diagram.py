"""The layer graph as a picture would show it: a box per layer, or per block instance collapsed
below a depth, the enclosing blocks as nested groups, and the edges between boxes, a skip marked
as such. Analysis, not formatting: :mod:`cnncalc.render.graph` writes it as Mermaid or DOT.

Collapsed, the instances a ``repeat`` made in a row (``denseblock1.1`` to ``denseblock1.6``, all
of one block) are one box, ``denseblock1``, with their count: DenseNet-201 at ``--depth 0`` is
then 14 boxes, not 110.

A *skip* is an edge into a merge (add, concat, mul) from any box but the one just before it: the
shortcut of a residual block, the earlier maps a dense block concatenates.
"""

from __future__ import annotations

from cnncalc.breakdown import FAMILIES
from cnncalc.expand import INPUT, Graph
from cnncalc.infer import LayerResult
from cnncalc.records import Record
from cnncalc.shapes import Shape


class Box(Record, kw_only=True):
    """One box: the input, a layer, or a collapsed block instance."""

    name: str
    #: The layer type, the block's name for a collapsed block, or ``input``.
    kind: str
    hyper: str
    #: ``None`` when the layer could not be inferred (a spec with errors).
    output: Shape | None
    #: Layers the box stands for: 1 for a layer, 0 for the input.
    layers: int
    #: A collapsed block instance (``kind`` is then the block's name).
    block: bool
    #: Instances of the block in the box: more than 1 for a collapsed repeat.
    repeats: int = 1
    merge: bool
    #: The block instances around the box, (name, block) outermost first: the nested groups.
    scope: tuple[tuple[str, str], ...]


class Edge(Record, kw_only=True):
    source: int
    target: int
    skip: bool


class Diagram(Record, kw_only=True):
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]


def diagram(
    graph: Graph, source: Shape, layers: tuple[LayerResult, ...], depth: int | None = None
) -> Diagram:
    """The boxes and edges of ``graph``, block instances nested deeper than ``depth`` collapsed
    into one box each (``None``: every layer), in definition order; the input is box 0."""
    outputs = {r.node.name: r.output for r in layers}
    boxes = [
        Box(
            name="input",
            kind="input",
            hyper="",
            output=source,
            layers=0,
            block=False,
            merge=False,
            scope=(),
        )
    ]
    box_of: list[int] = []  # graph node -> box
    open_key: str | None = None
    for node in graph.nodes:
        scope = node.scope
        if depth is not None and len(scope) > depth:
            key, block = scope[depth]
            last, run = boxes[-1], _repeat_of(key)
            same_run = (
                last.block
                and last.kind == block
                and run is not None
                and run in (last.name, _repeat_of(last.name))
            )
            if key == open_key or same_run:
                # One more layer of the box open last (a new instance of its repeat, maybe).
                repeats = last.repeats + (key != open_key)
                members = last.layers + 1
                size = f"{members} layers" if repeats == 1 else f"x{repeats}, {members} layers"
                boxes[-1] = Box(
                    name=last.name if repeats == 1 else run or last.name,
                    kind=last.kind,
                    hyper=size,
                    output=outputs.get(node.name),
                    layers=members,
                    block=True,
                    repeats=repeats,
                    merge=False,
                    scope=last.scope,
                )
            else:
                boxes.append(
                    Box(
                        name=key,
                        kind=block,
                        hyper="1 layer",
                        output=outputs.get(node.name),
                        layers=1,
                        block=True,
                        merge=False,
                        scope=scope[:depth],
                    )
                )
            open_key = key
        else:
            boxes.append(
                Box(
                    name=node.name,
                    kind=node.layer.kind,
                    hyper=node.layer.describe(),
                    output=outputs.get(node.name),
                    layers=1,
                    block=False,
                    merge=FAMILIES[node.layer.kind] == "merge",
                    scope=scope,
                )
            )
            open_key = None
        box_of.append(len(boxes) - 1)
    edges: dict[tuple[int, int], Edge] = {}
    for index, node in enumerate(graph.nodes):
        target = box_of[index]
        for i in node.inputs:
            origin = 0 if i == INPUT else box_of[i]
            if origin != target and (origin, target) not in edges:
                skip = boxes[target].merge and origin != target - 1
                edges[origin, target] = Edge(source=origin, target=target, skip=skip)
    return Diagram(boxes=tuple(boxes), edges=tuple(edges.values()))


def _repeat_of(name: str) -> str | None:
    """``denseblock1`` for ``denseblock1.3``: the repeat an instance name comes from, if any."""
    head, _, tail = name.rpartition(".")
    return head if head and tail.isdigit() else None
