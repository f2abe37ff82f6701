"""Generate PyTorch reference figures for cnncalc's tests.

This script is NOT part of cnncalc (which is framework-free); it is a
developer tool that builds well-known CNNs with torchvision / timm (random
weights, nothing is downloaded), runs one batch-1 forward pass per model in
eval mode, and writes ``tests/reference/torch_reference.json`` so that the
pure-Python engine can be checked against PyTorch layer by layer.

What is recorded, per model (one top-level JSON key per model):

* ``source`` ("torchvision", "timm", or "script": a faithful PyTorch translation of a paper's
  network written in this script, under :data:`TRANSLATIONS`, citing what it follows), ``ctor``
  (the constructor call used), ``input`` as [H, W, C] ([L, C] for a sequence, [D, H, W, C] for
  a clip or a volume: a model's rank is its input's number of spatial axes);
* ``total_params`` (``sum(p.numel() for p in model.parameters())``),
  ``trainable_params``, ``buffers`` (buffer elements, excluding
  ``num_batches_tracked``), ``macs`` (see below);
* ``meta``: torchvision's weights meta (``num_params``, ``_ops`` in GFLOPS,
  weights enum name, crop size) or timm's ``pretrained_cfg`` input size;
* ``layers``: one entry per call of a LEAF module (a module without children),
  in execution order (a module called twice appears twice), each a list
  ``[name, class, out_shape, weights, biases, macs, attrs]`` where
  ``out_shape`` is [H, W, C] for 4-D outputs (NHWC tensors inside ConvNeXt
  blocks are recognised and also given as [H, W, C]), [C] for 2-D outputs
  (channels last in every rank: [L, C] and [D, H, W, C] for 3-D and 5-D ones);
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

MACs follow torchvision's "GFLOPS" convention: the sum over Conv1d/2d/3d of
``out_numel * (Cin / groups) * prod(kernel_size)`` plus, for Linear,
``in_features * out_features * rows`` (rows = input numel / in_features);
biases, norms, activations, pools and adds are not counted. A ConvTranspose1d/2d/3d counts
``in_numel * (Cout / groups) * prod(kernel_size)``, every weight once per input position (fvcore's
``conv_flop_count`` for a transposed convolution). A model returning a dict (torchvision's
segmentation models) is recorded by its ``"out"`` head, one returning a list (YOLOv3's three
heads) by its last.

With ``--sizes`` it writes ``tests/reference/torch_sizes.json`` instead: every
model at other input sizes, compactly. Per model: ``ctor``, ``own`` (the size
recorded above, [H, W]), ``min_side`` (the smallest square side the model
accepts, found by trying 1, 2, 3 ...) and ``sizes``, keyed ``"HxW"`` (height x
width): :data:`EXTRA_SIZES` except the model's own, the square ``min_side``, and
two refused sizes, ``min_side - 1`` square and ``min_side - 1`` high at the
model's own width. A model of rank 1 or 3 has its own list of sizes
(``ModelSpec.sizes``, keyed ``"L"`` or ``"DxHxW"``) and, for ``min_side``,
``min_sides``: per axis, the others at the own size, a side the model accepts
whose predecessor it refuses (see :func:`run_sizes`), each recorded with that
predecessor. An accepted size records ``output``, ``total_params``,
``buffers``, ``macs`` (as above), ``weighted`` (the conv and Linear calls, a
multiset of ``[H, W, C, weights, biases, count]``, the volume in the model's
rank as ``out_shape``: order-free, as the test compares them) and ``norms``
(the BatchNorm and LayerNorm calls, timm's subclasses included, as ``[H, W, C,
count]``). A refused size records ``refused``: the exception's class and the
first line of its message.

Run (from the repository root), with the dedicated venv that has
torch 2.14.1, torchvision 0.29.1, timm and torchinfo installed::

    /work/torchref/venv/bin/python scripts/make_torch_reference.py

Options: ``--models a,b,c`` regenerates only those keys (merged into an
existing output file, so the others stay byte for byte), ``--out PATH`` writes
elsewhere, ``--list`` prints the model keys, ``--sizes`` records the other
input sizes. The models of rank 1 and 3, added last, are recorded alone with
``--models r3d_18,mc3_18,r2plus1d_18,s3d,c3d,m5,kim_cnn,unet3d``.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
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

#: Functional pools in every rank: ``max_pool1d`` ... ``adaptive_avg_pool3d``.
POOL_OPS = frozenset(f"{kind}_pool{n}d" for kind in ("max", "avg") for n in (1, 2, 3))
ADAPTIVE_POOL_OPS = frozenset(f"adaptive_{op}" for op in POOL_OPS)
# Functional ops (called outside leaf modules) worth recording.
FUNCTIONAL_OPS = (
    POOL_OPS
    | ADAPTIVE_POOL_OPS
    | frozenset(
        {
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
)

CONV_TYPES = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
TRANSPOSED_TYPES = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
MAX_POOL_TYPES = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)
AVG_POOL_TYPES = (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)
POOL_TYPES = MAX_POOL_TYPES + AVG_POOL_TYPES
ADAPTIVE_POOL_TYPES = (
    nn.AdaptiveAvgPool1d,
    nn.AdaptiveAvgPool2d,
    nn.AdaptiveAvgPool3d,
    nn.AdaptiveMaxPool1d,
    nn.AdaptiveMaxPool2d,
    nn.AdaptiveMaxPool3d,
)
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
    #: Sizes recorded with --sizes instead of EXTRA_SIZES (a generator's latent grows its output;
    #: a sequence or a clip has other axes), each one number per spatial axis.
    sizes: tuple[tuple[int, ...], ...] | None = None
    #: The input's spatial sizes when it is no square image: ``(L,)`` for a sequence, ``(D, H, W)``
    #: for a clip or a volume; its length is the model's rank (None: ``(resolution, resolution)``).
    spatial: tuple[int, ...] | None = None

    @property
    def rank(self) -> int:
        """Spatial axes of the input: 1 (Conv1d), 2 (Conv2d) or 3 (Conv3d)."""
        return len(self.spatial) if self.spatial else 2

    def ctor(self) -> str:
        if self.source == "timm":
            return f"timm.create_model({self.name!r}, pretrained=False)"
        if self.source == "script":
            return f"scripts/make_torch_reference.py:{self.name}()"
        args = ", ".join(f"{k}={v!r}" for k, v in {"weights": None, **self.kwargs}.items())
        return f"torchvision.models.{_torchvision_package(self.name)}{self.name}({args})"

    def build(self) -> nn.Module:
        if self.source == "timm":
            if timm is None:
                raise RuntimeError("timm is not installed")
            return timm.create_model(self.name, pretrained=False)
        if self.source == "script":
            return TRANSLATIONS[self.name]()
        package = torchvision.models
        for part in _torchvision_package(self.name).split(".")[:-1]:
            package = getattr(package, part)
        builder: Callable[..., nn.Module] = getattr(package, self.name)
        return builder(weights=None, **self.kwargs)


def _torchvision_package(name: str) -> str:
    """Where torchvision keeps a builder, below ``torchvision.models``: ``""``, ``"segmentation."``
    or ``"video."``."""
    models = torchvision.models
    return next(
        f"{part}." if part else ""
        for part in ("", "segmentation", "video")
        if hasattr(getattr(models, part) if part else models, name)
    )


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
    mode).

    The same network in ``rank`` spatial axes, with two convolutions of ``widths[i]`` (first,
    second) filters per level of the contracting path; each level of the expansive path has two
    convolutions as wide as the map its skip comes from. ``norm`` puts a batch norm without a
    learned scale or shift before each ReLU; ``up_halves`` (else the up-convolution keeps its
    input's channels) and ``up_bias`` shape the up-convolutions: see :func:`unet3d`."""

    def __init__(
        self,
        channels: int = 1,
        classes: int = 2,
        *,
        rank: int = 2,
        widths: tuple[tuple[int, int], ...] = (
            (64, 64),
            (128, 128),
            (256, 256),
            (512, 512),
            (1024, 1024),
        ),
        norm: bool = False,
        up_halves: bool = True,
        up_bias: bool = True,
    ) -> None:
        super().__init__()
        conv = getattr(nn, f"Conv{rank}d")

        def double(cin: int, mid: int, cout: int) -> nn.Sequential:
            def unit(cin: int, cout: int) -> list[nn.Module]:
                bn = [getattr(nn, f"BatchNorm{rank}d")(cout, affine=False)] if norm else []
                return [conv(cin, cout, 3), *bn, nn.ReLU()]

            return nn.Sequential(*unit(cin, mid), *unit(mid, cout))

        ins = [channels, *(out for _, out in widths[:-1])]
        self.down = nn.ModuleList(
            double(cin, mid, cout) for cin, (mid, cout) in zip(ins, widths, strict=True)
        )
        self.pool = getattr(nn, f"MaxPool{rank}d")(2)
        below = [out for _, out in reversed(widths)]  # each level's input from below, then skip
        ups = [c // 2 if up_halves else c for c in below[:-1]]
        self.upconv = nn.ModuleList(
            getattr(nn, f"ConvTranspose{rank}d")(c, u, 2, stride=2, bias=up_bias)
            for c, u in zip(below[:-1], ups, strict=True)
        )
        self.up = nn.ModuleList(
            double(u + skip, skip, skip) for u, skip in zip(ups, below[1:], strict=True)
        )
        self.scores = conv(widths[0][1], classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else self.pool(x))
            skips.append(x)
        skips.pop()
        for upconv, block in zip(self.upconv, self.up, strict=True):
            x = upconv(x)
            skip = skips.pop()
            centre = tuple(
                slice((s - n) // 2, (s - n) // 2 + n)
                for s, n in zip(skip.shape[2:], x.shape[2:], strict=True)
            )
            x = block(torch.cat([skip[(..., *centre)], x], 1))
        return self.scores(x)


def unet3d() -> nn.Module:
    """3-D U-Net (Çiçek et al. 2016, "3D U-Net: Learning Dense Volumetric Segmentation from Sparse
    Annotation", arXiv:1606.06650, figure 1 and section 2): U-Net's layout in three axes, unpadded
    3x3x3 convolutions with a batch norm before each ReLU, 32/64, 64/128, 128/256 and 256/512
    filters down, 2x2x2 max pools, 2x2x2 stride-2 up-convolutions keeping their input's channels
    (512, 256, 128), each level up two convolutions as wide as the skip (256, 128, 64), a 1x1x1
    convolution to 3 labels; 3 input channels. The paper's "19069955 parameters in total" are
    exactly the convolutions' weights and biases and the up-convolutions' weights, so its batch
    norms learn no scale or shift (Caffe's BatchNorm layer, with no Scale layer after it) and its
    up-convolutions have no bias: built so here."""
    return UNet(
        3,
        3,
        rank=3,
        widths=((32, 64), (64, 128), (128, 256), (256, 512)),
        norm=True,
        up_halves=False,
        up_bias=False,
    )


def c3d(classes: int = 487) -> nn.Module:
    """C3D (Tran, Bourdev, Fergus, Torresani & Paluri 2015, "Learning Spatiotemporal Features with
    3D Convolutional Networks", arXiv:1412.0767, section 3.3 and figure 3) as DavideA/c3d-pytorch
    ``C3D_model.py`` builds it for the Sports-1M weights: eight 3x3x3 convolutions padded 1, each
    with ReLU; pool1 1x2x2, pools 2 to 5 2x2x2, pool5 padded (0, 1, 1) so that a 16x112x112 clip
    leaves 512x1x4x4 = 8192 features; fc6 and fc7 of 4096 with ReLU and dropout 0.5, fc8 to the
    487 Sports-1M classes, softmax. One change: the features are flattened per clip, where the
    port's ``view(-1, 8192)`` would fold a larger map into extra batch rows; so fc6 refuses a clip
    of another size, as the spec does."""

    def conv(cin: int, cout: int) -> list[nn.Module]:
        return [nn.Conv3d(cin, cout, 3, padding=1), nn.ReLU()]

    def fc(cin: int, cout: int) -> list[nn.Module]:
        return [nn.Linear(cin, cout), nn.ReLU(), nn.Dropout(0.5)]

    return nn.Sequential(
        *conv(3, 64),
        nn.MaxPool3d((1, 2, 2)),
        *conv(64, 128),
        nn.MaxPool3d(2),
        *conv(128, 256),
        *conv(256, 256),
        nn.MaxPool3d(2),
        *conv(256, 512),
        *conv(512, 512),
        nn.MaxPool3d(2),
        *conv(512, 512),
        *conv(512, 512),
        nn.MaxPool3d(2, padding=(0, 1, 1)),
        nn.Flatten(),
        *fc(8192, 4096),
        *fc(4096, 4096),
        nn.Linear(4096, classes),
        nn.Softmax(dim=1),
    )


def m5(classes: int = 10) -> nn.Module:
    """M5 (Dai, Dai, Qu, Li & Das 2017, "Very Deep Convolutional Neural Networks for Raw
    Waveforms", arXiv:1610.00087, table 1) on 32000 samples (4 s at 8 kHz): a convolution of 128
    filters 80 samples wide with stride 4, then convolutions 3 wide of 128, 256 and 512 filters,
    each followed by batch norm, ReLU and a max pool of 4; global average pooling and a linear
    layer to the 10 UrbanSound8k classes. The table's sizes (32000, 8000, 2000, 2000, 500, 500,
    125, 125, 31) are TensorFlow's "same" convolutions: 76 samples of padding at stride 4 (38 on
    each side), 1 at width 3. Biases as Keras's Conv1D has them: philipperemy's port
    (very-deep-convnets-raw-waveforms, ``models.py``), whose 559,114 trainable parameters these
    are."""

    def block(
        cin: int, cout: int, width: int = 3, stride: int = 1, pad: int = 1
    ) -> list[nn.Module]:
        return [
            nn.Conv1d(cin, cout, width, stride, pad),
            nn.BatchNorm1d(cout),
            nn.ReLU(),
            nn.MaxPool1d(4),
        ]

    return nn.Sequential(
        *block(1, 128, 80, 4, 38),
        *block(128, 128),
        *block(128, 256),
        *block(256, 512),
        nn.AdaptiveAvgPool1d(1),
        nn.Flatten(),
        nn.Linear(512, classes),
    )


class KimCNN(nn.Module):
    """The sentence CNN of Kim 2014 ("Convolutional Neural Networks for Sentence Classification",
    arXiv:1408.5882, section 2 and 3.1), CNN-static, from the embedded sentence on: convolutions 3,
    4 and 5 words wide over the 300 word2vec dimensions, 100 filters each, ReLU, max over time,
    the three concatenated (300), dropout 0.5, a linear layer to the 2 MR classes; as
    yoonkim/CNN_sentence ``conv_net_sentence.py`` (``filter_hs=[3,4,5]``,
    ``hidden_units=[100,2]``). The embedding lookup is left out: the input is the sentence's
    word vectors."""

    def __init__(
        self,
        dims: int = 300,
        filters: int = 100,
        widths: tuple[int, ...] = (3, 4, 5),
        classes: int = 2,
    ) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv1d(dims, filters, w) for w in widths)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveMaxPool1d(1)
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(filters * len(widths), classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.cat([self.pool(self.relu(conv(x))) for conv in self.convs], 1)
        return self.fc(self.dropout(x.flatten(1)))


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
    "unet3d": unet3d,
    "c3d": c3d,
    "m5": m5,
    "kim_cnn": KimCNN,
}
#: Tiles the paper's U-Net takes besides 572 (its valid convolutions refuse EXTRA_SIZES): 572 - 16k,
#: a non-square pair, and odd sides whose pools floor.
UNET_SIZES = ((476, 476), (508, 540), (573, 573), (589, 621), (700, 700))
#: Sizes YOLOv3 takes besides 416: each stride-2 halving must leave an even side below the last, so
#: multiples of 32, and one less (415 -> 208 -> ... -> 13).
YOLO_SIZES = ((320, 320), (415, 415), (288, 480), (608, 608), (383, 511))
#: A latent's sizes besides 1x1: each grows the generator's output 16-fold per side.
LATENT_SIZES = ((2, 2), (3, 3), (2, 3), (3, 5), (4, 4))
#: Clips (frames x height x width) besides 16x112x112: half and twice the frames, Kinetics'
#: 128x171 resize before its crop, odd sides everywhere, and a larger square frame.
VIDEO_SIZES = ((8, 112, 112), (32, 112, 112), (16, 128, 171), (13, 97, 131), (16, 160, 160))
#: S3D's clips besides 16x224x224: its weights' 14-frame minimum, twice the frames, a non-square
#: frame, and odd sides (its 2x7x7 pool needs 209 pixels and 13 frames: see min_sides).
S3D_SIZES = ((14, 224, 224), (32, 224, 224), (16, 256, 320), (15, 231, 225), (17, 239, 229))
#: C3D's fc6 takes 8192 features only (512x1x4x4), so 16 to 31 frames of 96 to 127 pixels: odd and
#: non-square clips inside that box, and clips just past its upper faces, which it refuses.
C3D_SIZES = (
    (17, 112, 112),
    (31, 127, 127),
    (24, 100, 120),
    (19, 113, 97),
    (16, 96, 127),
    (32, 112, 112),
    (16, 128, 112),
)
#: Waveforms besides 32000 samples (4 s at 8 kHz): 1, 2 and 3 s, one sample more, an odd length.
WAVE_SIZES = ((8000,), (16000,), (24000,), (32001,), (12345,))
#: Sentences besides 64 words: shorter and longer, odd and even.
SENTENCE_SIZES = ((16,), (37,), (56,), (100,), (128,))
#: Volumes (D x H x W) besides 116x132x132: the smallest cube (92: fourteen valid convolutions
#: and three pools leave 4 a side), odd sides whose pools floor, a shallower and a larger tile.
UNET3D_SIZES = ((92, 92, 92), (117, 133, 131), (100, 132, 132), (116, 148, 164), (101, 99, 125))

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
    # Sequences, clips and volumes (added last: a full run keeps the recorded order).
    *[
        ModelSpec(n, "torchvision", n, spatial=(16, 112, 112), sizes=VIDEO_SIZES)
        for n in ("r3d_18", "mc3_18", "r2plus1d_18")
    ],
    ModelSpec("s3d", "torchvision", "s3d", spatial=(16, 224, 224), sizes=S3D_SIZES),
    ModelSpec(
        "c3d",
        "script",
        "c3d",
        spatial=(16, 112, 112),
        sizes=C3D_SIZES,
        note="DavideA/c3d-pytorch C3D_model.py (Sports-1M, 487 classes), flattened per clip",
    ),
    ModelSpec(
        "m5",
        "script",
        "m5",
        spatial=(32000,),
        channels=1,
        sizes=WAVE_SIZES,
        note="Dai et al. 2017 table 1, 'same' padding and biases as the Keras port (10 classes)",
    ),
    ModelSpec(
        "kim_cnn",
        "script",
        "kim_cnn",
        spatial=(64,),
        channels=300,
        sizes=SENTENCE_SIZES,
        note="Kim 2014 CNN-static after the embedding (64 padded words x 300, 2 classes)",
    ),
    ModelSpec(
        "unet3d",
        "script",
        "unet3d",
        spatial=(116, 132, 132),
        sizes=UNET3D_SIZES,
        note="Cicek et al. 2016 figure 1 (19,069,955 parameters), D x H x W = z x y x x",
    ),
]


def _axes(v: Any, rank: int) -> list[Any]:
    """A hyper-parameter as one value per spatial axis (a string, such as "same", stays one)."""
    if isinstance(v, str):
        return [v]
    if isinstance(v, (tuple, list)):
        return list(v)
    return [v] * rank


def _shape(t: Any, nhwc: bool, rank: int) -> list[int] | None:
    """Shape without the batch dim, channels last: [*spatial, C] for a tensor with ``rank``
    spatial axes ([H, W, C] for 4-D at rank 2), else as it is ([C] for 2-D)."""
    if isinstance(t, (tuple, list)):
        t = next((x for x in t if isinstance(x, torch.Tensor)), None)
    if not isinstance(t, torch.Tensor):
        return None
    dims = list(t.shape[1:])
    if len(dims) == rank + 1 and not nhwc:
        return [*dims[1:], dims[0]]
    return dims


def _layer_attrs(m: nn.Module, rank: int) -> dict[str, Any] | None:
    if isinstance(m, CONV_TYPES):
        return {
            "k": _axes(m.kernel_size, rank),
            "s": _axes(m.stride, rank),
            "p": _axes(m.padding, rank),
            "d": _axes(m.dilation, rank),
            "g": m.groups,
            "bias": m.bias is not None,
        }
    if isinstance(m, POOL_TYPES):
        a: dict[str, Any] = {
            "k": _axes(m.kernel_size, rank),
            "s": _axes(m.stride, rank),
            "p": _axes(m.padding, rank),
            "ceil": bool(m.ceil_mode),
        }
        if isinstance(m, AVG_POOL_TYPES):
            a["count_include_pad"] = bool(m.count_include_pad)
        if isinstance(m, MAX_POOL_TYPES) and _axes(m.dilation, rank) != [1] * rank:
            a["d"] = _axes(m.dilation, rank)
        return a
    if isinstance(m, ADAPTIVE_POOL_TYPES):
        return {"out": _axes(m.output_size, rank)}
    if isinstance(m, PAD_TYPES):
        return {"pad": list(m.padding)}
    if isinstance(m, nn.Linear):
        return {"in": m.in_features, "out": m.out_features, "bias": m.bias is not None}
    if isinstance(m, nn.modules.dropout._DropoutNd):
        return {"p": m.p}
    return None


def _macs(m: nn.Module, inp: torch.Tensor, out: torch.Tensor) -> int:
    if isinstance(m, CONV_TYPES):
        return out.numel() * (m.in_channels // m.groups) * math.prod(m.kernel_size)
    if isinstance(m, nn.Linear):
        rows = inp.numel() // m.in_features
        return rows * m.in_features * m.out_features
    if isinstance(m, TRANSPOSED_TYPES):
        return inp.numel() * (m.out_channels // m.groups) * math.prod(m.kernel_size)
    return 0


class _Recorder(TorchFunctionMode):
    """Forward hooks on leaf modules plus a function mode for functional ops."""

    def __init__(self, model: nn.Module, rank: int) -> None:
        super().__init__()
        self.rank = rank
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
            attrs = _layer_attrs(m, self.rank)
            if pads and not isinstance(
                m, PAD_TYPES
            ):  # timm Conv2dSame / MaxPool2dSame: (l, r, t, b)
                attrs = dict(attrs or {}, dyn_pad=pads[0] if len(pads) == 1 else pads)
            row = [name, type(m).__name__, _shape(out, self.nhwc, self.rank), w, b, macs, attrs]
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
            [
                len(self.layers),
                op,
                _shape(out, self.nhwc, self.rank),
                _func_args(op, args, kwargs, self.rank),
            ]
        )
        return out


def _func_args(
    op: str, args: tuple[Any, ...], kwargs: dict[str, Any], rank: int
) -> dict[str, Any] | None:
    rest = list(args[1:])
    if op in POOL_OPS:
        is_max = op.startswith("max")
        names = ["k", "s", "p"] + (["d", "ceil"] if is_max else ["ceil", "count_include_pad"])
        keymap = {
            "kernel_size": "k",
            "stride": "s",
            "padding": "p",
            "dilation": "d",
            "ceil_mode": "ceil",
            "count_include_pad": "count_include_pad",
        }
        a: dict[str, Any] = {"p": 0, "ceil": False}
        a.update({"d": 1} if is_max else {"count_include_pad": True})
        a.update(zip(names, rest, strict=False))
        a.update({keymap[k]: v for k, v in kwargs.items() if k in keymap})
        for k in ("k", "s", "p", "d"):
            if k in a and a[k] is not None:
                a[k] = _axes(a[k], rank)
        if a.get("s") in (None, []):
            a["s"] = a["k"]
        return a
    if op in ADAPTIVE_POOL_OPS:
        return {"out": _axes(rest[0] if rest else kwargs["output_size"], rank)}
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


def _meta(spec: ModelSpec, model: nn.Module) -> tuple[dict[str, Any], tuple[int, ...]]:
    """Weights meta and the spatial input size to use: ``spec.spatial``, else the resolution
    (crop size unless overridden) squared."""
    if spec.source == "script":
        assert spec.resolution or spec.spatial, "a translated model names its input size"
        return {"follows": spec.note}, spec.spatial or (spec.resolution, spec.resolution)
    if spec.source == "timm":
        cfg = getattr(model, "pretrained_cfg", {}) or {}
        size = list(cfg.get("input_size", (3, 224, 224)))
        meta = {"timm_input_size": size, "crop_pct": cfg.get("crop_pct")}
        res = spec.resolution or int(size[-1])
        return meta, spec.spatial or (res, res)
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
    res = spec.resolution or crop
    return meta, spec.spatial or (res, res)


def _forward(model: nn.Module, size: tuple[int, ...], c: int = 3) -> tuple[_Recorder, Any]:
    """One batch-1 forward pass on a random input of ``c`` channels and spatial ``size``
    (``h x w`` for an image), recorded; a dict's ``"out"``."""
    rec = _Recorder(model, len(size))
    try:
        with torch.no_grad(), rec:
            y = model(torch.randn(1, c, *size))
    finally:
        rec.remove()
    if isinstance(y, dict):
        return rec, y["out"]
    return rec, y[-1] if isinstance(y, (list, tuple)) else y


def run_model(spec: ModelSpec) -> dict[str, Any]:
    torch.manual_seed(0)
    model = spec.build().eval()
    meta, own_size = _meta(spec, model)
    extra: dict[str, dict[str, int]] = {}
    for name, m in model.named_modules():
        if next(m.children(), None) is not None:
            own = {n: p.numel() for n, p in m.named_parameters(recurse=False)}
            if own:
                extra[name] = own
    rec, y = _forward(model, own_size, spec.channels)
    param_owners = {
        n for n, m in model.named_modules() if next(m.parameters(recurse=False), None) is not None
    }
    total = sum(p.numel() for p in model.parameters())
    entry: dict[str, Any] = {
        "source": spec.source,
        "ctor": spec.ctor(),
        "input": [*own_size, spec.channels],
        "output": _shape(y, False, spec.rank),
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


def _volume(shape: list[int], rank: int) -> tuple[int, ...]:
    """A recorded shape as a volume ``(*spatial, C)``: an fc's ``[C]`` is ``1 x ... x 1 x C``."""
    return tuple(shape) if len(shape) == rank + 1 else (*[1] * rank, shape[-1])


#: The weighted modules and the norms whose output volumes --sizes records.
WEIGHTED_TYPES = (*CONV_TYPES, *TRANSPOSED_TYPES, nn.Linear)
NORM_TYPES = (
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.LayerNorm,
    nn.GroupNorm,
    nn.InstanceNorm1d,
    nn.InstanceNorm2d,
    nn.InstanceNorm3d,
)


def _at_size(model: nn.Module, size: tuple[int, ...], c: int) -> dict[str, Any]:
    """Totals and the conv/fc/norm output volumes of one forward pass at spatial ``size``, or what
    the model raised."""
    rank = len(size)
    try:
        rec, y = _forward(model, size, c)
    except Exception as exc:  # the model refuses this size: record how
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return {"refused": f"{type(exc).__name__}: {first}"}
    modules = dict(model.named_modules())
    weighted = [
        (*_volume(row[2], rank), row[3], row[4])
        for row in rec.layers
        if isinstance(modules[row[0]], WEIGHTED_TYPES)
    ]
    norms = [_volume(row[2], rank) for row in rec.layers if isinstance(modules[row[0]], NORM_TYPES)]
    return {
        "output": _shape(y, False, rank),
        "total_params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(
            b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")
        ),
        "macs": rec.macs,
        "weighted": _multiset(weighted),
        "norms": _multiset(norms),
    }


def run_sizes(spec: ModelSpec) -> dict[str, Any]:
    """The model at its other sizes, where it stops accepting smaller inputs, and just below.

    An image: :data:`EXTRA_SIZES`, the smallest square side it accepts (trying 1, 2, 3 ...), and
    two sizes just below that, which it refuses. A sequence, clip or volume (``spec.sizes``; one
    forward pass of the 3-D U-Net is 267 GMACs, too many for a search from 1): per axis, the
    others at the model's own size, a side ``m`` it accepts with ``m - 1`` refused, found by
    bisection between 1 and the own size (the smallest such side where acceptance grows with the
    side), and both sizes."""
    torch.manual_seed(0)
    model = spec.build().eval()
    _, own = _meta(spec, model)

    def accepts(size: tuple[int, ...]) -> bool:
        try:
            _forward(model, size, spec.channels)
        except Exception:  # any refusal; _at_size records which
            return False
        return True

    if spec.sizes is None:
        sizes = [hw for hw in EXTRA_SIZES if hw != own][:N_EXTRA]
    else:
        sizes = [size for size in spec.sizes if size != own]
    entry: dict[str, Any] = {"ctor": spec.ctor(), "own": list(own)}
    if spec.rank == 2:
        side = next((n for n in range(1, MAX_MIN_SIDE + 1) if accepts((n, n))), None)
        if side is None:
            raise RuntimeError(f"accepts no square side up to {MAX_MIN_SIDE}")
        entry["min_side"] = side
        sizes += [(side, side)]
        if side > 1:
            sizes += [(side - 1, side - 1), (side - 1, own[1])]
    else:
        entry["min_sides"] = []
        for axis in range(spec.rank):

            def at(n: int, axis: int = axis) -> tuple[int, ...]:
                return (*own[:axis], n, *own[axis + 1 :])

            side = _boundary(lambda n: accepts(at(n)), own[axis])
            entry["min_sides"].append(side)
            sizes += [at(side), at(side - 1)] if side > 1 else [at(side)]
    entry["sizes"] = {
        "x".join(map(str, size)): _at_size(model, size, spec.channels) for size in sizes
    }
    gc.collect()
    return entry


def _boundary(accepts: Callable[[int], bool], accepted: int) -> int:
    """A side ``m <= accepted`` with ``accepts(m)`` and, unless ``m`` is 1, not ``accepts(m - 1)``:
    bisection between 1 and ``accepted`` (which must be accepted)."""
    if accepts(1):
        return 1
    refused = 1
    while accepted - refused > 1:
        mid = (refused + accepted) // 2
        if accepts(mid):
            accepted = mid
        else:
            refused = mid
    return accepted


def _dump(data: dict[str, Any]) -> str:
    """Compact JSON: one line per top-level key."""
    lines = [f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in data.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


#: A recorded volume: its spatial sizes (H, W; L for a sequence; D, H, W for a clip), then C.
VOLUME = ["H", "W (L; D, H, W)", "C"]
MACS = (
    "sum ConvNd out_numel*(Cin/groups)*prod(kernel) + ConvTransposeNd"
    " in_numel*(Cout/groups)*prod(kernel) + Linear rows*in*out; no bias"
)
SIZES_FORMAT = {
    "sizes": (
        "'HxW' (height x width; 'L', 'DxHxW' for a sequence, a clip) -> totals and multisets,"
        " or {'refused': 'Class: message'}"
    ),
    "weighted": [*VOLUME, "weights", "biases", "count"],
    "norms": [*VOLUME, "count"],
    "macs": MACS,
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
                "out_shape [H,W,C] ([L,C], [D,H,W,C]) or [C]",
                "weights",
                "biases",
                "macs",
                "attrs",
            ],
            "functional": ["n_layers_before", "op", "out_shape", "args"],
            "macs": MACS,
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
        size = "x".join(map(str, e["input"][:-1]))
        print(
            f"{spec.key:28s} {size:>11s} params={e['total_params']:>11,d}"
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
