"""Every built-in against PyTorch: figures recorded from real models by
``scripts/make_torch_reference.py`` (torchvision/timm, one forward pass) in
``tests/reference/torch_reference.json``. No torch needed to run this test.

Compared: total parameters to the unit, BN buffers, MACs, and every conv and fc layer's output
volume, weights and biases (as a multiset, so branch order in a spec is free), in every rank: a
sequence's ``L x C``, an image's ``H x W x C``, a clip's or a volume's ``D x H x W x C``.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cnncalc import analyze, load
from cnncalc.api import Report
from cnncalc.library import builtin_names
from cnncalc.shapes import Shape

REFERENCE = Path(__file__).parent / "reference" / "torch_reference.json"

#: Built-ins whose reference model has another name. Built-ins named like a reference model map to
#: it.
ALIASES = {
    "alexnet_torchvision": "alexnet",
    "mobilenet_v1": "timm:mobilenetv1_100",
    "efficientnet_b2": "efficientnet_b2_260",  # the paper's 260; torchvision's own crop is 288
    "se_resnet50": "timm:legacy_seresnet50",  # the paper's v1 (Cadene's port of the Caffe model)
    "se_resnext50_32x4d": "timm:legacy_seresnext50_32x4d",
    "nasnet_a_large": "timm:nasnetalarge",
}
#: Built-ins with no PyTorch model (paper-only variants), and why.
NO_REFERENCE = {
    "alexnet": "two-tower paper model; torchvision's is single-tower (alexnet_torchvision)",
    "alexnet_nopad": "lecture exercise",
    "lenet5": "no torchvision model",
    "nasnet_a_mobile": (
        "not in torchvision or timm: compared with Cadene's port in test_nasnet_mobile_reference.py"
    ),
    "zfnet": "no torchvision model",
    "zfnet_cs231n": "no torchvision model",
}


@cache
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return data


def _reference_name(name: str) -> str | None:
    wanted = ALIASES.get(name, name)
    return wanted if wanted in reference() else None


def compared() -> list[str]:
    """The built-ins held to a reference model."""
    return [n for n in builtin_names() if n not in NO_REFERENCE]


def test_every_builtin_has_a_reference_or_a_reason() -> None:
    missing = [n for n in compared() if _reference_name(n) is None]
    assert not missing, (
        f"built-ins with neither a reference model nor a NO_REFERENCE reason: {missing}"
    )


_WEIGHTED = {
    "Conv1d",
    "Conv2d",
    "Conv2dSame",  # timm's TensorFlow-"same" conv (NASNet)
    "Conv3d",
    "Conv3DSimple",  # torchvision's video ResNets' Conv3d subclasses
    "Conv3DNoTemporal",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "Linear",
}
_NORMS = {
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "BatchNormAct2d",
    "LayerNorm2d",
    "LayerNorm",
    "GroupNorm",
    "InstanceNorm2d",
}

#: A volume as its sizes, channels last: ``(h, w, c)``, ``(l, c)`` or ``(d, h, w, c)``.
Volume = tuple[int, ...]


def volume(shape: list[int], rank: int) -> Volume:
    """A recorded output shape as a volume of ``rank`` spatial axes: ``[*spatial, C]`` as it is,
    ``[C]`` (an fc output) as ``1 x ... x 1 x C``."""
    return tuple(shape) if len(shape) == rank + 1 else (*[1] * rank, shape[-1])


def dims(shape: Shape) -> Volume:
    """One of our volumes as its sizes, channels last."""
    return (*shape.spatial, shape.c)


def weighted_ours(report: Report) -> Counter[tuple[Volume, int, int]]:
    """Output volume, weights and biases of every conv and fc layer, as a multiset."""
    return Counter(
        (dims(r.output), r.cost.weights, r.cost.biases)
        for r in report.layers
        if r.node.layer.kind in ("conv", "dwconv", "conv_transpose", "fc")
    )


def norms_ours(report: Report) -> Counter[Volume]:
    """Output volumes of the normalisation layers, which are modules in every reference model."""
    return Counter(
        dims(r.output)
        for r in report.layers
        if r.node.layer.kind in ("batchnorm", "layernorm", "groupnorm", "instancenorm")
    )


def final_matches(report: Report, output: list[int]) -> bool:
    """True when the last layer's output is the reference model's (``[C]`` or ``[*spatial, C]``)."""
    final = report.layers[-1].output
    return [final.c] == output or list(dims(final)) == output


@pytest.mark.parametrize("name", compared())
def test_matches_pytorch(name: str) -> None:
    ref_name = _reference_name(name)
    assert ref_name is not None
    ref = reference()[ref_name]
    report = analyze(load(name))
    assert list(dims(report.input)) == ref["input"]
    rank = report.input.rank
    t = report.totals
    assert t.params == ref["total_params"]
    assert t.buffers == ref["buffers"]
    assert t.macs == ref["macs"]
    theirs = Counter(
        (volume(layer[2], rank), layer[3], layer[4])
        for layer in ref["layers"]
        if layer[1] in _WEIGHTED
    )
    assert weighted_ours(report) == theirs
    assert norms_ours(report) == Counter(
        volume(layer[2], rank) for layer in ref["layers"] if layer[1] in _NORMS
    )
    assert final_matches(report, ref["output"])
