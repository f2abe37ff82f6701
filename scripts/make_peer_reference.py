"""Record what four peer tools count for the reference models, for cnncalc's counting presets.

This script is NOT part of cnncalc (which is framework-free): it builds the models of
``scripts/make_torch_reference.py`` (same constructors, random weights, eval mode, batch 1 at each
model's own input: its channels and spatial sizes, ``(C, *spatial)``, of any rank: ``(C, L)``,
``(C, H, W)`` or ``(C, D, H, W)``) and runs each peer tool on them exactly as its documentation
calls it:

``fvcore``
    ``fvcore.nn.FlopCountAnalysis(model, x).total()`` (jit-traced aten ops; one "flop" is one
    multiply-accumulate), per aten operator from ``.by_operator()``.
``thop``
    ``thop.profile(model, inputs=(x,), ret_layer_info=True)[0]`` (forward hooks on modules whose
    exact type is in ``thop.profile.register_hooks``), per module class from the layer tree.
``torchinfo``
    ``torchinfo.summary(model, input_size=(1, C, *spatial), verbose=0).total_mult_adds`` (the
    "Total mult-adds" line: leaf modules only), per module class from ``summary_list``; also the
    memory lines (input size, forward/backward pass size, params size) in bytes.
``ptflops``
    ``ptflops.get_model_complexity_info(model, (C, *spatial), as_strings=False,
    print_per_layer_stat=False, backend="pytorch", backend_specific_config={"count_functional":
    False})[0]`` (module hooks only, its maintainer's recommended call); per module class from a
    second run whose hooks are ptflops' own ``MODULES_MAPPING`` functions wrapped to note the
    class (the second run's sum is checked against the first).

Every figure is per image (batch 1). A tool that fails on a model records ``{"error": "..."}``.
Output: ``tests/reference/peer_counts.json``, keyed like ``torch_reference.json``, with the tool
versions under ``generated_with``.

Run (from the repository root), with the venv that has torch 2.14.1, torchvision 0.29.1, timm and
``pip install fvcore thop torchinfo ptflops`` (fvcore 0.1.5.post20221221, thop
0.1.1.post2209072238, torchinfo 1.8.0, ptflops 0.7.5 when this was recorded)::

    /work/torchref/venv/bin/python scripts/make_peer_reference.py

``--models a,b`` regenerates only those keys (merged into the existing file).

``--saved`` writes ``tests/reference/peer_saved.json`` instead: for :data:`SAVED_MODELS`, in train
mode at batch 1, the tensors autograd saves for the backward pass, as
``torch.autograd.graph.saved_tensors_hooks`` hands them over: distinct storages (by data pointer)
that are not parameters or buffers, their bytes by dtype (``untyped_storage().nbytes()``) and
their count.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import json
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn

# The same models, built alike: make_torch_reference.py sits beside this script.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_torch_reference import SPECS, ModelSpec, _meta

OUT = Path(__file__).resolve().parent.parent / "tests" / "reference" / "peer_counts.json"
OUT_SAVED = OUT.with_name("peer_saved.json")
#: The networks whose saved activations are recorded (the issue's closing note).
SAVED_MODELS = ("resnet50", "mobilenet_v2", "densenet121", "convnext_tiny")
TOOLS = ("fvcore", "thop", "torchinfo", "ptflops")


def _input(spec: ModelSpec, model: nn.Module) -> tuple[int, ...]:
    """The batch-1 input make_torch_reference.py runs, ``(1, C, *spatial)``: the spec's channels
    and spatial sizes (its ``spatial``, else the square of its resolution, the weights' crop size
    (torchvision) or the pretrained config's input size (timm))."""
    _, spatial = _meta(spec, model)
    return (1, spec.channels, *spatial)


def _fvcore(model: nn.Module, x: torch.Tensor) -> dict[str, Any]:
    from fvcore.nn import FlopCountAnalysis

    flops = FlopCountAnalysis(model, x)
    flops.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    by_op = {k: int(v) for k, v in sorted(flops.by_operator().items()) if v}
    return {"total": int(flops.total()), "by_type": by_op}


def _thop(model: nn.Module, x: torch.Tensor) -> dict[str, Any]:
    from thop import profile

    with contextlib.redirect_stdout(io.StringIO()):
        total, _, tree = profile(model, inputs=(x,), verbose=False, ret_layer_info=True)
    by_type: Counter[str] = Counter()

    def walk(module: nn.Module, node: dict[str, Any]) -> None:
        for name, (ops, _params, children) in node.items():
            child = getattr(module, name)
            if children:
                walk(child, children)
            elif ops:
                by_type[type(child).__name__] += int(ops)

    walk(model, tree)
    return {"total": int(total), "by_type": dict(sorted(by_type.items()))}


def _torchinfo(model: nn.Module, x: torch.Tensor) -> dict[str, Any]:
    from torchinfo import summary

    stats = summary(model, input_size=tuple(x.shape), verbose=0)
    by_type: Counter[str] = Counter()
    for layer in stats.summary_list:
        if layer.is_leaf_layer and layer.macs:
            by_type[layer.class_name] += layer.macs
    return {
        "total": int(stats.total_mult_adds),
        "by_type": dict(sorted(by_type.items())),
        "memory": {
            "input_bytes": int(stats.total_input),
            "forward_backward_bytes": int(stats.total_output_bytes),
            "params_bytes": int(stats.total_param_bytes),
        },
    }


def _ptflops(model: nn.Module, x: torch.Tensor) -> dict[str, Any]:
    from ptflops import get_model_complexity_info
    from ptflops.pytorch_ops import MODULES_MAPPING

    config = {"count_functional": False}
    per_sample = tuple(x.shape[1:])  # (C, *spatial): ptflops adds the batch of one
    with contextlib.redirect_stdout(io.StringIO()):
        total, _ = get_model_complexity_info(
            model,
            per_sample,
            as_strings=False,
            print_per_layer_stat=False,
            backend="pytorch",
            backend_specific_config=config,
        )
    by_type: Counter[str] = Counter()

    def noting(kind: type, hook: Callable[..., None]) -> Callable[..., None]:
        def counted(module: nn.Module, inputs: Any, output: Any) -> None:
            before = module.__flops__
            hook(module, inputs, output)
            by_type[kind.__name__] += int(module.__flops__ - before)

        return counted

    hooks = {kind: noting(kind, hook) for kind, hook in MODULES_MAPPING.items()}
    with contextlib.redirect_stdout(io.StringIO()):
        again, _ = get_model_complexity_info(
            model,
            per_sample,
            as_strings=False,
            print_per_layer_stat=False,
            backend="pytorch",
            custom_modules_hooks=hooks,
            backend_specific_config=config,
        )
    if again != total or sum(by_type.values()) != total:
        raise RuntimeError(
            f"ptflops per-type run disagrees: {total} {again} {sum(by_type.values())}"
        )
    return {"total": int(total), "by_type": dict(sorted(k for k in by_type.items() if k[1]))}


RUNNERS: dict[str, Callable[[nn.Module, torch.Tensor], dict[str, Any]]] = {
    "fvcore": _fvcore,
    "thop": _thop,
    "torchinfo": _torchinfo,
    "ptflops": _ptflops,
}


def record(spec: ModelSpec) -> dict[str, Any]:
    torch.manual_seed(0)
    model = spec.build().eval()
    size = _input(spec, model)
    entry: dict[str, Any] = {"ctor": spec.ctor(), "input": [*size[2:], size[1]]}
    for tool in TOOLS:
        x = torch.randn(*size)
        try:
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                entry[tool] = RUNNERS[tool](model, x)
        except Exception as exc:  # a tool that cannot run a model is itself a finding
            entry[tool] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
    return entry


def saved(spec: ModelSpec) -> dict[str, Any]:
    """What autograd saves for one training-mode forward pass at batch 1."""
    torch.manual_seed(0)
    model = spec.build().train()
    size = _input(spec, model)
    owned = {t.untyped_storage().data_ptr() for t in (*model.parameters(), *model.buffers())}
    found: dict[int, tuple[int, str]] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in owned:
            found.setdefault(storage.data_ptr(), (storage.nbytes(), str(tensor.dtype)))
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        model(torch.randn(*size))
    by_dtype: Counter[str] = Counter()
    for nbytes, dtype in found.values():
        by_dtype[dtype.removeprefix("torch.")] += nbytes
    return {
        "ctor": spec.ctor(),
        "input": [*size[2:], size[1]],
        "bytes": sum(by_dtype.values()),
        "by_dtype": dict(sorted(by_dtype.items())),
        "storages": len(found),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="comma-separated keys (default: all)")
    parser.add_argument("--saved", action="store_true", help="record saved activations instead")
    args = parser.parse_args()
    if args.saved:
        record_saved = {s.key: saved(s) for s in SPECS if s.key in SAVED_MODELS}
        OUT_SAVED.write_text(json.dumps(record_saved, indent=1, sort_keys=True) + "\n")
        return
    wanted = set(args.models.split(",")) if args.models else None
    data: dict[str, Any] = json.loads(OUT.read_text()) if wanted and OUT.exists() else {}
    data["generated_with"] = {
        name: importlib.metadata.version(name)
        for name in ("torch", "torchvision", "timm", "fvcore", "thop", "torchinfo", "ptflops")
    }
    for spec in SPECS:
        if wanted is not None and spec.key not in wanted:
            continue
        print(spec.key, file=sys.stderr, flush=True)
        data[spec.key] = record(spec)
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
