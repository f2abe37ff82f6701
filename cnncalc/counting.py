"""Counting presets: the "MACs" of five tools, each reproduced from its own rules per layer type.

A preset is one table keyed by layer type (every registered type has an entry, so a new type forces
a decision per tool); each rule is a function of the layer, its input and output volumes and its
own :class:`Cost`, counting one image (every tool below divides by, or runs at, batch 1). The rules
were read from each tool's source (cited per rule) and checked against runs of the real tools on
the reference models (``scripts/make_peer_reference.py`` -> ``tests/reference/peer_counts.json``):

``torchvision`` (the default)
    Multiply-accumulates of conv and fc weights, no bias: torchvision's ``_ops`` ("GFLOPS") column.
``fvcore``
    ``FlopCountAnalysis(model, x).total()``: jit-traced aten ops, one "flop" per multiply-add
    (``fvcore/nn/flop_count.py``, ``_DEFAULT_SUPPORTED_OPS``; handlers in ``jit_handles.py``).
``thop``
    ``thop.profile(model, (x,))``: forward hooks on modules whose exact type is a key of
    ``thop/profile.py::register_hooks`` (rules in ``thop/vision/basic_hooks.py`` and
    ``calc_func.py``).
``torchinfo``
    ``summary(...).total_mult_adds``, the "Total mult-adds" line: leaf modules only,
    ``torchinfo/layer_info.py::LayerInfo.calculate_macs``, summed in ``model_statistics.py``.
``ptflops``
    ``get_model_complexity_info(model, res, backend="pytorch",
    backend_specific_config={"count_functional": False})``: module hooks of exact types in
    ``ptflops/pytorch_ops.py::MODULES_MAPPING``, summed by ``pytorch_engine.accumulate_flops``.

Each hook-based tool (thop, torchinfo, ptflops) sees modules only, so its figure depends on how a
model's Python code is written: an ``F.relu`` or ``x.mean((2, 3))`` in a ``forward`` is invisible
to it, a subclass (torchvision's ``LayerNorm2d``) misses an exact-type table, and a ``Linear`` on a
channels-last tensor is one module where a spec writes a 1x1 conv. The presets count the network
the spec describes with every layer as the module PyTorch names after it;
``docs/conventions.md`` quantifies the difference for each built-in whose PyTorch code differs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from enum import Enum

from cnncalc.infer import LayerResult
from cnncalc.layers import FAMILIES, Cost, Layer
from cnncalc.records import Record, replace
from cnncalc.shapes import Shape

#: A rule: (layer, input volumes, output volume, the layer's own cost) -> the tool's count.
Rule = Callable[[Layer, tuple[Shape, ...], Shape, Cost], int]


class Counting(str, Enum):
    """The counting presets, by the tool each reproduces."""

    TORCHVISION = "torchvision"
    FVCORE = "fvcore"
    THOP = "thop"
    TORCHINFO = "torchinfo"
    PTFLOPS = "ptflops"


def _flag(layer: Layer, name: str) -> bool:
    """A boolean field of ``layer`` (``bias``, ``affine``); a layer without it has none of it."""
    value = getattr(layer, name, False)
    return value is True


def nothing(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """The tool counts nothing for this layer type (no handler, a zero handler, or a functional
    op its hooks cannot see)."""
    return 0


def weight_macs(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """Conv and fc weight multiply-accumulates, no bias: ``H_out*W_out*C_out*kh*kw*C_in/g`` per
    conv, ``in*out`` per fc (cnncalc's own ``macs``)."""
    return cost.macs


# fvcore ---------------------------------------------------------------------------------------


def fvcore_batchnorm(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``aten::batch_norm`` in eval mode: ``numel * (2 if affine else 1)``
    (``jit_handles.py::batchnorm_flop_jit``)."""
    return out.numel * (2 if _flag(layer, "affine") else 1)


def fvcore_layernorm(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``aten::layer_norm``: ``numel * (5 if affine else 4)`` ("5 is just a rough estimate",
    ``jit_handles.py::norm_flop_counter``)."""
    return out.numel * (5 if _flag(layer, "affine") else 4)


def fvcore_adaptive_pool(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``aten::adaptive_avg_pool2d``: one per input element (``elementwise_flop_counter(1, 0)``);
    traced ops, so ``F.adaptive_avg_pool2d`` counts as the module does (``x.mean`` does not).
    Images only: ``_DEFAULT_SUPPORTED_OPS`` (``fvcore/nn/flop_count.py``) has no handler for
    ``aten::adaptive_avg_pool1d`` or ``adaptive_avg_pool3d``, so a pool of rank 1 or 3 counts 0."""
    return inputs[0].numel if inputs[0].rank == 2 else 0


# thop -----------------------------------------------------------------------------------------


def thop_norm(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``count_normalization``: ``calculate_norm(numel) = 2 * numel``, doubled with ``affine``
    (BatchNorm2d) or ``elementwise_affine`` (LayerNorm): ``4 * numel`` with a learned scale and
    shift. Exact types only: a subclass such as torchvision's ``LayerNorm2d`` counts 0."""
    return 2 * out.numel * (2 if _flag(layer, "affine") else 1)


def thop_conv(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``count_convNd`` (``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d`` alike):
    ``calculate_conv2d_flops = out.numel * (C_in / groups) * prod(kernel)``, bias ignored, i.e. the
    weights once per output position. A conv's weight MACs; a transposed conv, whose MACs are per
    *input* position, counts ``prod(stride)`` times its MACs when the windows tile
    (kernel = stride)."""
    return cost.weights * out.positions


def thop_avgpool(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``count_avgpool``: one per output element (``calculate_avgpool(y.numel())``)."""
    return out.numel


def thop_adaptive_pool(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``count_adap_avgpool``: ``int((prod(in_hw / out_hw) + 1) * out.numel)``, the window taken
    as the float ratio of the sizes (thop computes in float64: Python's float is the same IEEE
    double, so the truncation is reproduced; for a global pool the ratio is exact)."""
    x = inputs[0]
    kernel = math.prod(n / m for n, m in zip(x.spatial, out.spatial, strict=True))
    return int((kernel + 1) * out.numel)


def thop_softmax(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``count_softmax`` over channels (``dim=1``): ``positions * (3C - 1)``: C exponentials,
    C - 1 additions, C divisions."""
    return out.positions * (3 * out.c - 1)


# torchinfo ------------------------------------------------------------------------------------


def torchinfo_conv(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """A class name containing "Conv" (``ConvTranspose*d`` too): ``(weights + biases) *
    prod(output_size[2:])`` ("ignore C when calculating Mult-Adds in ConvNd",
    ``LayerInfo.calculate_macs``), the output positions at every rank: the bias counts once per
    output element."""
    return (cost.weights + cost.biases) * out.positions


def torchinfo_params(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """Any other leaf module with ``weight`` or ``bias`` parameters: ``output_size[0] * params``,
    i.e. its parameters once per sample, whatever the positions (Linear, BatchNorm, LayerNorm).
    A parameter named otherwise (ConvNeXt's ``layer_scale``, timm's ``gamma``) counts 0."""
    return cost.weights + cost.biases


# ptflops --------------------------------------------------------------------------------------


def ptflops_conv(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``conv_flops_counter_hook``: weight MACs plus one per output element for the bias; on
    ``ConvTranspose*d`` (``transpose=True``) the MACs per *input* position, as cnncalc counts
    them, the bias still per output element."""
    return cost.macs + (out.numel if _flag(layer, "bias") else 0)


def ptflops_linear(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``linear_flops_counter_hook``: ``(in * out + out [bias]) * rows``; after a flatten one
    row, so weight MACs plus ``units`` with a bias."""
    return cost.macs + (out.numel if _flag(layer, "bias") else 0)


def ptflops_activation(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``relu_flops_counter_hook`` (ReLU, ReLU6, LeakyReLU, PReLU, ELU and GELU): one per output
    element. SiLU, Hardswish, Sigmoid and Tanh have no hook and count 0."""
    return out.numel


def ptflops_pool(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``pool_flops_counter_hook`` (max, average and adaptive pooling alike): one per input
    element, whatever the window."""
    return inputs[0].numel


def ptflops_batchnorm(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``bn_flops_counter_hook``: input numel, doubled when the module has ``affine`` set."""
    return inputs[0].numel * (2 if _flag(layer, "affine") else 1)


def ptflops_layernorm(layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
    """``bn_flops_counter_hook`` on ``nn.LayerNorm``: input numel, never doubled, because the
    hook tests ``module.affine`` and LayerNorm's flag is named ``elementwise_affine``."""
    return inputs[0].numel


class Preset(Record, kw_only=True):
    """One tool's counting: what it is called, the call it reproduces, and a rule per layer
    type."""

    counting: Counting
    #: The figure reproduced, as the tool is called.
    call: str
    #: What the count covers, in a sentence (the ``conventions`` entry of the outputs).
    convention: str
    rules: Mapping[str, Rule]

    def count(self, layer: Layer, inputs: tuple[Shape, ...], out: Shape, cost: Cost) -> int:
        """This tool's count for one layer, per image."""
        return self.rules[layer.kind](layer, inputs, out, cost)


def _table(**rules: Rule) -> dict[str, Rule]:
    """A full rule table: the given rules, :func:`nothing` for every other registered type."""
    unknown = set(rules) - set(FAMILIES)
    if unknown:
        raise KeyError(f"rules for unregistered layer types: {sorted(unknown)}")
    return {kind: rules.get(kind, nothing) for kind in FAMILIES}


PRESETS: dict[Counting, Preset] = {
    Counting.TORCHVISION: Preset(
        counting=Counting.TORCHVISION,
        call="torchvision weights meta '_ops' (GFLOPS)",
        convention="multiply-accumulates of conv and fc weights only (torchvision's GFLOPS column)",
        rules=_table(
            conv=weight_macs, dwconv=weight_macs, fc=weight_macs, conv_transpose=weight_macs
        ),
    ),
    Counting.FVCORE: Preset(
        counting=Counting.FVCORE,
        call="fvcore.nn.FlopCountAnalysis(model, x).total()",
        convention=(
            "fvcore's flops: conv, transposed conv and fc weight MACs, batch norm 2 per element"
            " (1 without affine), layer norm 5 per element (4), adaptive average pooling 1 per"
            " input element (images only)"
        ),
        rules=_table(
            conv=weight_macs,
            dwconv=weight_macs,
            conv_transpose=weight_macs,
            fc=weight_macs,
            batchnorm=fvcore_batchnorm,
            layernorm=fvcore_layernorm,
            gap=fvcore_adaptive_pool,
            adaptive_avgpool=fvcore_adaptive_pool,
        ),
    ),
    Counting.THOP: Preset(
        counting=Counting.THOP,
        call="thop.profile(model, inputs=(x,))[0]",
        convention=(
            "thop's MACs: conv and fc weight MACs, transposed conv weights per output position,"
            " norms 4 per element (2 without affine), average pooling 1 per output element,"
            " adaptive pooling (window + 1) per output element, softmax 3C - 1 per position"
        ),
        rules=_table(
            conv=thop_conv,
            dwconv=thop_conv,
            conv_transpose=thop_conv,
            fc=weight_macs,
            batchnorm=thop_norm,
            layernorm=thop_norm,
            avgpool=thop_avgpool,
            gap=thop_adaptive_pool,
            adaptive_avgpool=thop_adaptive_pool,
            softmax=thop_softmax,
        ),
    ),
    Counting.TORCHINFO: Preset(
        counting=Counting.TORCHINFO,
        call="torchinfo.summary(model, input_size).total_mult_adds",
        convention=(
            "torchinfo's mult-adds: conv and transposed conv (weights + biases) per output"
            " position, every other layer's weights and biases once"
        ),
        rules=_table(
            conv=torchinfo_conv,
            dwconv=torchinfo_conv,
            conv_transpose=torchinfo_conv,
            fc=torchinfo_params,
            batchnorm=torchinfo_params,
            layernorm=torchinfo_params,
        ),
    ),
    Counting.PTFLOPS: Preset(
        counting=Counting.PTFLOPS,
        call=(
            "ptflops.get_model_complexity_info(model, res, backend='pytorch',"
            " backend_specific_config={'count_functional': False})[0]"
        ),
        convention=(
            "ptflops' MACs: conv, transposed conv and fc weight MACs plus their biases,"
            " ReLU/ReLU6/LeakyReLU/GELU 1 per element, pooling 1 per input element, batch norm 2"
            " per element (1 without affine), layer norm 1 per element"
        ),
        rules=_table(
            conv=ptflops_conv,
            dwconv=ptflops_conv,
            conv_transpose=ptflops_conv,
            fc=ptflops_linear,
            relu=ptflops_activation,
            relu6=ptflops_activation,
            leaky_relu=ptflops_activation,
            gelu=ptflops_activation,
            maxpool=ptflops_pool,
            avgpool=ptflops_pool,
            gap=ptflops_pool,
            global_maxpool=ptflops_pool,
            adaptive_avgpool=ptflops_pool,
            adaptive_maxpool=ptflops_pool,
            batchnorm=ptflops_batchnorm,
            layernorm=ptflops_layernorm,
        ),
    ),
}


def preset(name: str | Counting) -> Preset:
    """The preset named ``name`` (a :class:`Counting` or its value); ``ValueError`` otherwise."""
    return PRESETS[Counting(name)]


def layer_counts(name: str | Counting, layers: Sequence[LayerResult]) -> tuple[int, ...]:
    """Each layer's count under the preset ``name``, in the order of ``layers``.

    The rules read each layer's own cost, computed afresh (``layer.cost``), so the counts do not
    depend on which preset ``layers`` were already counted under; identical layers on identical
    volumes are counted once, as in :func:`cnncalc.infer.infer`.
    """
    table = preset(name)
    done: dict[tuple[Layer, tuple[Shape, ...]], int] = {}
    counts: list[int] = []
    for result in layers:
        key = (result.node.layer, result.inputs)
        if key not in done:
            cost = result.node.layer.cost(result.inputs, result.output)
            done[key] = table.count(result.node.layer, result.inputs, result.output, cost)
        counts.append(done[key])
    return tuple(counts)


def recount(name: str | Counting, layers: Sequence[LayerResult]) -> tuple[LayerResult, ...]:
    """``layers`` with each cost's ``macs`` replaced by the preset's count (the other figures
    unchanged), so every table, total and diff built on them follows the preset."""
    return tuple(
        replace(result, cost=replace(result.cost, macs=count))
        for result, count in zip(layers, layer_counts(name, layers), strict=True)
    )


class ToolCount(Record, kw_only=True):
    """One preset's figure for a report beside the default (``--count all``)."""

    preset: Preset
    total: int
    #: ``total`` minus the torchvision count.
    difference: int
    #: Each layer's count, by layer name, in execution order.
    layers: tuple[tuple[str, int], ...]


def every_count(layers: Sequence[LayerResult]) -> tuple[ToolCount, ...]:
    """Every preset's total and per-layer counts for ``layers``, the default first."""
    default = sum(layer_counts(Counting.TORCHVISION, layers))
    found = []
    for counting, table in PRESETS.items():
        counts = layer_counts(counting, layers)
        found.append(
            ToolCount(
                preset=table,
                total=sum(counts),
                difference=sum(counts) - default,
                layers=tuple(
                    (result.node.name, count) for result, count in zip(layers, counts, strict=True)
                ),
            )
        )
    return tuple(found)


#: What torchinfo's "Input size" adds to the input's bytes: it measures the input with
#: ``sys.getsizeof(tensor.untyped_storage())`` (``torchinfo.py::get_total_memory_used``), the
#: storage's bytes plus the Python storage object's own 64 bytes (CPython 3.11, torch 2.14, as
#: recorded in ``tests/reference/peer_counts.json``).
STORAGE_OVERHEAD = 64


class TorchinfoMemory(Record, kw_only=True):
    """torchinfo's four memory lines, in bytes (``torchinfo/model_statistics.py``,
    ``ModelStatistics.__init__`` and ``__repr__``, torchinfo 1.8), in float32.

    ``input``: the input tensor, ``numel * 4`` plus :data:`STORAGE_OVERHEAD`.
    ``forward_backward``: for each leaf module with parameters, its output ``numel * 4``, times 2
    ("x2 for gradients"); a module without
    parameters (ReLU, pooling) counts nothing. ``params``: the leaf modules' ``param_bytes``,
    ``4`` per parameter; a parameter held by a non-leaf module (torchvision ConvNeXt's
    ``layer_scale``) is in neither. A leaf module with parameters is a layer with weights or biases
    that torchinfo's mult-add rules count (:data:`PRESETS`: conv, fc and the affine norms). Each
    line prints as ``f"{bytes / 1e6:0.2f}"`` (:meth:`lines`). torchinfo counts float32 whatever
    cnncalc's ``--dtype``, as a model built with default settings is."""

    input: int
    forward_backward: int
    params: int

    @property
    def total(self) -> int:
        """ "Estimated Total Size": the sum of the other three."""
        return self.input + self.forward_backward + self.params

    def lines(self) -> tuple[tuple[str, str], ...]:
        """The four lines as torchinfo prints them: (label, megabytes to two decimals)."""
        return tuple(
            (label, f"{value / 1e6:0.2f}")
            for label, value in (
                ("Input size (MB)", self.input),
                ("Forward/backward pass size (MB)", self.forward_backward),
                ("Params size (MB)", self.params),
                ("Estimated Total Size (MB)", self.total),
            )
        )


def torchinfo_memory(
    source: Shape, layers: Sequence[LayerResult], batch: int = 1
) -> TorchinfoMemory:
    """torchinfo's memory lines for ``layers`` run on ``source`` at ``batch`` (its ``input_size``
    ``(batch, C, H, W)``: the input and every output scale with the batch, the parameters do not;
    see :class:`TorchinfoMemory`)."""
    rules = PRESETS[Counting.TORCHINFO].rules
    outputs = held = 0
    for result in layers:
        own = result.cost.weights + result.cost.biases
        if own and rules[result.node.layer.kind] is not nothing:
            outputs += result.output.numel
            held += own
    return TorchinfoMemory(
        input=4 * batch * source.numel + STORAGE_OVERHEAD,
        forward_backward=2 * 4 * batch * outputs,
        params=4 * held,
    )
