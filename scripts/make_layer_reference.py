"""Record PyTorch's output shapes and parameter and buffer counts for cnncalc's newer layer types.

A developer tool, NOT part of cnncalc (which is framework-free): for a grid of cases per layer type
it builds the PyTorch module, runs one batch-1 forward pass in eval mode on random data, and writes
``tests/reference/layer_reference.json``, which ``tests/layers/test_layer_reference.py`` compares
with cnncalc without torch.

Each record is ``{"prelude": [...], "item": ..., "input": [H, W, C], "torch": ...}`` and either
``"output": [H, W, C], "weights": n, "biases": n, "buffers": n`` or ``"refused": message`` (the
exception's first line, or an empty output: PyTorch returns a tensor with a side of 0 for some
transposed convolutions, which cnncalc counts as refused):
``prelude`` and ``item`` are cnncalc layer items in flow-style YAML (the layers before the one
compared, which references name, then the layer itself), ``torch`` the PyTorch call it was
checked against. Parameters named ``bias`` are biases, the others weights; buffers exclude
``num_batches_tracked``, as cnncalc does.

Cases: ``conv_transpose`` (sizes, kernels, strides, paddings, output paddings, dilations, groups,
bias); ``upsample`` (three modes, integer and fractional scales such as 1.5 and 2.7, both values
of ``recompute_scale_factor``, ``align_corners``, absolute sizes, sizes of another tensor);
``pixel_shuffle`` and ``pixel_unshuffle``; ``maxunpool`` (default size and the pool's input size);
``groupnorm``, ``instancenorm`` (affine, running statistics), ``prelu`` (1 or C parameters) and the
parameterless activations; ``maxpool`` and ``avgpool`` with ``ceil_mode`` near the padded input's
size (cnncalc's ``rounding: ceil``).

Under ``"fields"``, for upsampling, transposed convolution and pixel shuffle on a ``3 x W`` map,
``"reads"`` gives, per output column, the first and last input column whose gradient is nonzero
(what that output depends on): the receptive field cnncalc gives must cover each.

Run from the repository root::

    /work/torchref/venv/bin/python scripts/make_layer_reference.py
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

OUT = Path(__file__).resolve().parent.parent / "tests" / "reference" / "layer_reference.json"

Record = dict[str, Any]


def _counts(module: nn.Module) -> dict[str, int]:
    weights = sum(p.numel() for n, p in module.named_parameters() if not n.endswith("bias"))
    biases = sum(p.numel() for n, p in module.named_parameters() if n.endswith("bias"))
    buffers = sum(
        b.numel() for n, b in module.named_buffers() if not n.endswith("num_batches_tracked")
    )
    return {"weights": weights, "biases": biases, "buffers": buffers}


def _hwc(t: torch.Tensor) -> list[int]:
    return [t.shape[2], t.shape[3], t.shape[1]]


def _run(
    item: str,
    size: tuple[int, int, int],
    call: str,
    forward: Callable[[torch.Tensor], tuple[torch.Tensor, nn.Module | None]],
    prelude: tuple[str, ...] = (),
) -> Record:
    h, w, c = size
    record: Record = {"prelude": list(prelude), "item": item, "input": [h, w, c], "torch": call}
    x = torch.randn(1, c, h, w)
    try:
        with torch.no_grad():
            y, module = forward(x)
    except (RuntimeError, ValueError) as exc:
        record["refused"] = str(exc).splitlines()[0]
        return record
    if y.numel() == 0:  # an empty tensor (a 0 side) is no output: cnncalc refuses it
        record["refused"] = f"empty output {tuple(y.shape)}"
        return record
    record["output"] = _hwc(y)
    record.update(_counts(module) if module is not None else _counts(nn.Identity()))
    return record


def _module(
    make: Callable[..., nn.Module], *args: Any, **kwargs: Any
) -> Callable[[torch.Tensor], tuple[torch.Tensor, nn.Module]]:
    """``make(*args, **kwargs)``, built inside the forward pass, so that a constructor's refusal
    is recorded too."""

    def forward(x: torch.Tensor) -> tuple[torch.Tensor, nn.Module]:
        module = make(*args, **kwargs).eval()
        return module(x), module

    return forward


def conv_transpose() -> Iterator[Record]:
    sizes = ((1, 1), (5, 8), (7, 7))
    grid = itertools.product(sizes, (1, 2, 3, 4), (1, 2, 3), (0, 1, 2), (0, 1, 2), (1, 2), (1, 2))
    for (h, w), k, s, p, op, d, g in grid:
        if (k + s + p + op + d + g) % 3 and (h, w) != (5, 8):
            continue  # a third of the grid on the small sizes, all of it on 5x8
        bias = (k + s) % 2 == 0
        item = (
            f"conv_transpose: {{filters: 6, kernel: {k}, stride: {s}, pad: {p},"
            f" output_padding: {op}, dilation: {d}, groups: {g}, bias: {str(bias).lower()}}}"
        )
        call = f"ConvTranspose2d(4, 6, {k}, {s}, {p}, {op}, groups={g}, bias={bias}, dilation={d})"

        def forward(
            x: torch.Tensor,
            k: int = k,
            s: int = s,
            p: int = p,
            op: int = op,
            d: int = d,
            g: int = g,
            bias: bool = bias,
        ) -> tuple[torch.Tensor, nn.Module]:
            module = nn.ConvTranspose2d(4, 6, k, s, p, op, groups=g, bias=bias, dilation=d)
            return module(x), module

        yield _run(item, (h, w, 4), call, forward)
    # Rectangular kernels and strides.
    for k, s in (((2, 3), (2, 1)), ((4, 1), (3, 2))):
        item = f"conv_transpose: {{filters: 3, kernel: [{k[0]}, {k[1]}], stride: [{s[0]}, {s[1]}]}}"
        yield _run(
            item,
            (5, 6, 2),
            f"ConvTranspose2d(2, 3, {k}, {s})",
            _module(nn.ConvTranspose2d, 2, 3, k, s),
        )


def upsample() -> Iterator[Record]:
    sizes = ((1, 3), (5, 7), (8, 8), (13, 10))
    scales = (1, 2, 3, 0.5, 1.5, 2.7, 1.1, 0.3, 2.5)
    for (h, w), scale, mode, recompute in itertools.product(
        sizes, scales, ("nearest", "bilinear", "bicubic"), (False, True)
    ):
        item = f"upsample: {{scale: {scale}, mode: {mode}}}"
        call = f"Upsample(scale_factor={scale}, mode={mode!r}, recompute_scale_factor={recompute})"
        yield _run(
            item,
            (h, w, 2),
            call,
            _module(nn.Upsample, scale_factor=scale, mode=mode, recompute_scale_factor=recompute),
        )
    for (h, w), scale, mode in itertools.product(sizes, (2, 1.5, 2.7), ("bilinear", "bicubic")):
        item = f"upsample: {{scale: {scale}, mode: {mode}, align_corners: true}}"
        call = f"Upsample(scale_factor={scale}, mode={mode!r}, align_corners=True)"
        yield _run(
            item,
            (h, w, 2),
            call,
            _module(nn.Upsample, scale_factor=scale, mode=mode, align_corners=True),
        )
    for (h, w), target, mode in itertools.product(
        sizes, ((10, 12), (3, 4), (1, 1)), ("nearest", "bilinear")
    ):
        item = f"upsample: {{size: [{target[0]}, {target[1]}], mode: {mode}}}"
        call = f"Upsample(size={target}, mode={mode!r})"
        yield _run(item, (h, w, 2), call, _module(nn.Upsample, size=target, mode=mode))
    # To the size of another tensor (FPN's top-down path): F.interpolate(x, size=skip.shape[-2:]).
    for (h, w), (sh, sw) in itertools.product(sizes, ((16, 14), (2, 2))):
        prelude = (
            f"zeropad: {{pad: [{sh - h}, 0, {sw - w}, 0], name: skip}}",
            "conv: {filters: 2, kernel: 1, input: input}",
        )
        if sh < h or sw < w:
            continue
        item = "upsample: {like: skip, mode: bilinear}"
        call = f"F.interpolate(x, size=({sh}, {sw}), mode='bilinear')"

        def forward(x: torch.Tensor, sh: int = sh, sw: int = sw) -> tuple[torch.Tensor, None]:
            return nn.functional.interpolate(x, size=(sh, sw), mode="bilinear"), None

        yield _run(item, (h, w, 2), call, forward, prelude)


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


def maxunpool() -> Iterator[Record]:
    """SegNet's unpooling: ``max_unpool2d(y, idx, ..., output_size=x.shape)``, the pool's input
    size, which cnncalc gives from ``indices`` alone."""
    for n, k, s, p in itertools.product((7, 8, 9, 10), (2, 3), (2, 3), (0, 1)):
        if 2 * p > k:
            continue
        pool = f"maxpool: {{kernel: {k}, stride: {s}, pad: {p}, name: pool, rounding: floor}}"

        def forward(
            x: torch.Tensor, k: int = k, s: int = s, p: int = p
        ) -> tuple[torch.Tensor, None]:
            y, idx = nn.functional.max_pool2d(x, k, s, p, return_indices=True)
            out = nn.functional.max_unpool2d(y, idx, k, s, p, output_size=x.shape[-2:])
            return out, None

        yield _run(
            f"maxunpool: {{indices: pool, kernel: {k}, stride: {s}, pad: {p}}}",
            (n, n + 1, 3),
            f"MaxUnpool2d({k}, {s}, {p})(y, idx, output_size=x.shape)",
            forward,
            (pool,),
        )


def norms_and_activations() -> Iterator[Record]:
    for groups, affine in itertools.product((1, 2, 3, 4, 8), (True, False)):
        yield _run(
            f"groupnorm: {{groups: {groups}, affine: {str(affine).lower()}}}",
            (5, 6, 8),
            f"GroupNorm({groups}, 8, affine={affine})",
            _module(nn.GroupNorm, groups, 8, affine=affine),
        )
    for affine, running in itertools.product((True, False), (True, False)):
        yield _run(
            f"instancenorm: {{affine: {str(affine).lower()},"
            f" running_stats: {str(running).lower()}}}",
            (5, 6, 8),
            f"InstanceNorm2d(8, affine={affine}, track_running_stats={running})",
            _module(nn.InstanceNorm2d, 8, affine=affine, track_running_stats=running),
        )
    yield _run("prelu", (5, 6, 8), "PReLU()", _module(nn.PReLU))
    yield _run("prelu: {per_channel: true}", (5, 6, 8), "PReLU(8)", _module(nn.PReLU, 8))
    for kind, cls in (
        ("elu", nn.ELU),
        ("selu", nn.SELU),
        ("gelu", nn.GELU),
        ("silu", nn.SiLU),
        ("mish", nn.Mish),
        ("hardswish", nn.Hardswish),
        ("hardsigmoid", nn.Hardsigmoid),
    ):
        yield _run(kind, (5, 6, 8), cls.__name__ + "()", _module(cls))


def ceil_pools() -> Iterator[Record]:
    for n, k, s, p in itertools.product(range(1, 7), range(1, 6), range(1, 4), range(3)):
        if 2 * p > k:
            continue  # PyTorch: "pad should be at most half of effective kernel size"
        for kind, cls in (("maxpool", nn.MaxPool2d), ("avgpool", nn.AvgPool2d)):
            item = f"{kind}: {{kernel: {k}, stride: {s}, pad: {p}, rounding: ceil}}"
            yield _run(
                item,
                (n, n, 1),
                f"{cls.__name__}({k}, {s}, {p}, ceil_mode=True)",
                _module(cls, k, s, p, ceil_mode=True),
            )


def reshapes() -> Iterator[Record]:
    for size, shape in (
        ((1, 1, 8192), (4, 4, 512)),
        ((1, 1, 8000), (4, 4, 512)),
        ((2, 3, 4), (1, 1, 24)),
    ):

        def forward(
            x: torch.Tensor, shape: tuple[int, int, int] = shape
        ) -> tuple[torch.Tensor, None]:
            return x.reshape(1, shape[2], shape[0], shape[1]), None

        yield _run(
            f"reshape: [{shape[0]}, {shape[1]}, {shape[2]}]",
            size,
            f"x.reshape(1, {shape[2]}, {shape[0]}, {shape[1]})",
            forward,
        )


def _reads(module: nn.Module, x: torch.Tensor) -> list[list[int] | None]:
    """For each output column, the first and last input column it depends on (a nonzero
    gradient), or None when it depends on none."""
    x = x.clone().requires_grad_(True)
    y = module(x)
    found: list[list[int] | None] = []
    for o in range(y.shape[3]):
        (grad,) = torch.autograd.grad(y[..., o].sum(), x, retain_graph=True)
        columns = grad.abs().sum(dim=(0, 1, 2)).nonzero().flatten().tolist()
        found.append([columns[0], columns[-1]] if columns else None)
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
        reads = _reads(module.eval(), x)
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


def main() -> None:
    torch.manual_seed(0)
    records = [
        *conv_transpose(),
        *upsample(),
        *shuffles(),
        *maxunpool(),
        *norms_and_activations(),
        *ceil_pools(),
        *reshapes(),
    ]
    reads = list(fields())
    meta = {"torch": torch.__version__, "cases": len(records), "field_cases": len(reads)}
    OUT.write_text(json.dumps({"meta": meta, "records": records, "fields": reads}, indent=0) + "\n")
    print(f"wrote {len(records)} records to {OUT}")


if __name__ == "__main__":
    main()
