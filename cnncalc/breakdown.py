"""Where the parameters, memory and compute of a network live: sums by layer family (conv, fc,
norm, ...) and by stage (each top-level block instance, or a top-level layer on its own), and the
largest layers of each figure. Analysis, not formatting: :meth:`cnncalc.api.Report.breakdown`
computes it once, the renderers format it.

The lectures' point, made visible: in VGG-16 the convs hold 14.7 M parameters and the fc layers
123.6 M (102.8 M in fc1 alone), while the activations sit in the early convs (cs231n, "CNN
architectures": VGGNet's memory and parameter count per layer).
"""

from __future__ import annotations

from cnncalc.infer import LayerResult
from cnncalc.records import Record
from cnncalc.shapes import Shape

#: The family of each layer type, the groups of the breakdown by type. Every registered type has
#: one (tests/test_breakdown.py).
FAMILIES: dict[str, str] = {
    **dict.fromkeys(("conv", "dwconv", "conv_transpose"), "conv"),
    "fc": "fc",
    **dict.fromkeys(
        ("batchnorm", "groupnorm", "instancenorm", "layernorm", "lrn", "layer_scale"), "norm"
    ),
    **dict.fromkeys(
        (
            "maxpool",
            "avgpool",
            "adaptive_avgpool",
            "adaptive_maxpool",
            "gap",
            "global_maxpool",
            "maxunpool",
        ),
        "pool",
    ),
    **dict.fromkeys(
        (
            "relu",
            "relu6",
            "leaky_relu",
            "gelu",
            "hardsigmoid",
            "hardswish",
            "sigmoid",
            "silu",
            "tanh",
            "softmax",
            "prelu",
            "elu",
            "selu",
            "mish",
        ),
        "activation",
    ),
    **dict.fromkeys(("add", "concat", "mul"), "merge"),
    **dict.fromkeys(
        (
            "flatten",
            "dropout",
            "identity",
            "slice",
            "channel_shuffle",
            "zeropad",
            "upsample",
            "pixel_shuffle",
            "pixel_unshuffle",
            "crop",
            "reshape",
        ),
        "shape",
    ),
}


class Part(Record, kw_only=True):
    """One group of layers (a family, a stage) or one layer, with its sums."""

    name: str
    layers: int
    params: int
    activations: int
    macs: int


class Breakdown(Record, kw_only=True):
    """The sums by family and by stage, and the largest layers of each figure.

    Activations count the input too (as the totals do): it is the first stage, ``input``, and
    falls in no family."""

    by_family: tuple[Part, ...]
    by_stage: tuple[Part, ...]
    #: The largest layers by params, by activations and by MACs, largest first.
    largest: dict[str, tuple[Part, ...]]


def _part(name: str, members: list[LayerResult]) -> Part:
    return Part(
        name=name,
        layers=len(members),
        params=sum(m.cost.weights + m.cost.biases for m in members),
        activations=sum(m.activations for m in members),
        macs=sum(m.cost.macs for m in members),
    )


def breakdown(source: Shape, layers: tuple[LayerResult, ...], top: int = 3) -> Breakdown:
    """Sum ``layers`` by family (in order of parameters, the largest first) and by stage (in
    network order); the ``top`` largest layers of each figure."""
    families: dict[str, list[LayerResult]] = {}
    stages: dict[str, list[LayerResult]] = {}
    for result in layers:
        families.setdefault(FAMILIES[result.node.layer.kind], []).append(result)
        scope = result.node.scope
        stages.setdefault(scope[0][0] if scope else result.node.name, []).append(result)
    by_family = sorted(
        (_part(name, members) for name, members in families.items()),
        key=lambda part: (-part.params, -part.macs, -part.activations, part.name),
    )
    first = Part(name="input", layers=0, params=0, activations=source.numel, macs=0)
    by_stage = (first, *(_part(name, members) for name, members in stages.items()))
    each = [_part(r.node.name, [r]) for r in layers]
    largest = {
        figure: tuple(
            sorted((p for p in each if getattr(p, figure)), key=lambda p: -int(getattr(p, figure)))[
                :top
            ]
        )
        for figure in ("params", "activations", "macs")
    }
    return Breakdown(by_family=tuple(by_family), by_stage=by_stage, largest=largest)
