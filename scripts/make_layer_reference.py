"""Record PyTorch's output shapes and parameter and buffer counts for cnncalc's layer types, on
images and on 1-D and 3-D volumes.

A developer tool, NOT part of cnncalc (which is framework-free): for a grid of cases per layer type
it builds the PyTorch module, runs one batch-1 forward pass in eval mode on random data, and writes
``tests/reference/layer_reference.json``, which ``tests/layers/test_layer_reference.py`` compares
with cnncalc without torch.

Each record is ``{"prelude": [...], "item": ..., "input": [*spatial, C], "torch": ...}`` and
either ``"output": [*spatial, C], "weights": n, "biases": n, "buffers": n`` or ``"refused":
message`` (the exception's first line, or an empty output: PyTorch returns a tensor with a side of
0 for some transposed convolutions and slices, which cnncalc counts as refused). Volumes are
written as cnncalc writes them, channels last: ``[L, C]`` for PyTorch's ``(N, C, L)`` (``Conv1d``
and the other ``*1d`` modules), ``[H, W, C]`` for ``(N, C, H, W)``, ``[D, H, W, C]`` for ``(N, C,
D, H, W)`` (``*3d``). ``prelude`` and ``item`` are cnncalc layer items in flow-style YAML (the
layers before the one compared, which references name, then the layer itself), ``torch`` the
PyTorch call it was checked against. Parameters named ``bias`` are biases, the others weights;
buffers exclude ``num_batches_tracked``, as cnncalc does.

Cases on images: ``conv_transpose`` (sizes, kernels, strides, paddings, output paddings,
dilations, groups, bias); ``upsample`` (three modes, integer and fractional scales such as 1.5 and
2.7, both values of ``recompute_scale_factor``, ``align_corners``, absolute sizes, sizes of another
tensor); ``pixel_shuffle`` and ``pixel_unshuffle``; ``maxunpool`` (default size and the pool's
input size); ``groupnorm``, ``instancenorm`` (affine, running statistics), ``prelu`` (1 or C
parameters) and the parameterless activations; ``maxpool`` and ``avgpool`` with ``ceil_mode`` near
the padded input's size (cnncalc's ``rounding: ceil``); ``reshape``.

On 1-D and 3-D volumes, the same grids at that rank (``upsample`` with ``linear`` and
``trilinear``), and ``conv`` and ``dwconv`` (grouped, dilated, strided, a kernel, stride, padding
and dilation per axis, padding before and after each axis as ``ConstantPad`` then the conv,
``same`` at stride 1 as PyTorch's ``padding='same'``), per-axis pools, ``adaptive_avgpool`` and
``adaptive_maxpool``, ``gap`` and ``global_maxpool`` (``AdaptiveAvgPool(1)``,
``AdaptiveMaxPool(1)``), ``batchnorm``, ``layernorm`` (PyTorch ``LayerNorm(C)`` over the channels
of each position), ``crop`` (tensor slicing), ``zeropad`` (``ConstantPad``), ``flatten`` and
``fc``, ``concat`` and ``add``, ``dropout``, ``lrn``, ``channel_shuffle``, ``softmax``, ``slice``
and ``identity``; at every rank, the interpolating modes of the other ranks, which PyTorch refuses.

Under ``"fields"``, for upsampling, transposed convolution and pixel shuffle on a ``3 x W`` map,
``"reads"`` gives, per output column, the first and last input column whose gradient is nonzero
(what that output depends on): the receptive field cnncalc gives must cover each. On 1-D and 3-D
volumes (upsampling and transposed convolution), ``"axis"`` names the spatial axis read along (0 =
the outermost; the records without it read along the last), the other axes being 3 long.

Run from the repository root::

    /work/torchref/venv/bin/python scripts/make_layer_reference.py
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

OUT = Path(__file__).resolve().parent.parent / "tests" / "reference" / "layer_reference.json"

Record = dict[str, Any]
Forward = Callable[[torch.Tensor], tuple[torch.Tensor, nn.Module | None]]

#: The ranks measured besides images: PyTorch's ``*1d`` and ``*3d`` modules.
VOLUME_RANKS = (1, 3)
#: The interpolating modes PyTorch defines for each rank (``nearest`` is defined for all).
INTERPOLATING = {1: ("linear",), 2: ("bilinear", "bicubic"), 3: ("trilinear",)}


def _counts(module: nn.Module) -> dict[str, int]:
    weights = sum(p.numel() for n, p in module.named_parameters() if not n.endswith("bias"))
    biases = sum(p.numel() for n, p in module.named_parameters() if n.endswith("bias"))
    buffers = sum(
        b.numel() for n, b in module.named_buffers() if not n.endswith("num_batches_tracked")
    )
    return {"weights": weights, "biases": biases, "buffers": buffers}


def _volume(t: torch.Tensor) -> list[int]:
    """``(N, C, *spatial)`` as cnncalc writes it: ``[*spatial, C]``."""
    return [*t.shape[2:], t.shape[1]]


def _run(
    item: str,
    size: tuple[int, ...],
    call: str,
    forward: Forward,
    prelude: tuple[str, ...] = (),
) -> Record:
    *spatial, c = size
    record: Record = {"prelude": list(prelude), "item": item, "input": list(size), "torch": call}
    x = torch.randn(1, c, *spatial)
    try:
        with torch.no_grad():
            y, module = forward(x)
    except (RuntimeError, ValueError, NotImplementedError) as exc:
        record["refused"] = str(exc).splitlines()[0]
        return record
    if y.numel() == 0:  # an empty tensor (a 0 side) is no output: cnncalc refuses it
        record["refused"] = f"empty output {tuple(y.shape)}"
        return record
    record["output"] = _volume(y)
    record.update(_counts(module) if module is not None else _counts(nn.Identity()))
    return record


def _module(make: Callable[..., nn.Module], *args: Any, **kwargs: Any) -> Forward:
    """``make(*args, **kwargs)``, built inside the forward pass, so that a constructor's refusal
    is recorded too."""

    def forward(x: torch.Tensor) -> tuple[torch.Tensor, nn.Module]:
        module = make(*args, **kwargs).eval()
        return module(x), module

    return forward


def _nd(name: str, rank: int) -> str:
    """PyTorch's name of a module at ``rank``: ``Conv3d``."""
    return f"{name}{rank}d"


def _make(name: str, rank: int) -> Callable[..., nn.Module]:
    """PyTorch's module class at ``rank``: ``nn.Conv3d`` for ``("Conv", 3)``."""
    made: Callable[..., nn.Module] = getattr(nn, _nd(name, rank))
    return made


def _text(value: object) -> str:
    """A value as flow-style YAML: a tuple as a list, a bool as true or false."""
    if isinstance(value, tuple):
        return "[" + ", ".join(map(_text, value)) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _sides(value: int | tuple[int, ...], rank: int) -> tuple[int, ...]:
    """A padding or crop as written in a spec (one number, one per axis, or before and after each
    axis) as the pixels before and after each axis, outermost first: the call PyTorch is given."""
    if isinstance(value, int):
        return (value,) * (2 * rank)
    if len(value) == rank:
        return tuple(side for size in value for side in (size, size))
    return value


def _torch_pad(sides: tuple[int, ...]) -> tuple[int, ...]:
    """Sides before and after each axis, outermost first, in ``F.pad``'s order: the last axis
    first."""
    pairs = [sides[i : i + 2] for i in range(0, len(sides), 2)]
    return tuple(side for pair in reversed(pairs) for side in pair)


#: Sizes of the transposed-convolution grid per rank; all of it on the second, a third elsewhere.
TRANSPOSED_SIZES = {
    1: ((1,), (6,), (9,)),
    2: ((1, 1), (5, 8), (7, 7)),
    3: ((1, 1, 1), (3, 4, 5), (2, 5, 3)),
}
#: Kernels and strides of one size per axis.
TRANSPOSED_AXES = {
    1: (((3,), (2,)),),
    2: (((2, 3), (2, 1)), ((4, 1), (3, 2))),
    3: (((2, 3, 1), (2, 1, 3)), ((1, 4, 2), (3, 2, 1))),
}


def conv_transpose(rank: int) -> Iterator[Record]:
    sizes = TRANSPOSED_SIZES[rank]
    grid = itertools.product(sizes, (1, 2, 3, 4), (1, 2, 3), (0, 1, 2), (0, 1, 2), (1, 2), (1, 2))
    cls = _nd("ConvTranspose", rank)
    for spatial, k, s, p, op, d, g in grid:
        if (k + s + p + op + d + g) % 3 and spatial != sizes[1]:
            continue  # a third of the grid on the other sizes, all of it on the second
        bias = (k + s) % 2 == 0
        item = (
            f"conv_transpose: {{filters: 6, kernel: {k}, stride: {s}, pad: {p},"
            f" output_padding: {op}, dilation: {d}, groups: {g}, bias: {_text(bias)}}}"
        )
        call = f"{cls}(4, 6, {k}, {s}, {p}, {op}, groups={g}, bias={bias}, dilation={d})"
        forward = _module(
            _make("ConvTranspose", rank), 4, 6, k, s, p, op, groups=g, bias=bias, dilation=d
        )
        yield _run(item, (*spatial, 4), call, forward)
    # Rectangular kernels and strides.
    for k, s in TRANSPOSED_AXES[rank]:
        item = f"conv_transpose: {{filters: 3, kernel: {_text(k)}, stride: {_text(s)}}}"
        yield _run(
            item,
            (*(5, 6, 4)[:rank], 2),
            f"{cls}(2, 3, {k}, {s})",
            _module(_make("ConvTranspose", rank), 2, 3, k, s),
        )


def transposed_axes(rank: int) -> Iterator[Record]:
    """Padding, output padding and dilation of one size per axis (the last output padding is not
    below the stride and the dilation of its axis: refused)."""
    cases = {
        1: (((3,), (2,), (1,), (1,), (2,)), ((2,), (1,), (0,), (1,), (1,))),
        3: (
            ((2, 3, 1), (2, 1, 3), (0, 1, 0), (1, 0, 2), (1, 2, 1)),
            ((3, 3, 3), (1, 2, 2), (1, 0, 1), (0, 1, 1), (2, 1, 1)),
            ((3, 3, 3), (1, 2, 1), (1, 1, 1), (0, 1, 1), (1, 1, 1)),
        ),
    }
    for k, s, p, op, d in cases[rank]:
        item = (
            f"conv_transpose: {{filters: 3, kernel: {_text(k)}, stride: {_text(s)},"
            f" pad: {_text(p)}, output_padding: {_text(op)}, dilation: {_text(d)}}}"
        )
        yield _run(
            item,
            (*(5, 6, 4)[:rank], 2),
            f"{_nd('ConvTranspose', rank)}(2, 3, {k}, {s}, {p}, {op}, dilation={d})",
            _module(_make("ConvTranspose", rank), 2, 3, k, s, p, op, dilation=d),
        )


#: Input sizes of the upsampling grids per rank.
UPSAMPLE_SIZES = {
    1: ((1,), (5,), (8,), (13,)),
    2: ((1, 3), (5, 7), (8, 8), (13, 10)),
    3: ((1, 1, 2), (2, 3, 4), (5, 4, 3)),
}
#: Absolute output sizes, and sizes of another tensor (``like``), per rank.
UPSAMPLE_TARGETS = {
    1: ((10,), (3,), (1,)),
    2: ((10, 12), (3, 4), (1, 1)),
    3: ((6, 8, 10), (1, 2, 3)),
}
UPSAMPLE_SKIPS = {1: ((16,), (2,)), 2: ((16, 14), (2, 2)), 3: ((6, 5, 8), (2, 3, 4))}


def upsample(rank: int) -> Iterator[Record]:
    sizes = UPSAMPLE_SIZES[rank]
    scales = (1, 2, 3, 0.5, 1.5, 2.7, 1.1, 0.3, 2.5)
    modes = ("nearest", *INTERPOLATING[rank])
    for spatial, scale, mode, recompute in itertools.product(sizes, scales, modes, (False, True)):
        item = f"upsample: {{scale: {scale}, mode: {mode}}}"
        call = f"Upsample(scale_factor={scale}, mode={mode!r}, recompute_scale_factor={recompute})"
        yield _run(
            item,
            (*spatial, 2),
            call,
            _module(nn.Upsample, scale_factor=scale, mode=mode, recompute_scale_factor=recompute),
        )
    for spatial, scale, mode in itertools.product(sizes, (2, 1.5, 2.7), INTERPOLATING[rank]):
        item = f"upsample: {{scale: {scale}, mode: {mode}, align_corners: true}}"
        call = f"Upsample(scale_factor={scale}, mode={mode!r}, align_corners=True)"
        yield _run(
            item,
            (*spatial, 2),
            call,
            _module(nn.Upsample, scale_factor=scale, mode=mode, align_corners=True),
        )
    interpolating = INTERPOLATING[rank][0]
    for spatial, target, mode in itertools.product(
        sizes, UPSAMPLE_TARGETS[rank], ("nearest", interpolating)
    ):
        item = f"upsample: {{size: {_text(target)}, mode: {mode}}}"
        call = f"Upsample(size={target}, mode={mode!r})"
        yield _run(item, (*spatial, 2), call, _module(nn.Upsample, size=target, mode=mode))
    # To the size of another tensor (FPN's top-down path): F.interpolate(x, size=skip.shape[2:]).
    for spatial, skip in itertools.product(sizes, UPSAMPLE_SKIPS[rank]):
        pad = tuple(side for n, m in zip(spatial, skip, strict=True) for side in (m - n, 0))
        prelude = (
            f"zeropad: {{pad: {_text(pad)}, name: skip}}",
            "conv: {filters: 2, kernel: 1, input: input}",
        )
        if min(pad) < 0:
            continue
        item = f"upsample: {{like: skip, mode: {interpolating}}}"
        call = f"F.interpolate(x, size={skip}, mode={interpolating!r})"

        def forward(
            x: torch.Tensor, skip: tuple[int, ...] = skip, mode: str = interpolating
        ) -> tuple[torch.Tensor, None]:
            return nn.functional.interpolate(x, size=skip, mode=mode), None

        yield _run(item, (*spatial, 2), call, forward, prelude)


def upsample_modes(rank: int) -> Iterator[Record]:
    """The interpolating modes of the other ranks, and ``align_corners`` with ``nearest``: PyTorch
    refuses each."""
    size = (*(4, 5, 3)[:rank], 2)
    for mode in (m for other, modes in INTERPOLATING.items() if other != rank for m in modes):
        yield _run(
            f"upsample: {{scale: 2, mode: {mode}}}",
            size,
            f"Upsample(scale_factor=2, mode={mode!r})",
            _module(nn.Upsample, scale_factor=2, mode=mode),
        )
    yield _run(
        "upsample: {scale: 2, align_corners: true}",
        size,
        "Upsample(scale_factor=2, mode='nearest', align_corners=True)",
        _module(nn.Upsample, scale_factor=2, mode="nearest", align_corners=True),
    )


def shuffles() -> Iterator[Record]:
    for (h, w), c, r in itertools.product(((3, 4), (1, 1)), (4, 8, 9, 18), (1, 2, 3)):
        yield _run(
            f"pixel_shuffle: {r}",
            (h, w, c),
            f"PixelShuffle({r})",
            _module(nn.PixelShuffle, r),
        )
    for (h, w), r in itertools.product(((6, 6), (6, 4), (5, 6), (12, 9)), (1, 2, 3)):
        yield _run(
            f"pixel_unshuffle: {r}",
            (h, w, 3),
            f"PixelUnshuffle({r})",
            _module(nn.PixelUnshuffle, r),
        )


def maxunpool(rank: int) -> Iterator[Record]:
    """SegNet's unpooling: ``max_unpool2d(y, idx, ..., output_size=x.shape)``, the pool's input
    size, which cnncalc gives from ``indices`` alone."""
    pool_nd = getattr(nn.functional, f"max_pool{rank}d")
    unpool_nd = getattr(nn.functional, f"max_unpool{rank}d")
    for n, k, s, p in itertools.product((7, 8, 9, 10), (2, 3), (2, 3), (0, 1)):
        if 2 * p > k:
            continue
        pool = f"maxpool: {{kernel: {k}, stride: {s}, pad: {p}, name: pool, rounding: floor}}"

        def forward(
            x: torch.Tensor, k: int = k, s: int = s, p: int = p
        ) -> tuple[torch.Tensor, None]:
            y, idx = pool_nd(x, k, s, p, return_indices=True)
            return unpool_nd(y, idx, k, s, p, output_size=x.shape[2:]), None

        yield _run(
            f"maxunpool: {{indices: pool, kernel: {k}, stride: {s}, pad: {p}}}",
            (*(n + i for i in range(rank)), 3),
            f"{_nd('MaxUnpool', rank)}({k}, {s}, {p})(y, idx, output_size=x.shape)",
            forward,
            (pool,),
        )


#: The volume the per-channel layers are measured on, per rank.
CHANNEL_SIZES = {1: (6, 8), 2: (5, 6, 8), 3: (3, 4, 5, 8)}


def norms_and_activations(rank: int) -> Iterator[Record]:
    size = CHANNEL_SIZES[rank]
    for groups, affine in itertools.product((1, 2, 3, 4, 8), (True, False)):
        yield _run(
            f"groupnorm: {{groups: {groups}, affine: {_text(affine)}}}",
            size,
            f"GroupNorm({groups}, 8, affine={affine})",
            _module(nn.GroupNorm, groups, 8, affine=affine),
        )
    for affine, running in itertools.product((True, False), (True, False)):
        yield _run(
            f"instancenorm: {{affine: {_text(affine)}, running_stats: {_text(running)}}}",
            size,
            f"{_nd('InstanceNorm', rank)}(8, affine={affine}, track_running_stats={running})",
            _module(_make("InstanceNorm", rank), 8, affine=affine, track_running_stats=running),
        )
    yield _run("prelu", size, "PReLU()", _module(nn.PReLU))
    yield _run("prelu: {per_channel: true}", size, "PReLU(8)", _module(nn.PReLU, 8))
    for kind, cls in (
        ("elu", nn.ELU),
        ("selu", nn.SELU),
        ("gelu", nn.GELU),
        ("silu", nn.SiLU),
        ("mish", nn.Mish),
        ("hardswish", nn.Hardswish),
        ("hardsigmoid", nn.Hardsigmoid),
    ):
        yield _run(kind, size, cls.__name__ + "()", _module(cls))


def single_position_norms(rank: int) -> Iterator[Record]:
    """Instance normalisation of one position: PyTorch refuses input statistics over a single
    element (``_verify_spatial_size``), whatever the batch, and accepts running statistics."""
    for running in (True, False):
        yield _run(
            f"instancenorm: {{running_stats: {_text(running)}}}",
            (*(1,) * rank, 8),
            f"{_nd('InstanceNorm', rank)}(8, track_running_stats={running})",
            _module(_make("InstanceNorm", rank), 8, track_running_stats=running),
        )


def ceil_pools(rank: int) -> Iterator[Record]:
    for n, k, s, p in itertools.product(range(1, 7), range(1, 6), range(1, 4), range(3)):
        if 2 * p > k:
            continue  # PyTorch: "pad should be at most half of effective kernel size"
        for kind, name in (("maxpool", "MaxPool"), ("avgpool", "AvgPool")):
            item = f"{kind}: {{kernel: {k}, stride: {s}, pad: {p}, rounding: ceil}}"
            yield _run(
                item,
                (*(n,) * rank, 1),
                f"{_nd(name, rank)}({k}, {s}, {p}, ceil_mode=True)",
                _module(_make(name, rank), k, s, p, ceil_mode=True),
            )


#: Reshapes per rank: input, target (the second's element count differs: refused).
RESHAPES = {
    1: (((1, 8192), (16, 512)), ((1, 8000), (16, 512)), ((6, 4), (1, 24))),
    2: (((1, 1, 8192), (4, 4, 512)), ((1, 1, 8000), (4, 4, 512)), ((2, 3, 4), (1, 1, 24))),
    3: (
        ((1, 1, 1, 8192), (2, 4, 4, 256)),
        ((1, 1, 1, 8000), (2, 4, 4, 256)),
        ((2, 3, 4, 5), (1, 1, 1, 120)),
    ),
}


def reshapes(rank: int) -> Iterator[Record]:
    for size, shape in RESHAPES[rank]:
        *spatial, c = shape

        def forward(
            x: torch.Tensor, spatial: tuple[int, ...] = tuple(spatial), c: int = c
        ) -> tuple[torch.Tensor, None]:
            return x.reshape(1, c, *spatial), None

        yield _run(
            f"reshape: {_text(shape)}",
            size,
            f"x.reshape(1, {', '.join(map(str, (c, *spatial)))})",
            forward,
        )


#: A volume for each rank's window-layer cases: a single position, small and larger maps.
WINDOW_SIZES = {1: ((1,), (6,), (9,), (16,)), 3: ((1, 1, 1), (3, 4, 5), (5, 6, 7))}
#: Kernel, stride, padding and dilation of one size per axis (the last kernel is larger than its
#: padded axis: refused).
CONV_AXES = {
    1: (((3,), (2,), (1,), (1,)), ((4,), (3,), (2,), (2,)), ((11,), (1,), (2,), (1,))),
    3: (
        ((1, 3, 3), (1, 1, 1), (0, 1, 1), (1, 1, 1)),
        ((3, 1, 1), (1, 1, 1), (1, 0, 0), (1, 1, 1)),
        ((3, 1, 2), (2, 1, 3), (1, 0, 1), (1, 2, 1)),
        ((2, 3, 3), (1, 2, 2), (0, 1, 2), (2, 1, 1)),
        ((3, 7, 3), (1, 1, 1), (0, 1, 0), (1, 1, 1)),
    ),
}
#: Padding before and after each axis, outermost first (PyTorch's convs pad alike on both sides:
#: these go through ``ConstantPad`` first).
CONV_SIDES = {1: ((1, 2), (0, 3), (2, 0)), 3: ((0, 1, 1, 2, 0, 3), (1, 0, 0, 0, 2, 2))}


def conv(rank: int) -> Iterator[Record]:
    sizes = WINDOW_SIZES[rank]
    cls, make = _nd("Conv", rank), _make("Conv", rank)
    grid = itertools.product(sizes, (1, 2, 3, 5), (1, 2, 3), (0, 1, 2), (1, 2), (1, 2))
    for spatial, k, s, p, d, g in grid:
        if (k + s + p + d + g) % 3 and spatial != sizes[1]:
            continue  # a third of the grid on the other sizes, all of it on the second
        bias = (k + s) % 2 == 1
        item = (
            f"conv: {{filters: 6, kernel: {k}, stride: {s}, pad: {p}, dilation: {d},"
            f" groups: {g}, bias: {_text(bias)}}}"
        )
        call = f"{cls}(4, 6, {k}, {s}, {p}, {d}, {g}, bias={bias})"
        yield _run(item, (*spatial, 4), call, _module(make, 4, 6, k, s, p, d, g, bias=bias))
    large = sizes[-1]
    for k, s, p, d in CONV_AXES[rank]:
        item = (
            f"conv: {{filters: 5, kernel: {_text(k)}, stride: {_text(s)}, pad: {_text(p)},"
            f" dilation: {_text(d)}}}"
        )
        yield _run(
            item, (*large, 4), f"{cls}(4, 5, {k}, {s}, {p}, {d})", _module(make, 4, 5, k, s, p, d)
        )
    for sides in CONV_SIDES[rank]:
        pad = _torch_pad(sides)

        def forward(x: torch.Tensor, pad: tuple[int, ...] = pad) -> tuple[torch.Tensor, nn.Module]:
            module = nn.Sequential(_make("ConstantPad", rank)(pad, 0.0), make(4, 5, 3, 2)).eval()
            return module(x), module

        yield _run(
            f"conv: {{filters: 5, kernel: 3, stride: 2, pad: {_text(sides)}}}",
            (*large, 4),
            f"{_nd('ConstantPad', rank)}({pad}, 0.0) then {cls}(4, 5, 3, 2)",
            forward,
        )
    for spatial, k, d in itertools.product(sizes[:2], (1, 2, 3, 4, 5), (1, 2)):
        yield _run(
            f"conv: {{filters: 5, kernel: {k}, pad: same, dilation: {d}}}",
            (*spatial, 4),
            f"{cls}(4, 5, {k}, padding='same', dilation={d})",
            _module(make, 4, 5, k, padding="same", dilation=d),
        )
    for k, s, m in itertools.product((3, 5), (1, 2), (1, 2)):
        yield _run(
            f"dwconv: {{kernel: {k}, stride: {s}, multiplier: {m}}}",
            (*sizes[2], 4),
            f"{cls}(4, {4 * m}, {k}, {s}, groups=4)",
            _module(make, 4, 4 * m, k, s, groups=4),
        )
    # Groups that divide neither the channels nor the filters.
    for filters, g in ((6, 3), (5, 2)):
        yield _run(
            f"conv: {{filters: {filters}, kernel: 1, groups: {g}}}",
            (*sizes[1], 4),
            f"{cls}(4, {filters}, 1, groups={g})",
            _module(make, 4, filters, 1, groups=g),
        )


#: Per-axis pools: kernel, stride (None: the kernel), padding (the last kernel is larger than its
#: padded axis: refused).
POOL_AXES = {
    1: (((3,), (2,), (1,)), ((2,), None, (0,)), ((4,), (3,), (2,)), ((9,), (1,), (1,))),
    3: (
        ((1, 2, 2), None, (0, 0, 0)),
        ((2, 3, 3), (2, 2, 1), (0, 1, 1)),
        ((3, 1, 2), (1, 1, 2), (1, 0, 1)),
        ((2, 7, 2), (1, 1, 1), (0, 1, 0)),
    ),
}


def pools(rank: int) -> Iterator[Record]:
    """Window pools with one kernel, stride and padding per axis, floored (the spec's rounding)
    and under ``rounding: ceil``."""
    cases = itertools.product(
        POOL_AXES[rank], (("maxpool", "MaxPool"), ("avgpool", "AvgPool")), (False, True)
    )
    for (k, s, p), (kind, name), ceil in cases:
        stride = "" if s is None else f" stride: {_text(s)},"
        rounding = ", rounding: ceil" if ceil else ""
        yield _run(
            f"{kind}: {{kernel: {_text(k)},{stride} pad: {_text(p)}{rounding}}}",
            (*(5, 4, 6)[:rank], 2),
            f"{_nd(name, rank)}({k}, {s}, {p}, ceil_mode={ceil})",
            _module(_make(name, rank), k, s, p, ceil_mode=ceil),
        )


#: Adaptive pooling per rank: input sizes and output sizes (one number for every axis, or one
#: per axis; larger than the input too).
ADAPTIVE = {
    1: (((1,), (5,), (7,), (10,)), (1, (2,), 3, (7,), (12,))),
    3: (((2, 3, 4), (5, 6, 7)), ((1, 1, 1), (2, 3, 4), (4, 3, 2), (7, 1, 5), 3)),
}


def adaptive_pools(rank: int) -> Iterator[Record]:
    sizes, targets = ADAPTIVE[rank]
    kinds = (("adaptive_avgpool", "AdaptiveAvgPool"), ("adaptive_maxpool", "AdaptiveMaxPool"))
    for spatial, target, (kind, name) in itertools.product(sizes, targets, kinds):
        yield _run(
            f"{kind}: {_text(target)}",
            (*spatial, 3),
            f"{_nd(name, rank)}({target})",
            _module(_make(name, rank), target),
        )
    globals_ = (
        ("gap", "AdaptiveAvgPool"),
        ("global_maxpool", "AdaptiveMaxPool"),
        ("gmp", "AdaptiveMaxPool"),
    )
    for spatial, (kind, name) in itertools.product(sizes, globals_):
        yield _run(kind, (*spatial, 3), f"{_nd(name, rank)}(1)", _module(_make(name, rank), 1))


def channel_norms(rank: int) -> Iterator[Record]:
    """Batch normalisation, and layer normalisation over the channels of each position (cnncalc's
    ``layernorm``: PyTorch ``LayerNorm(C)`` on the channels-last tensor)."""
    size = CHANNEL_SIZES[rank]
    for affine in (True, False):
        yield _run(
            f"batchnorm: {{affine: {_text(affine)}}}",
            size,
            f"{_nd('BatchNorm', rank)}(8, affine={affine})",
            _module(_make("BatchNorm", rank), 8, affine=affine),
        )

        def forward(x: torch.Tensor, affine: bool = affine) -> tuple[torch.Tensor, nn.Module]:
            module = nn.LayerNorm(8, elementwise_affine=affine).eval()
            return module(x.movedim(1, -1)).movedim(-1, 1), module

        yield _run(
            f"layernorm: {{affine: {_text(affine)}}}",
            size,
            f"LayerNorm(8, elementwise_affine={affine})(x.movedim(1, -1)).movedim(-1, 1)",
            forward,
        )


#: Crops per rank (the last cut leaves nothing of an axis: refused) and the map they cut.
CROPS = {
    1: ((9,), (2, (3,), (1, 3), (0, 4), (4, 5))),
    3: ((5, 6, 7), (1, (0, 1, 2), (0, 1, 1, 0, 2, 1), (2, 0, 0, 0, 3, 3), (0, 3, 0))),
}
#: The conv whose output a ``crop: {to: ...}`` cuts the input to, per rank: its kernel.
CROP_TO = {1: 4, 3: (1, 3, 4)}


def _slicing(cuts: list[tuple[int, int]]) -> tuple[str, tuple[slice, ...]]:
    """``x[:, :, b:e, ...]`` keeping ``[b, e)`` of each spatial axis: its text and its index."""
    text = "x[:, :, " + ", ".join(f"{b}:{e}" for b, e in cuts) + "]"
    return text, (slice(None), slice(None), *(slice(b, e) for b, e in cuts))


def crops(rank: int) -> Iterator[Record]:
    spatial, cases = CROPS[rank]
    for given in cases:
        sides = _sides(given, rank)
        cuts = [(sides[2 * i], n - sides[2 * i + 1]) for i, n in enumerate(spatial)]
        text, index = _slicing(cuts)

        def forward(x: torch.Tensor, index: tuple[slice, ...] = index) -> tuple[torch.Tensor, None]:
            return x[index], None

        yield _run(f"crop: {{sides: {_text(given)}}}", (*spatial, 3), text, forward)
    kernel = CROP_TO[rank]
    small = _make("Conv", rank)(3, 2, kernel)
    cuts = []
    for n, m in zip(spatial, small(torch.zeros(1, 3, *spatial)).shape[2:], strict=True):
        cuts.append(((n - m) // 2, (n - m) // 2 + m))  # centred, the odd pixel after (U-Net)
    text, index = _slicing(cuts)

    def to_small(x: torch.Tensor, index: tuple[slice, ...] = index) -> tuple[torch.Tensor, None]:
        return x[index], None

    yield _run(
        "crop: {to: small, input: input}",
        (*spatial, 3),
        f"{text}, centred on {_nd('Conv', rank)}(3, 2, {kernel})(x)",
        to_small,
        (f"conv: {{filters: 2, kernel: {_text(kernel)}, name: small}}",),
    )


#: Zero paddings per rank (one number, one per axis, before and after each axis) and their map.
ZEROPADS = {
    1: ((5,), (2, (1,), (1, 2), (0, 3))),
    3: ((2, 3, 4), (1, (0, 1, 2), (0, 1, 2, 3, 4, 5), (3, 0, 0, 0, 0, 1))),
}


def zeropads(rank: int) -> Iterator[Record]:
    spatial, cases = ZEROPADS[rank]
    for given in cases:
        pad = _torch_pad(_sides(given, rank))
        yield _run(
            f"zeropad: {_text(given)}",
            (*spatial, 3),
            f"{_nd('ConstantPad', rank)}({pad}, 0.0)",
            _module(_make("ConstantPad", rank), pad, 0.0),
        )


def _flat(rank: int, make: Callable[[int], nn.Module]) -> Forward:
    """``make(features)`` on the flattened input; its ``(N, F)`` output written as cnncalc keeps
    it, the rank kept: ``F`` channels at one position (``1 x 1 x F`` on an image)."""

    def forward(x: torch.Tensor) -> tuple[torch.Tensor, nn.Module]:
        module = make(x[0].numel()).eval()
        y = module(x.flatten(1))
        return y.reshape(1, y.shape[1], *(1,) * rank), module

    return forward


def flatten_and_fc(rank: int) -> Iterator[Record]:
    size = (*(2, 3, 4)[:rank], 3)
    yield _run("flatten", size, "x.flatten(1)", _flat(rank, lambda _: nn.Identity()))
    for prelude, units, bias in (((), 6, True), (("flatten",), 10, True), (("flatten",), 4, False)):
        yield _run(
            f"fc: {{units: {units}, bias: {_text(bias)}}}",
            size,
            f"Linear({math.prod(size)}, {units}, bias={bias})(x.flatten(1))",
            _flat(rank, lambda features, units=units, bias=bias: nn.Linear(features, units, bias)),
            prelude,
        )


def merges(rank: int) -> Iterator[Record]:
    """Two convs of the input (``a`` and ``b``) merged: equal volumes, other spatial sizes (both
    refused), other channels (``add`` refused). No side is 1, which ``torch.add`` would broadcast:
    cnncalc's ``add`` is a residual's, of equal volumes (``mul`` broadcasts)."""
    cls, make = _nd("Conv", rank), _make("Conv", rank)
    size = (*(5, 4, 6)[:rank], 4)
    for ka, kb, filters in ((1, 1, 3), (1, 3, 3), (1, 1, 5)):
        prelude = (
            f"conv: {{filters: 3, kernel: {ka}, name: a}}",
            f"conv: {{filters: {filters}, kernel: {kb}, input: input, name: b}}",
        )
        branches = f"{cls}(4, 3, {ka})(x), {cls}(4, {filters}, {kb})(x)"
        for kind, merge, call in (
            ("concat", lambda a, b: torch.cat([a, b], 1), f"torch.cat([{branches}], 1)"),
            ("add", torch.add, f"torch.add({branches})"),
        ):

            def forward(
                x: torch.Tensor,
                ka: int = ka,
                kb: int = kb,
                filters: int = filters,
                merge: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = merge,
            ) -> tuple[torch.Tensor, None]:
                return merge(make(4, 3, ka)(x), make(4, filters, kb)(x)), None

            yield _run(f"{kind}: {{inputs: [a, b]}}", size, call, forward, prelude)


def others(rank: int) -> Iterator[Record]:
    """Dropout (an identity in eval mode) and the other layers PyTorch defines at any rank."""
    size = CHANNEL_SIZES[rank]
    for item, call, forward in (
        ("dropout", "Dropout(0.5)", _module(nn.Dropout)),
        ("dropout: 0.3", f"{_nd('Dropout', rank)}(0.3)", _module(_make("Dropout", rank), 0.3)),
        ("lrn: 3", "LocalResponseNorm(3)", _module(nn.LocalResponseNorm, 3)),
        ("channel_shuffle: 2", "ChannelShuffle(2)", _module(nn.ChannelShuffle, 2)),
        ("channel_shuffle: 3", "ChannelShuffle(3)", _module(nn.ChannelShuffle, 3)),
        ("softmax", "Softmax(dim=1)", _module(nn.Softmax, dim=1)),
        ("identity", "Identity()", _module(nn.Identity)),
    ):
        yield _run(item, size, call, forward)

    def channels(x: torch.Tensor) -> tuple[torch.Tensor, None]:
        return x[:, 2:5], None

    yield _run("slice: {channels: 3, start: 2}", size, "x[:, 2:5]", channels)


def _reads(module: nn.Module, x: torch.Tensor, dim: int) -> list[list[int] | None]:
    """For each output position along tensor dimension ``dim``, the first and last input position
    along it that the output depends on (a nonzero gradient), or None when it depends on none."""
    x = x.clone().requires_grad_(True)
    y = module(x)
    found: list[list[int] | None] = []
    for o in range(y.shape[dim]):
        (grad,) = torch.autograd.grad(y.select(dim, o).sum(), x, retain_graph=True)
        along = grad.abs().movedim(dim, 0).flatten(1).sum(1).nonzero().flatten().tolist()
        found.append([along[0], along[-1]] if along else None)
    return found


def fields() -> Iterator[Record]:
    """Which input columns each output column reads, for the layers whose windows step by less
    than a pixel: the receptive field cnncalc gives must cover them."""
    cases: list[tuple[str, int, nn.Module]] = []
    for w, scale, mode in itertools.product(
        (5, 8), (1, 2, 3, 1.5, 2.7, 0.5), ("nearest", "bilinear", "bicubic")
    ):
        cases.append(
            (
                f"upsample: {{scale: {scale}, mode: {mode}}}",
                w,
                nn.Upsample(scale_factor=scale, mode=mode),
            )
        )
    for w, scale, mode in itertools.product((5, 8), (2, 1.5), ("bilinear", "bicubic")):
        cases.append(
            (
                f"upsample: {{scale: {scale}, mode: {mode}, align_corners: true}}",
                w,
                nn.Upsample(scale_factor=scale, mode=mode, align_corners=True),
            )
        )
    for w, target in itertools.product((5, 8), (7, 16)):
        cases.append(
            (
                f"upsample: {{size: [3, {target}], mode: bilinear}}",
                w,
                nn.Upsample(size=(3, target), mode="bilinear"),
            )
        )
    for w, k, s, p, d in itertools.product((5, 8), (1, 2, 3, 4), (1, 2, 3), (0, 1), (1, 2)):
        cases.append(
            (
                f"deconv: {{filters: 1, kernel: {k}, stride: {s}, pad: {p}, dilation: {d}}}",
                w,
                nn.ConvTranspose2d(1, 1, k, s, p, dilation=d, bias=False),
            )
        )
    for w, r in itertools.product((4, 6), (2, 3)):
        cases.append(
            (f"pixel_shuffle: {r}", w, nn.Sequential(nn.Conv2d(1, r * r, 1), nn.PixelShuffle(r)))
        )
    for item, w, module in cases:
        x = torch.randn(1, 1, 3, w)
        reads = _reads(module.eval(), x, 3)
        # pixel_shuffle needs r^2 channels: a 1x1 conv first, which keeps every field
        prelude = (
            [f"conv: {{filters: {module[0].out_channels}, kernel: 1}}"]
            if isinstance(module, nn.Sequential)
            else []
        )
        yield {
            "prelude": prelude,
            "item": item,
            "input": [3, w, 1],
            "torch": repr(module).replace("\n", " "),
            "reads": reads,
        }


def volume_fields(rank: int) -> Iterator[Record]:
    """As :func:`fields`, along each spatial axis of a 1-D or 3-D volume whose other axes are 3
    long: upsampling (nearest and the rank's interpolation) and transposed convolution, whose
    kernel is 2 along the other axes (so the field read is the axis's own)."""
    mode = INTERPOLATING[rank][0]
    for axis, n in itertools.product(range(rank), (5, 8)):
        spatial = tuple(n if i == axis else 3 for i in range(rank))
        cases: list[tuple[str, nn.Module]] = []
        for scale, each in itertools.product((1, 2, 3, 1.5, 2.7, 0.5), ("nearest", mode)):
            cases.append(
                (
                    f"upsample: {{scale: {scale}, mode: {each}}}",
                    nn.Upsample(scale_factor=scale, mode=each),
                )
            )
        for scale in (2, 1.5):
            cases.append(
                (
                    f"upsample: {{scale: {scale}, mode: {mode}, align_corners: true}}",
                    nn.Upsample(scale_factor=scale, mode=mode, align_corners=True),
                )
            )
        for target in (7, 16):
            size = tuple(target if i == axis else 3 for i in range(rank))
            cases.append(
                (
                    f"upsample: {{size: {_text(size)}, mode: {mode}}}",
                    nn.Upsample(size=size, mode=mode),
                )
            )
        for k, s, p, d in itertools.product((1, 2, 3, 4), (1, 2, 3), (0, 1), (1, 2)):
            kernel = tuple(k if i == axis else 2 for i in range(rank))
            cases.append(
                (
                    f"deconv: {{filters: 1, kernel: {_text(kernel)}, stride: {s}, pad: {p},"
                    f" dilation: {d}}}",
                    _make("ConvTranspose", rank)(1, 1, kernel, s, p, dilation=d, bias=False),
                )
            )
        for item, module in cases:
            x = torch.randn(1, 1, *spatial)
            yield {
                "prelude": [],
                "item": item,
                "input": [*spatial, 1],
                "axis": axis,
                "torch": repr(module),
                "reads": _reads(module.eval(), x, 2 + axis),
            }


#: The generators run on 1-D and 3-D volumes, after the image cases.
VOLUME_CASES = (
    conv,
    conv_transpose,
    transposed_axes,
    upsample,
    upsample_modes,
    maxunpool,
    norms_and_activations,
    single_position_norms,
    channel_norms,
    ceil_pools,
    pools,
    adaptive_pools,
    crops,
    zeropads,
    flatten_and_fc,
    merges,
    others,
    reshapes,
)


def main() -> None:
    torch.manual_seed(0)
    records = [
        *conv_transpose(2),
        *upsample(2),
        *shuffles(),
        *maxunpool(2),
        *norms_and_activations(2),
        *ceil_pools(2),
        *reshapes(2),
        # added after the image cases above, whose records stay as they were
        *upsample_modes(2),
        *single_position_norms(2),
    ]
    records += [record for rank in VOLUME_RANKS for cases in VOLUME_CASES for record in cases(rank)]
    reads = [*fields(), *(record for rank in VOLUME_RANKS for record in volume_fields(rank))]
    meta = {"torch": torch.__version__, "cases": len(records), "field_cases": len(reads)}
    OUT.write_text(json.dumps({"meta": meta, "records": records, "fields": reads}, indent=0) + "\n")
    print(f"wrote {len(records)} records and {len(reads)} field cases to {OUT}")


if __name__ == "__main__":
    main()
