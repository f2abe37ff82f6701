"""Shape inference over the layer graph: each layer's rule applied in definition order.

A geometry error stops the layers that depend on it (everything downstream would be wrong), but
independent branches go on, so one run reports every independent problem.
"""

from __future__ import annotations

from typing import cast

from cnncalc.errors import Diagnostic, Problem, Severity, Span
from cnncalc.expand import INPUT, Graph, GraphNode
from cnncalc.layers import Context, Cost, Layer
from cnncalc.layers.base import check_rank
from cnncalc.records import Record
from cnncalc.shapes import Rounding, Shape


class LayerResult(Record):
    """One layer with its input and output volumes and what it costs."""

    node: GraphNode
    inputs: tuple[Shape, ...]
    output: Shape
    cost: Cost

    @property
    def activations(self) -> int:
        """Elements of new activation memory this layer's output takes (0 when computed in
        place)."""
        return self.output.numel if self.node.layer.stores_output else 0


#: A layer's output volume on given inputs, the notes its rule left, and its cost.
_Found = tuple[Shape, tuple[tuple[str, str], ...], Cost]


def place(node: GraphNode) -> tuple[Span, tuple[tuple[str, Span], ...]]:
    """Where to report a problem of ``node``: its outermost block use site (which instance went
    wrong), with the inner sites and the layer's own line as related places."""
    if not node.sites:
        return node.span, ()
    inner = tuple(("inside the block used here", site) for site in node.sites[1:])
    return node.sites[0], (*inner, (f"layer '{node.name}' defined here", node.span))


def infer(
    graph: Graph, source: Shape, rounding: Rounding
) -> tuple[tuple[LayerResult, ...], tuple[Diagnostic, ...]]:
    """Output volume and cost of every layer that can be inferred, and the problems found."""
    shapes: list[Shape | None] = []
    results: list[LayerResult] = []
    diagnostics: list[Diagnostic] = []
    ctx = Context(rounding=rounding)
    # A layer's rule and cost depend on its fields and input volumes only, and networks repeat
    # identical layers on identical volumes (ResNet-152's 35 alike blocks in one stage): each
    # distinct (layer, inputs) is computed once, with the notes it left. Equal layers and equal
    # volumes are made one object each (hashing a layer hashes every field, so each layer object
    # is hashed once), and the memo is keyed by those objects' ids: the dicts below keep them alive
    # through this call, so no id is reused within it.
    layers: dict[Layer, Layer] = {}
    volumes: dict[Shape, Shape] = {source: source}
    layer_of: dict[int, Layer] = {}
    done: dict[tuple[int, ...], _Found] = {}
    for node in graph.nodes:
        inputs = [source if i == INPUT else shapes[i] for i in node.inputs]
        if None in inputs:
            shapes.append(None)  # an input failed: already reported
            continue
        known = cast("tuple[Shape, ...]", tuple(inputs))  # every one inferred, as just checked
        layer = layer_of.get(id(node.layer))
        if layer is None:
            layer = layer_of[id(node.layer)] = layers.setdefault(node.layer, node.layer)
        ids = (id(layer), *map(id, known))
        found = done.get(ids)
        if found is None:
            ctx.notes.clear()
            try:
                check_rank(node.layer, known[0])
                out = node.layer.infer(known, ctx)
            except Problem as exc:
                span, related = place(node)
                shown = ", ".join(str(x) for x in known)
                diagnostics.append(
                    exc.diagnostic(span, context=f"{node.name} on {shown}: ", related=related)
                )
                shapes.append(None)
                continue
            out = volumes.setdefault(out, out)
            found = done[ids] = (out, tuple(ctx.notes), node.layer.cost(known, out))
        out, notes, cost = found
        if notes:
            span, related = place(node)
            diagnostics.extend(
                Diagnostic(
                    code=code,
                    severity=Severity.NOTE,
                    message=f"{node.name}: {message}",
                    span=span,
                    related=related,
                )
                for code, message in notes
            )
        shapes.append(out)
        results.append(LayerResult(node, known, out, cost))
    return tuple(results), tuple(diagnostics)
