"""Generate PyTorch reference figures for cnncalc's tests.

This script is NOT part of cnncalc (which is framework-free); it is a
developer tool that builds well-known CNNs with torchvision / timm (random
weights, nothing is downloaded), runs one batch-1 forward pass per model in
eval mode, and writes ``tests/reference/torch_reference.json`` so that the
pure-Python engine can be checked against PyTorch layer by layer.

What is recorded, per model (one top-level JSON key per model):

* ``source`` ("torchvision", "timm", or "script": a faithful PyTorch translation of a paper's
  network written in this script, under :data:`TRANSLATIONS`, citing what it follows), ``ctor``
  (the constructor call used), ``input`` as [H, W, C];
* ``total_params`` (``sum(p.numel() for p in model.parameters())``),
  ``trainable_params``, ``buffers`` (buffer elements, excluding
  ``num_batches_tracked``), ``macs`` (see below);
* ``meta``: torchvision's weights meta (``num_params``, ``_ops`` in GFLOPS,
  weights enum name, crop size) or timm's ``pretrained_cfg`` input size;
* ``layers``: one entry per call of a LEAF module (a module without children),
  in execution order (a module called twice appears twice), each a list
  ``[name, class, out_shape, weights, biases, macs, attrs]`` where
  ``out_shape`` is [H, W, C] for 4-D outputs (NHWC tensors inside ConvNeXt
  blocks are recognised and also given as [H, W, C]), [C] for 2-D outputs;
  ``weights``/``biases`` count parameters owned directly by the module
  (params named ``bias`` are biases, all others weights; a module called
  twice repeats its counts); ``attrs`` holds layer hyper-parameters for convs,
  pools, pads, linears and dropouts, or is null. A NON-leaf module that owns
  parameters directly (timm's ``BatchNormAct2d``, ConvNeXt's ``CNBlock`` with
  its ``layer_scale``) also gets a row, placed where it starts (before its
  children's rows) and marked ``attrs["nonleaf"] = true``; filter on that
  flag to get the strict leaf-module list. ``attrs["dyn_pad"]`` gives the
  [left, right, top, bottom] padding a timm "same" layer applied itself;
* ``functional``: shape-relevant functional ops called outside leaf modules
  (``F.max_pool2d``, ``torch.cat``, ``x.mean``...), each
  ``[n_layers_before, op, out_shape, args]``;
* ``extra_params``: parameters owned by non-leaf modules (e.g. ConvNeXt's
  ``layer_scale``), as {module: {param: numel}}.

MACs follow torchvision's "GFLOPS" convention: the sum over Conv2d of
``out_numel * (Cin / groups) * kh * kw`` plus, for Linear,
``in_features * out_features * rows`` (rows = input numel / in_features);
biases, norms, activations, pools and adds are not counted. A ConvTranspose2d counts
``in_numel * (Cout / groups) * kh * kw``, every weight once per input position (fvcore's
``conv_flop_count`` for a transposed convolution). A model returning a dict (torchvision's
segmentation models) is recorded by its ``"out"`` head, one returning a list (YOLOv3's three
heads) by its last.

With ``--sizes`` it writes ``tests/reference/torch_sizes.json`` instead: every
model at other input sizes, compactly. Per model: ``ctor``, ``own`` (the size
recorded above, [H, W]), ``min_side`` (the smallest square side the model
accepts, found by trying 1, 2, 3 ...) and ``sizes``, keyed ``"HxW"`` (height x
width): :data:`EXTRA_SIZES` except the model's own, the square ``min_side``, and
two refused sizes, ``min_side - 1`` square and ``min_side - 1`` high at the
model's own width. An accepted size records ``output``, ``total_params``,
``buffers``, ``macs`` (as above), ``weighted`` (the Conv2d and Linear calls, a
multiset of ``[H, W, C, weights, biases, count]``: order-free, as the test
compares them) and ``norms`` (the BatchNorm2d and LayerNorm calls, timm's
subclasses included, as ``[H, W, C, count]``). A refused size records
``refused``: the exception's class and the first line of its message.

Run (from the repository root), with the dedicated venv that has
torch 2.14.1, torchvision 0.29.1, timm and torchinfo installed::

    /work/torchref/venv/bin/python scripts/make_torch_reference.py

Options: ``--models a,b,c`` regenerates only those keys (merged into an
existing output file), ``--out PATH`` writes elsewhere, ``--list`` prints the
model keys, ``--sizes`` records the other input sizes.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn
import torchvision
from torch.nn import functional
from torch.overrides import TorchFunctionMode

try:
    import timm
except ImportError:  # timm models are skipped without it
    timm = None

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "tests" / "reference"
OUT_DEFAULT = REFERENCE_DIR / "torch_reference.json"
OUT_SIZES = REFERENCE_DIR / "torch_sizes.json"

#: Input sizes (height, width) recorded besides a model's own: squares that halve evenly (160) and
#: oddly (193: the first stride-2 windows floor, or ceil in ceil_mode), a non-square pair (256x320),
#: an odd non-square pair (97x131: the 32-fold reductions leave 3x4, below an AdaptiveAvgPool2d(7)),
#: and the Inception and classic ImageNet sizes.
EXTRA_SIZES = ((160, 160), (193, 193), (256, 320), (97, 131), (299, 299), (224, 224))
#: How many of EXTRA_SIZES a model gets (its own size among them is skipped; the first five remain).
N_EXTRA = 5
#: Largest square side tried when looking for the smallest one a model accepts.
MAX_MIN_SIDE = 512

# Functional ops (called outside leaf modules) worth recording.
FUNCTIONAL_OPS = frozenset(
    {
        "max_pool2d",
        "avg_pool2d",
        "adaptive_avg_pool2d",
        "adaptive_max_pool2d",
        "pad",
        "cat",
        "mean",
        "flatten",
        "chunk",
        "split",
        "dropout",
        "relu",
        "relu6",
        "hardswish",
        "hardsigmoid",
        "silu",
        "sigmoid",
        "gelu",
        "interpolate",
    }
)

POOL_TYPES = (nn.MaxPool2d, nn.AvgPool2d)
ADAPTIVE_POOL_TYPES = (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
PAD_TYPES = (nn.ZeroPad2d, nn.ConstantPad2d, nn.ReflectionPad2d, nn.ReplicationPad2d)


@dataclass(frozen=True)
class ModelSpec:
    """One reference model: where it comes from and how it is built."""

    key: str
    source: str  # "torchvision", "timm" or "script" (a function in TRANSLATIONS)
    name: str  # torchvision builder / timm model name / TRANSLATIONS key
    kwargs: dict[str, Any] = field(default_factory=dict)
    resolution: int | None = None  # None: torchvision crop size / timm input_size
    note: str = ""
    channels: int = 3  # input channels (a generator's latent: its length, at 1x1)
    #: Sizes recorded with --sizes instead of EXTRA_SIZES (a generator's latent grows its output).
    sizes: tuple[tuple[int, int], ...] | None = None

    def ctor(self) -> str:
        if self.source == "timm":
            return f"timm.create_model({self.name!r}, pretrained=False)"
        if self.source == "script":
            return f"scripts/make_torch_reference.py:{self.name}()"
        args = ", ".join(f"{k}={v!r}" for k, v in {"weights": None, **self.kwargs}.items())
        return f"torchvision.models.{self.name}({args})"

    def build(self) -> nn.Module:
        if self.source == "timm":
            if timm is None:
                raise RuntimeError("timm is not installed")
            return timm.create_model(self.name, pretrained=False)
        if self.source == "script":
            return TRANSLATIONS[self.name]()
        models = torchvision.models
        builder: Callable[..., nn.Module] = getattr(models, self.name, None) or getattr(
            models.segmentation, self.name
        )
        return builder(weights=None, **self.kwargs)


NO_AUX = {"aux_logits": False, "init_weights": False}
#: Segmentation models: no auxiliary head, and no backbone weights (which would be downloaded).
SEGMENTATION = {"aux_loss": False, "weights_backbone": None}


def dcgan_generator(nz: int = 100, ngf: int = 64, nc: int = 3) -> nn.Module:
    """DCGAN's generator (Radford et al. 2016), as ``Generator`` in pytorch/examples
    ``dcgan/main.py``: a 1x1 latent to 64x64x3 by transposed convolutions."""

    def up(cin: int, cout: int) -> list[nn.Module]:
        return [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
        nn.BatchNorm2d(ngf * 8),
        nn.ReLU(),
        *up(ngf * 8, ngf * 4),
        *up(ngf * 4, ngf * 2),
        *up(ngf * 2, ngf),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
        nn.Tanh(),
    )


def dcgan_discriminator(ndf: int = 64, nc: int = 3) -> nn.Module:
    """DCGAN's discriminator (Radford et al. 2016), as ``Discriminator`` in pytorch/examples
    ``dcgan/main.py``: 64x64x3 to one probability."""

    def down(cin: int, cout: int) -> list[nn.Module]:
        return [
            nn.Conv2d(cin, cout, 4, 2, 1, bias=False),
            nn.BatchNorm2d(cout),
            nn.LeakyReLU(0.2),
        ]

    return nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
        nn.LeakyReLU(0.2),
        *down(ndf, ndf * 2),
        *down(ndf * 2, ndf * 4),
        *down(ndf * 4, ndf * 8),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),
        nn.Sigmoid(),
    )


def espcn(scale: int = 3, channels: int = 1) -> nn.Module:
    """ESPCN (Shi et al. 2016, "Real-Time Single Image and Video Super-Resolution Using an
    Efficient Sub-Pixel Convolutional Neural Network", section 3: f1 5, n1 64, f2 3, n2 32, f3 3,
    tanh), padded to keep the low-resolution size as in yjn870/ESPCN-pytorch ``models.py``."""
    return nn.Sequential(
        nn.Conv2d(channels, 64, 5, padding=2),
        nn.Tanh(),
        nn.Conv2d(64, 32, 3, padding=1),
        nn.Tanh(),
        nn.Conv2d(32, channels * scale**2, 3, padding=1),
        nn.PixelShuffle(scale),
    )


class UNet(nn.Module):
    """U-Net as in Ronneberger et al. 2015, figure 1 (arXiv:1505.04597): unpadded 3x3 convolutions
    with ReLU, 2x2 max pools, 2x2 up-convolutions halving the channels, the contracting path's map
    centre-cropped to the up-convolution's size and concatenated before it, a 1x1 convolution to
    the classes. The drop-out at the end of the contracting path is left out (an identity in eval
    mode)."""

    def __init__(self, channels: int = 1, classes: int = 2) -> None:
        super().__init__()
        widths = [64, 128, 256, 512, 1024]

        def double(cin: int, cout: int) -> nn.Sequential:
            return nn.Sequential(
                nn.Conv2d(cin, cout, 3), nn.ReLU(), nn.Conv2d(cout, cout, 3), nn.ReLU()
            )

        self.down = nn.ModuleList(
            double(cin, cout) for cin, cout in zip([channels, *widths[:-1]], widths, strict=True)
        )
        self.pool = nn.MaxPool2d(2)
        self.upconv = nn.ModuleList(
            nn.ConvTranspose2d(c, c // 2, 2, stride=2) for c in reversed(widths[1:])
        )
        self.up = nn.ModuleList(double(c, c // 2) for c in reversed(widths[1:]))
        self.scores = nn.Conv2d(widths[0], classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else self.pool(x))
            skips.append(x)
        skips.pop()
        for upconv, block in zip(self.upconv, self.up, strict=True):
            x = upconv(x)
            skip = skips.pop()
            top = (skip.shape[2] - x.shape[2]) // 2
            left = (skip.shape[3] - x.shape[3]) // 2
            cropped = skip[:, :, top : top + x.shape[2], left : left + x.shape[3]]
            x = block(torch.cat([cropped, x], 1))
        return self.scores(x)


class PaddedUNet(nn.Module):
    """The padded U-Net of milesial/Pytorch-UNet (``unet/unet_model.py``, ``unet_parts.py``) with
    ``bilinear=True``: 3x3 convolutions padded 1, each followed by batch norm and ReLU (no conv
    bias), bilinear upsampling by 2 (``align_corners=True``) in place of up-convolutions, the
    deepest level at 512 channels (``factor`` 2), and each upsampled map padded to its skip's size
    (a no-op at 256x256) before ``torch.cat([skip, x])``."""

    def __init__(self, channels: int = 3, classes: int = 2) -> None:
        super().__init__()

        def double(cin: int, cout: int, mid: int | None = None) -> nn.Sequential:
            mid = mid or cout
            return nn.Sequential(
                nn.Conv2d(cin, mid, 3, padding=1, bias=False),
                nn.BatchNorm2d(mid),
                nn.ReLU(),
                nn.Conv2d(mid, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(),
            )

        self.inc = double(channels, 64)
        self.down = nn.ModuleList(
            nn.Sequential(nn.MaxPool2d(2), double(cin, cout))
            for cin, cout in ((64, 128), (128, 256), (256, 512), (512, 512))
        )
        self.upsample = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
        self.up = nn.ModuleList(
            double(cin, cout, cin // 2)
            for cin, cout in ((1024, 256), (512, 128), (256, 64), (128, 64))
        )
        self.outc = nn.Conv2d(64, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = [self.inc(x)]
        for block in self.down:
            skips.append(block(skips[-1]))
        x = skips.pop()
        for block in self.up:
            skip = skips.pop()
            x = self.upsample(x)
            dy, dx = skip.shape[2] - x.shape[2], skip.shape[3] - x.shape[3]
            x = functional.pad(x, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
            x = block(torch.cat([skip, x], 1))
        return self.outc(x)


def resnet50_gn() -> nn.Module:
    """ResNet-50 with every BatchNorm2d replaced by GroupNorm(32, C), as in Wu & He 2018 ("Group
    Normalization", section 4.1): torchvision's ResNet-50 built with that ``norm_layer``."""

    def group_norm(channels: int) -> nn.Module:
        return nn.GroupNorm(32, channels)

    return torchvision.models.resnet50(weights=None, norm_layer=group_norm)


class YOLOv3(nn.Module):
    """YOLOv3 (Redmon & Farhadi 2018, "YOLOv3: An Incremental Improvement") as pjreddie/darknet
    ``cfg/yolov3.cfg`` defines it: Darknet-53 (3x3 convs with batch norm and leaky ReLU 0.1, no
    bias; residual 1x1/3x3 pairs 1, 2, 8, 8, 4 times after each stride-2 conv), then three
    detection heads (13, 26 and 52 px at 416) of five alternating 1x1/3x3 convs, a 3x3 conv and a
    1x1 conv to 3 x (5 + 80) = 255 with bias, the lower two fed by a 1x1 conv, a nearest x2
    upsample and a concatenation (route) with Darknet-53's layer 61 and 36 outputs. Returns the
    three heads' maps, the last (52x52) last."""

    def __init__(self, classes: int = 80) -> None:
        super().__init__()
        self.stem = self.cbl(3, 32, 3)
        stages = []
        cin = 32
        for cout, blocks in ((64, 1), (128, 2), (256, 8), (512, 8), (1024, 4)):
            stages.append(
                nn.ModuleList(
                    [self.cbl(cin, cout, 3, 2)]
                    + [
                        nn.Sequential(self.cbl(cout, cout // 2, 1), self.cbl(cout // 2, cout, 3))
                        for _ in range(blocks)
                    ]
                )
            )
            cin = cout
        self.stages = nn.ModuleList(stages)
        out = 3 * (5 + classes)
        self.necks = nn.ModuleList()
        self.detects = nn.ModuleList()
        self.laterals = nn.ModuleList()
        for width, cin in ((512, 1024), (256, 512 + 256), (128, 256 + 128)):
            self.necks.append(
                nn.Sequential(
                    self.cbl(cin, width, 1),
                    self.cbl(width, width * 2, 3),
                    self.cbl(width * 2, width, 1),
                    self.cbl(width, width * 2, 3),
                    self.cbl(width * 2, width, 1),
                )
            )
            self.detects.append(
                nn.Sequential(self.cbl(width, width * 2, 3), nn.Conv2d(width * 2, out, 1))
            )
            if width > 128:
                self.laterals.append(self.cbl(width, width // 2, 1))
        self.upsample = nn.Upsample(scale_factor=2, mode="nearest")

    @staticmethod
    def cbl(cin: int, cout: int, k: int, stride: int = 1) -> nn.Sequential:
        """Darknet's [convolutional] with batch_normalize=1, pad=1, activation=leaky."""
        return nn.Sequential(
            nn.Conv2d(cin, cout, k, stride, k // 2, bias=False),
            nn.BatchNorm2d(cout),
            nn.LeakyReLU(0.1),
        )

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.stem(x)
        routes = []
        for stage in self.stages:
            x = stage[0](x)
            for residual in stage[1:]:
                x = x + residual(x)  # [shortcut] from=-3
            routes.append(x)
        skips = [routes[3], routes[2]]  # layers 61 and 36
        heads = []
        for i, (neck, detect) in enumerate(zip(self.necks, self.detects, strict=True)):
            x = neck(x)
            heads.append(detect(x))
            if i < len(self.laterals):
                x = torch.cat([self.upsample(self.laterals[i](x)), skips[i]], 1)
        return heads


#: Networks with no torchvision or timm model, translated here from their papers.
TRANSLATIONS: dict[str, Callable[[], nn.Module]] = {
    "dcgan_generator": dcgan_generator,
    "dcgan_discriminator": dcgan_discriminator,
    "espcn": espcn,
    "unet": UNet,
    "unet_padded": PaddedUNet,
    "resnet50_gn": resnet50_gn,
    "yolov3": YOLOv3,
}
#: Tiles the paper's U-Net takes besides 572 (its valid convolutions refuse EXTRA_SIZES): 572 - 16k,
#: a non-square pair, and odd sides whose pools floor.
UNET_SIZES = ((476, 476), (508, 540), (573, 573), (589, 621), (700, 700))
#: Sizes YOLOv3 takes besides 416: each stride-2 halving must leave an even side below the last, so
#: multiples of 32, and one less (415 -> 208 -> ... -> 13).
YOLO_SIZES = ((320, 320), (415, 415), (288, 480), (608, 608), (383, 511))
#: A latent's sizes besides 1x1: each grows the generator's output 16-fold per side.
LATENT_SIZES = ((2, 2), (3, 3), (2, 3), (3, 5), (4, 4))

SPECS: list[ModelSpec] = [
    ModelSpec("alexnet", "torchvision", "alexnet"),
    *[
        ModelSpec(n, "torchvision", n)
        for n in (
            "vgg11",
            "vgg13",
            "vgg16",
            "vgg19",
            "vgg11_bn",
            "vgg13_bn",
            "vgg16_bn",
            "vgg19_bn",
        )
    ],
    ModelSpec("googlenet", "torchvision", "googlenet", NO_AUX, 224),
    ModelSpec("inception_v3", "torchvision", "inception_v3", NO_AUX, 299),
    *[
        ModelSpec(n, "torchvision", n)
        for n in (
            "resnet18",
            "resnet34",
            "resnet50",
            "resnet101",
            "resnet152",
            "wide_resnet50_2",
            "wide_resnet101_2",
            "resnext50_32x4d",
            "resnext101_32x8d",
            "densenet121",
            "densenet161",
            "densenet169",
            "densenet201",
            "mobilenet_v2",
            "mobilenet_v3_small",
            "mobilenet_v3_large",
        )
    ],
    *[ModelSpec(f"efficientnet_b{i}", "torchvision", f"efficientnet_b{i}") for i in range(8)],
    ModelSpec(
        "efficientnet_b2_260",
        "torchvision",
        "efficientnet_b2",
        resolution=260,
        note="B2 at the paper's 260 px; torchvision's weights use a 288 crop",
    ),
    *[
        ModelSpec(n, "torchvision", n)
        for n in (
            "squeezenet1_0",
            "squeezenet1_1",
            "shufflenet_v2_x1_0",
            "mnasnet1_0",
            "regnet_x_400mf",
            "regnet_x_1_6gf",
            "regnet_y_400mf",
            "convnext_tiny",
        )
    ],
    *[
        ModelSpec(n, "torchvision", n, SEGMENTATION, note="the 'out' head; the auxiliary one off")
        for n in ("fcn_resnet50", "deeplabv3_resnet50", "lraspp_mobilenet_v3_large")
    ],
    ModelSpec(
        "dcgan_generator",
        "script",
        "dcgan_generator",
        resolution=1,
        channels=100,
        sizes=LATENT_SIZES,
        note="pytorch/examples dcgan/main.py Generator (nz 100, ngf 64)",
    ),
    ModelSpec(
        "dcgan_discriminator",
        "script",
        "dcgan_discriminator",
        resolution=64,
        note="pytorch/examples dcgan/main.py Discriminator (ndf 64)",
    ),
    ModelSpec(
        "unet",
        "script",
        "unet",
        resolution=572,
        channels=1,
        sizes=UNET_SIZES,
        note="Ronneberger et al. 2015",
    ),
    ModelSpec(
        "unet_padded",
        "script",
        "unet_padded",
        resolution=256,
        note="milesial/Pytorch-UNet, bilinear=True, 2 classes",
    ),
    ModelSpec(
        "resnet50_gn",
        "script",
        "resnet50_gn",
        resolution=224,
        note="torchvision resnet50 with norm_layer GroupNorm(32, C) (Wu & He 2018)",
    ),
    ModelSpec(
        "yolov3",
        "script",
        "yolov3",
        resolution=416,
        sizes=YOLO_SIZES,
        note="pjreddie/darknet cfg/yolov3.cfg (80 classes)",
    ),
    ModelSpec(
        "espcn",
        "script",
        "espcn",
        resolution=224,
        channels=1,
        note="Shi et al. 2016 (x3, Y channel), padded as yjn870/ESPCN-pytorch",
    ),
    *[
        ModelSpec(f"timm:{n}", "timm", n)
        for n in (
            "mobilenetv1_100",
            "legacy_seresnet50",
            "seresnet50",
            "legacy_seresnext50_32x4d",
            "seresnext50_32x4d",
            "nasnetalarge",
        )
    ],
]


def _pair(v: Any) -> list[Any]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, (tuple, list)):
        return list(v)
    return [v, v]


def _shape(t: Any, nhwc: bool) -> list[int] | None:
    """Shape without the batch dim: [H, W, C] for 4-D, [C] for 2-D."""
    if isinstance(t, (tuple, list)):
        t = next((x for x in t if isinstance(x, torch.Tensor)), None)
    if not isinstance(t, torch.Tensor):
        return None
    dims = list(t.shape[1:])
    if len(dims) == 3 and not nhwc:
        return [dims[1], dims[2], dims[0]]
    return dims


def _layer_attrs(m: nn.Module) -> dict[str, Any] | None:
    if isinstance(m, nn.Conv2d):
        return {
            "k": _pair(m.kernel_size),
            "s": _pair(m.stride),
            "p": _pair(m.padding),
            "d": _pair(m.dilation),
            "g": m.groups,
            "bias": m.bias is not None,
        }
    if isinstance(m, POOL_TYPES):
        a: dict[str, Any] = {
            "k": _pair(m.kernel_size),
            "s": _pair(m.stride),
            "p": _pair(m.padding),
            "ceil": bool(m.ceil_mode),
        }
        if isinstance(m, nn.AvgPool2d):
            a["count_include_pad"] = bool(m.count_include_pad)
        if isinstance(m, nn.MaxPool2d) and _pair(m.dilation) != [1, 1]:
            a["d"] = _pair(m.dilation)
        return a
    if isinstance(m, ADAPTIVE_POOL_TYPES):
        return {"out": _pair(m.output_size)}
    if isinstance(m, PAD_TYPES):
        return {"pad": list(m.padding)}
    if isinstance(m, nn.Linear):
        return {"in": m.in_features, "out": m.out_features, "bias": m.bias is not None}
    if isinstance(m, nn.modules.dropout._DropoutNd):
        return {"p": m.p}
    return None


def _macs(m: nn.Module, inp: torch.Tensor, out: torch.Tensor) -> int:
    if isinstance(m, nn.Conv2d):
        kh, kw = m.kernel_size
        return out.numel() * (m.in_channels // m.groups) * kh * kw
    if isinstance(m, nn.Linear):
        rows = inp.numel() // m.in_features
        return rows * m.in_features * m.out_features
    if isinstance(m, nn.ConvTranspose2d):
        kh, kw = m.kernel_size
        return inp.numel() * (m.out_channels // m.groups) * kh * kw
    return 0


class _Recorder(TorchFunctionMode):
    """Forward hooks on leaf modules plus a function mode for functional ops."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.layers: list[list[Any]] = []
        self.functional: list[list[Any]] = []
        self.macs = 0
        self.nhwc = False
        self._stack: list[list[list[int]]] = []  # pads seen inside the running leaf
        self._open: list[int] = []  # reserved rows of running non-leaf modules
        self.called: set[str] = set()
        self._handles = []
        for name, m in model.named_modules():
            if next(m.children(), None) is None:
                self._handles.append(m.register_forward_pre_hook(self._pre))
                self._handles.append(m.register_forward_hook(self._make_post(name)))
            elif next(m.parameters(recurse=False), None) is not None:
                # Non-leaf owning parameters (timm BatchNormAct2d, ConvNeXt CNBlock):
                # its row is reserved when it starts, filled in when it ends.
                self._handles.append(m.register_forward_pre_hook(self._pre_nonleaf))
                self._handles.append(m.register_forward_hook(self._make_post(name, leaf=False)))

    def remove(self) -> None:
        for h in self._handles:
            h.remove()

    def _pre(self, m: nn.Module, args: tuple[Any, ...]) -> None:
        self._stack.append([])

    def _pre_nonleaf(self, m: nn.Module, args: tuple[Any, ...]) -> None:
        self._open.append(len(self.layers))
        self.layers.append([])

    def _make_post(self, name: str, leaf: bool = True) -> Callable[..., None]:
        def post(m: nn.Module, args: tuple[Any, ...], out: Any) -> None:
            pads = self._stack.pop() if leaf else []
            if type(m).__name__ == "Permute":
                self.nhwc = list(m.dims) == [0, 2, 3, 1]
            inp = args[0] if args else None
            macs = _macs(m, inp, out) if isinstance(inp, torch.Tensor) else 0
            self.macs += macs
            w = sum(p.numel() for n, p in m.named_parameters(recurse=False) if n != "bias")
            b = sum(p.numel() for n, p in m.named_parameters(recurse=False) if n == "bias")
            attrs = _layer_attrs(m)
            if pads and not isinstance(
                m, PAD_TYPES
            ):  # timm Conv2dSame / MaxPool2dSame: (l, r, t, b)
                attrs = dict(attrs or {}, dyn_pad=pads[0] if len(pads) == 1 else pads)
            row = [name, type(m).__name__, _shape(out, self.nhwc), w, b, macs, attrs]
            if leaf:
                self.layers.append(row)
            else:
                row[6] = dict(attrs or {}, nonleaf=True)
                self.layers[self._open.pop()] = row
            self.called.add(name)

        return post

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[override]
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        op = getattr(func, "__name__", "").strip("_")
        if op not in FUNCTIONAL_OPS:
            return out
        if self._stack:
            if op == "pad":
                self._stack[-1].append(list(args[1] if len(args) > 1 else kwargs["pad"]))
            return out
        self.functional.append(
            [len(self.layers), op, _shape(out, self.nhwc), _func_args(op, args, kwargs)]
        )
        return out


def _func_args(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any] | None:
    rest = list(args[1:])
    if op in ("max_pool2d", "avg_pool2d"):
        names = ["k", "s", "p"] + (
            ["d", "ceil"] if op == "max_pool2d" else ["ceil", "count_include_pad"]
        )
        keymap = {
            "kernel_size": "k",
            "stride": "s",
            "padding": "p",
            "dilation": "d",
            "ceil_mode": "ceil",
            "count_include_pad": "count_include_pad",
        }
        a: dict[str, Any] = {"p": 0, "ceil": False}
        a.update({"d": 1} if op == "max_pool2d" else {"count_include_pad": True})
        a.update(zip(names, rest, strict=False))
        a.update({keymap[k]: v for k, v in kwargs.items() if k in keymap})
        for k in ("k", "s", "p", "d"):
            if k in a and a[k] is not None:
                a[k] = _pair(a[k])
        if a.get("s") in (None, []):
            a["s"] = a["k"]
        return a
    if op in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        return {"out": _pair(rest[0] if rest else kwargs["output_size"])}
    if op == "pad":
        return {"pad": list(rest[0] if rest else kwargs["pad"])}
    if op in ("cat", "mean", "chunk", "split", "flatten"):
        a = {k: v for k, v in kwargs.items() if k in ("dim", "keepdim", "start_dim")}
        if rest:
            a["args"] = [list(x) if isinstance(x, (tuple, list)) else x for x in rest]
        if op == "cat":
            a["n"] = len(args[0])
        return a or None
    if op == "dropout":
        return {"p": rest[0] if rest else kwargs.get("p", 0.5)}
    return None


def _meta(spec: ModelSpec, model: nn.Module) -> tuple[dict[str, Any], int]:
    """Weights meta and the resolution to use (crop size unless overridden)."""
    if spec.source == "script":
        assert spec.resolution is not None, "a translated model names its resolution"
        return {"follows": spec.note}, spec.resolution
    if spec.source == "timm":
        cfg = getattr(model, "pretrained_cfg", {}) or {}
        size = list(cfg.get("input_size", (3, 224, 224)))
        meta = {"timm_input_size": size, "crop_pct": cfg.get("crop_pct")}
        return meta, spec.resolution or int(size[-1])
    w = torchvision.models.get_model_weights(spec.name).DEFAULT
    transforms = w.transforms()
    # a segmentation model's transforms resize (520) and do not crop
    crop = int((getattr(transforms, "crop_size", None) or transforms.resize_size)[0])
    meta = {
        "weights": str(w),
        "num_params": w.meta.get("num_params"),
        "_ops": w.meta.get("_ops"),
        "crop": crop,
    }
    return meta, spec.resolution or crop


def _forward(model: nn.Module, h: int, w: int, c: int = 3) -> tuple[_Recorder, Any]:
    """One batch-1 forward pass on a random ``c x h x w`` image, recorded; a dict's ``"out"``."""
    rec = _Recorder(model)
    try:
        with torch.no_grad(), rec:
            y = model(torch.randn(1, c, h, w))
    finally:
        rec.remove()
    if isinstance(y, dict):
        return rec, y["out"]
    return rec, y[-1] if isinstance(y, (list, tuple)) else y


def run_model(spec: ModelSpec) -> dict[str, Any]:
    torch.manual_seed(0)
    model = spec.build().eval()
    meta, res = _meta(spec, model)
    extra: dict[str, dict[str, int]] = {}
    for name, m in model.named_modules():
        if next(m.children(), None) is not None:
            own = {n: p.numel() for n, p in m.named_parameters(recurse=False)}
            if own:
                extra[name] = own
    rec, y = _forward(model, res, res, spec.channels)
    param_owners = {
        n for n, m in model.named_modules() if next(m.parameters(recurse=False), None) is not None
    }
    total = sum(p.numel() for p in model.parameters())
    entry: dict[str, Any] = {
        "source": spec.source,
        "ctor": spec.ctor(),
        "input": [res, res, spec.channels],
        "output": _shape(y, False),
        "total_params": total,
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "buffers": sum(
            b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")
        ),
        "macs": rec.macs,
        "meta": meta,
    }
    if spec.note:
        entry["note"] = spec.note
    if extra:
        entry["extra_params"] = extra
    unused = sorted(param_owners - rec.called)
    if unused:
        entry["unused_param_modules"] = unused
    entry["layers"] = rec.layers
    entry["functional"] = rec.functional
    # Sanity: every parameter is owned by a recorded module or an unused one.
    seen: set[str] = set()
    counted = 0
    for row in rec.layers:
        if row[0] not in seen:
            seen.add(row[0])
            counted += row[3] + row[4]
    counted += sum(
        p.numel()
        for n, m in model.named_modules()
        if n in unused
        for p in m.parameters(recurse=False)
    )
    if counted != total:
        print(
            f"  WARNING {spec.key}: leaf+extra params {counted} != total {total}", file=sys.stderr
        )
    del model, rec, y
    gc.collect()
    return entry


def _multiset(rows: list[tuple[int, ...]]) -> list[list[int]]:
    """Rows with their counts appended, sorted: ``[*row, count]``."""
    return [[*row, n] for row, n in sorted(Counter(rows).items())]


def _volume(shape: list[int]) -> tuple[int, int, int]:
    return (shape[0], shape[1], shape[2]) if len(shape) == 3 else (1, 1, shape[-1])


#: The weighted modules and the norms whose output volumes --sizes records.
WEIGHTED_TYPES = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
NORM_TYPES = (nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm, nn.InstanceNorm2d)


def _at_size(model: nn.Module, h: int, w: int, c: int) -> dict[str, Any]:
    """Totals and the conv/fc/norm output volumes of one forward pass at ``h x w``, or what the
    model raised."""
    try:
        rec, y = _forward(model, h, w, c)
    except Exception as exc:  # the model refuses this size: record how
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return {"refused": f"{type(exc).__name__}: {first}"}
    modules = dict(model.named_modules())
    weighted = [
        (*_volume(row[2]), row[3], row[4])
        for row in rec.layers
        if isinstance(modules[row[0]], WEIGHTED_TYPES)
    ]
    norms = [_volume(row[2]) for row in rec.layers if isinstance(modules[row[0]], NORM_TYPES)]
    return {
        "output": _shape(y, False),
        "total_params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(
            b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")
        ),
        "macs": rec.macs,
        "weighted": _multiset(weighted),
        "norms": _multiset(norms),
    }


def run_sizes(spec: ModelSpec) -> dict[str, Any]:
    """The model at :data:`EXTRA_SIZES`, at the smallest square side it accepts, and at two sizes
    just below that, which it refuses."""
    torch.manual_seed(0)
    model = spec.build().eval()
    _, res = _meta(spec, model)

    def accepts(side: int) -> bool:
        try:
            _forward(model, side, side, spec.channels)
        except Exception:  # any refusal; _at_size records which
            return False
        return True

    min_side = next((n for n in range(1, MAX_MIN_SIDE + 1) if accepts(n)), None)
    if min_side is None:
        raise RuntimeError(f"accepts no square side up to {MAX_MIN_SIDE}")
    sizes = [hw for hw in spec.sizes or EXTRA_SIZES if hw != (res, res)][:N_EXTRA]
    sizes += [(min_side, min_side)]
    if min_side > 1:
        sizes += [(min_side - 1, min_side - 1), (min_side - 1, res)]
    entry: dict[str, Any] = {
        "ctor": spec.ctor(),
        "own": [res, res],
        "min_side": min_side,
        "sizes": {f"{h}x{w}": _at_size(model, h, w, spec.channels) for h, w in sizes},
    }
    gc.collect()
    return entry


def _dump(data: dict[str, Any]) -> str:
    """Compact JSON: one line per top-level key."""
    lines = [f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in data.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


SIZES_FORMAT = {
    "sizes": "'HxW' (height x width) -> totals and multisets, or {'refused': 'Class: message'}",
    "weighted": ["H", "W", "C", "weights", "biases", "count"],
    "norms": ["H", "W", "C", "count"],
    "macs": "sum Conv2d out_numel*(Cin/groups)*kh*kw + Linear rows*in*out; no bias",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", help="comma-separated keys to (re)generate; merged into --out")
    ap.add_argument("--out", type=Path, help=f"default: {OUT_DEFAULT} ({OUT_SIZES} with --sizes)")
    ap.add_argument("--list", action="store_true", help="print model keys and exit")
    ap.add_argument("--sizes", action="store_true", help="record the other input sizes")
    ns = ap.parse_args(argv)
    ns.out = ns.out or (OUT_SIZES if ns.sizes else OUT_DEFAULT)
    if ns.list:
        print("\n".join(s.key for s in SPECS))
        return 0
    wanted = set(ns.models.split(",")) if ns.models else None
    specs = [s for s in SPECS if wanted is None or s.key in wanted]
    if wanted and len(specs) != len(wanted):
        ap.error(f"unknown models: {sorted(wanted - {s.key for s in specs})}")
    data: dict[str, Any] = {}
    if wanted and ns.out.exists():
        data = json.loads(ns.out.read_text())
    data["generated_with"] = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "timm": getattr(timm, "__version__", None),
        "python": sys.version.split()[0],
        "script": "scripts/make_torch_reference.py",
    }
    data["format"] = (
        SIZES_FORMAT
        if ns.sizes
        else {
            "layers": [
                "name",
                "class",
                "out_shape [H,W,C] or [C]",
                "weights",
                "biases",
                "macs",
                "attrs",
            ],
            "functional": ["n_layers_before", "op", "out_shape", "args"],
            "macs": "sum Conv2d out_numel*(Cin/groups)*kh*kw + Linear rows*in*out; no bias",
        }
    )
    failed: list[str] = []
    for spec in specs:
        t0 = time.time()
        try:
            data[spec.key] = (run_sizes if ns.sizes else run_model)(spec)
        except Exception as exc:  # keep going; report at the end
            failed.append(f"{spec.key}: {type(exc).__name__}: {exc}")
            print(f"FAILED {spec.key}: {exc}", file=sys.stderr)
            continue
        e = data[spec.key]
        if ns.sizes:
            verdicts = ", ".join(
                f"{hw} {'refused' if 'refused' in r else 'ok'}" for hw, r in e["sizes"].items()
            )
            print(f"{spec.key:28s} {verdicts} ({time.time() - t0:.1f}s)", flush=True)
            continue
        print(
            f"{spec.key:28s} {e['input'][0]:4d}px params={e['total_params']:>11,d}"
            f" macs={e['macs']:>15,d} layers={len(e['layers'])} ({time.time() - t0:.1f}s)",
            flush=True,
        )
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    ns.out.write_text(_dump(data))
    print(f"wrote {ns.out} ({ns.out.stat().st_size:,} bytes)")
    for f in failed:
        print("FAILED", f, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
