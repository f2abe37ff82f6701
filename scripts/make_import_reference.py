"""Figures for the importer tests, computed independently of cnncalc's importers: a PyTorch
translation of each sample file under ``tests/samples/``, written by hand from the paper and the
file (torchvision where its model is the file's), one batch-1 forward pass in eval mode.

Not part of cnncalc and not imported by the suite: a developer tool, run with the venv that has
torch and torchvision::

    /work/torchref/venv/bin/python scripts/make_import_reference.py

It writes ``tests/reference/caffe_<sample>.json`` and ``tests/reference/darknet_<sample>.json``,
each with ``sample`` (the file under tests/samples; a name in ``SAMPLE_OF`` is that file at
another size), ``translation`` (what the model is), ``input`` [H, W, C], ``output`` (the final
volume, [H, W, C]), ``total_params``, ``buffers`` (BatchNorm running mean and variance, not
``num_batches_tracked``), ``macs`` (Conv2d ``out_numel * Cin/groups * kh * kw``,
ConvTranspose2d ``in_numel * Cout/groups * kh * kw`` and Linear ``in * out``) and ``weighted``
(every Conv2d, ConvTranspose2d and Linear call as ``[H, W, C, weights, biases]``, counted: a
multiset, so branch order is free). Names given as arguments are the only ones written.

Where Caffe's model is not torchvision's, the translation follows Caffe: ResNet-50 with a bias
on conv1 and the stride on each stage's first 1x1 (the paper's v1), pooled 3x3/2 without padding
but rounding up; SqueezeNet 1.0 with conv10 padded by 1; AlexNet and GoogLeNet as BVLC trained
them (two-tower grouping, LRN, ceil pooling; GoogLeNet's 5x5 branches, and in train_val its two
auxiliary heads, which the TEST net keeps). Darknet's maxpool pads its total ``size - 1`` after
(``padding/2`` before), written as ``ZeroPad2d`` then ``MaxPool2d``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torchvision
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "reference"


def conv(
    c_in: int, c_out: int, k: int, s: int = 1, p: int = 0, g: int = 1, bias: bool = True
) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, k, s, p, groups=g, bias=bias)


def pool(k: int, s: int, p: int = 0) -> nn.MaxPool2d:
    """Caffe's pooling: rounds up (``ceil_mode``)."""
    return nn.MaxPool2d(k, s, p, ceil_mode=True)


# -- Caffe ---------------------------------------------------------------------------------------
def alexnet() -> nn.Module:
    """BVLC AlexNet: two towers (groups 2 in conv2, 4, 5), LRN(5, 1e-4, 0.75, k=1)."""
    return nn.Sequential(
        conv(3, 96, 11, 4), nn.ReLU(), nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0), pool(3, 2),
        conv(96, 256, 5, 1, 2, g=2), nn.ReLU(), nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0),
        pool(3, 2),
        conv(256, 384, 3, 1, 1), nn.ReLU(),
        conv(384, 384, 3, 1, 1, g=2), nn.ReLU(),
        conv(384, 256, 3, 1, 1, g=2), nn.ReLU(), pool(3, 2),
        nn.Flatten(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 1000), nn.Softmax(1),
    )  # fmt: skip


class Inception(nn.Module):
    """GoogLeNet's module as Szegedy et al. table 1: 1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max
    pool then 1x1; concatenated."""

    def __init__(self, c: int, a: int, b1: int, b2: int, c1: int, c2: int, d: int) -> None:
        super().__init__()
        self.branches = nn.ModuleList(
            [
                nn.Sequential(conv(c, a, 1), nn.ReLU()),
                nn.Sequential(conv(c, b1, 1), nn.ReLU(), conv(b1, b2, 3, 1, 1), nn.ReLU()),
                nn.Sequential(conv(c, c1, 1), nn.ReLU(), conv(c1, c2, 5, 1, 2), nn.ReLU()),
                nn.Sequential(pool(3, 1, 1), conv(c, d, 1), nn.ReLU()),
            ]
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([b(x) for b in self.branches], 1)


class GoogLeNet(nn.Module):
    """BVLC GoogLeNet; ``aux``: the two auxiliary heads of train_val (5x5/3 average pool, 1x1
    conv 128, fc 1024, dropout 0.7, fc 1000), on 4a and 4d."""

    def __init__(self, aux: bool) -> None:
        super().__init__()
        lrn = nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0)
        self.stem = nn.Sequential(
            conv(3, 64, 7, 2, 3), nn.ReLU(), pool(3, 2), lrn,
            conv(64, 64, 1), nn.ReLU(), conv(64, 192, 3, 1, 1), nn.ReLU(), lrn, pool(3, 2),
            Inception(192, 64, 96, 128, 16, 32, 32), Inception(256, 128, 128, 192, 32, 96, 64),
            pool(3, 2), Inception(480, 192, 96, 208, 16, 48, 64),
        )  # fmt: skip
        self.middle = nn.Sequential(
            Inception(512, 160, 112, 224, 24, 64, 64),
            Inception(512, 128, 128, 256, 24, 64, 64),
            Inception(512, 112, 144, 288, 32, 64, 64),
        )
        self.top = nn.Sequential(
            Inception(528, 256, 160, 320, 32, 128, 128), pool(3, 2),
            Inception(832, 256, 160, 320, 32, 128, 128),
            Inception(832, 384, 192, 384, 48, 128, 128),
            nn.AvgPool2d(7, 1), nn.Dropout(0.4), nn.Flatten(), nn.Linear(1024, 1000), nn.Softmax(1),
        )  # fmt: skip
        self.aux = nn.ModuleList([self.head(512), self.head(528)] if aux else [])

    @staticmethod
    def head(c: int) -> nn.Module:
        return nn.Sequential(
            nn.AvgPool2d(5, 3, ceil_mode=True), conv(c, 128, 1), nn.ReLU(), nn.Flatten(),
            nn.Linear(2048, 1024), nn.ReLU(), nn.Dropout(0.7), nn.Linear(1024, 1000),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.stem(x)
        d = self.middle(a)
        if self.aux:
            self.aux[0](a)
            self.aux[1](d)
        return self.top(d)


def resnet50_caffe() -> nn.Module:
    """He et al.'s Caffe ResNet-50: torchvision's layers, with a bias on conv1, each stage's
    stride on its first 1x1 conv (v1), and the stem pool 3x3/2 unpadded, rounding up."""
    model = torchvision.models.resnet50(weights=None)
    model.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=True)
    model.maxpool = pool(3, 2)
    for stage in (model.layer2, model.layer3, model.layer4):
        block = stage[0]
        block.conv1.stride, block.conv2.stride = (2, 2), (1, 1)
    return nn.Sequential(model, nn.Softmax(1))


def squeezenet(version: str) -> nn.Module:
    """torchvision's SqueezeNet (which pools as Caffe, rounding up); 1.0's conv10 padded by 1 as
    in the Caffe deploy file."""
    model = getattr(torchvision.models, f"squeezenet{version}")(weights=None)
    if version == "1_0":
        model.classifier[1] = nn.Conv2d(512, 1000, 1, padding=1)
    return nn.Sequential(model, nn.Softmax(1))


class FCN8s(nn.Module):
    """Long, Shelhamer & Darrell's FCN-8s (voc-fcn8s/deploy.prototxt): VGG-16's convs, conv1_1
    padded by 100, pools rounding up; fc6 and fc7 as 7x7 and 1x1 convs; 21-class scores upsampled
    by bias-free transposed convs (4/2, 4/2, 16/8), each fused with a pool's scores cut at Caffe's
    offset (5, 9) to its size, the last cut at 31 to the input's."""

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c = 3
        plan = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512)
        for i, width in enumerate((*plan, "M")):
            if width == "M":
                layers.append(pool(2, 2))
            else:
                assert isinstance(width, int)
                layers += [conv(c, width, 3, 1, 100 if i == 0 else 1), nn.ReLU()]
                c = width
        self.features = nn.Sequential(*layers)
        self.fc = nn.Sequential(conv(512, 4096, 7), nn.ReLU(), conv(4096, 4096, 1), nn.ReLU())
        self.score_fr = conv(4096, 21, 1)
        self.score_pool4, self.score_pool3 = conv(512, 21, 1), conv(256, 21, 1)
        self.up2 = nn.ConvTranspose2d(21, 21, 4, 2, bias=False)
        self.up_pool4 = nn.ConvTranspose2d(21, 21, 4, 2, bias=False)
        self.up8 = nn.ConvTranspose2d(21, 21, 16, 8, bias=False)

    @staticmethod
    def crop(x: torch.Tensor, like: torch.Tensor, offset: int) -> torch.Tensor:
        h, w = like.shape[2:]
        return x[:, :, offset : offset + h, offset : offset + w]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = {}
        y = x
        for i, layer in enumerate(self.features):
            y = layer(y)
            if i in (16, 23):  # pool3, pool4
                maps[i] = y
        up2 = self.up2(self.score_fr(self.fc(y)))
        fuse4 = up2 + self.crop(self.score_pool4(maps[23]), up2, 5)
        up4 = self.up_pool4(fuse4)
        fuse3 = up4 + self.crop(self.score_pool3(maps[16]), up4, 9)
        return self.crop(self.up8(fuse3), x, 31)


# -- darknet -------------------------------------------------------------------------------------
class DarkConv(nn.Sequential):
    """darknet's [convolutional]: conv (no bias with batch_normalize), BN, leaky 0.1."""

    def __init__(self, c_in: int, c_out: int, k: int, s: int = 1, bn: bool = True) -> None:
        layers: list[nn.Module] = [conv(c_in, c_out, k, s, k // 2, bias=not bn)]
        if bn:
            layers += [nn.BatchNorm2d(c_out), nn.LeakyReLU(0.1)]
        super().__init__(*layers)


def dark_pool(k: int = 2, s: int = 2) -> nn.Module:
    total = k - 1
    return nn.Sequential(nn.ZeroPad2d((total // 2, total - total // 2) * 2), nn.MaxPool2d(k, s))


def darknet_plain(plan: list[Any], head_first: bool) -> nn.Module:
    """A chain of [convolutional] (``(filters, size)``) and [maxpool] (``"M"``), then the
    1000-filter linear 1x1 conv and the global average, in the cfg's order."""
    layers: list[nn.Module] = []
    c = 3
    for step in plan:
        if step == "M":
            layers.append(dark_pool())
        else:
            layers.append(DarkConv(c, step[0], step[1]))
            c = step[0]
    head = [DarkConv(c, 1000, 1, bn=False), nn.AdaptiveAvgPool2d(1)]
    return nn.Sequential(*layers, *(head[::-1] if head_first else head), nn.Softmax(1))


class Residual(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.body = nn.Sequential(DarkConv(c, c // 2, 1), DarkConv(c // 2, c, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def darknet53() -> nn.Module:
    """Redmon & Farhadi's Darknet-53 (YOLOv3 paper, table 1): 1, 2, 8, 8, 4 residual blocks."""
    layers: list[nn.Module] = [DarkConv(3, 32, 3)]
    c = 32
    for blocks in (1, 2, 8, 8, 4):
        layers.append(DarkConv(c, 2 * c, 3, 2))
        c *= 2
        layers += [Residual(c) for _ in range(blocks)]
    layers += [nn.AdaptiveAvgPool2d(1), DarkConv(c, 1000, 1, bn=False), nn.Softmax(1)]
    return nn.Sequential(*layers)


class YOLOv3(nn.Module):
    """Redmon & Farhadi's YOLOv3 (pjreddie's cfg/yolov3.cfg): Darknet-53 without its classifier;
    three heads of five alternating 1x1/3x3 convs, a 3x3 and a linear 1x1 to 255 (3 anchors x
    (80 classes + 5)); the second and third start from the head above's fifth conv, 1x1 to half,
    nearest 2x upsampling, concatenated with the backbone's 26x26x512 (then 52x52x256) map."""

    def __init__(self) -> None:
        super().__init__()
        stages: list[nn.Module] = []
        c = 32
        for blocks in (1, 2, 8, 8, 4):
            stages.append(
                nn.Sequential(DarkConv(c, 2 * c, 3, 2), *(Residual(2 * c) for _ in range(blocks)))
            )
            c *= 2
        self.stem = DarkConv(3, 32, 3)
        self.stages = nn.ModuleList(stages)
        self.body = nn.ModuleList([self.five(1024, 512), self.five(768, 256), self.five(384, 128)])
        self.out = nn.ModuleList([self.detect(c) for c in (512, 256, 128)])
        self.lateral = nn.ModuleList([DarkConv(512, 256, 1), DarkConv(256, 128, 1)])

    @staticmethod
    def five(c_in: int, c: int) -> nn.Module:
        return nn.Sequential(
            DarkConv(c_in, c, 1), DarkConv(c, 2 * c, 3), DarkConv(2 * c, c, 1),
            DarkConv(c, 2 * c, 3), DarkConv(2 * c, c, 1),
        )  # fmt: skip

    @staticmethod
    def detect(c: int) -> nn.Module:
        return nn.Sequential(DarkConv(c, 2 * c, 3), DarkConv(2 * c, 255, 1, bn=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = []
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
            maps.append(x)
        skips = [maps[3], maps[2]]  # 26x26x512, 52x52x256
        y = self.body[0](maps[4])
        self.out[0](y)
        for i in range(2):
            up = nn.functional.interpolate(self.lateral[i](y), scale_factor=2, mode="nearest")
            y = self.body[i + 1](torch.cat([up, skips[i]], 1))
            head = self.out[i + 1](y)
        return head


class YOLOv3Tiny(nn.Module):
    """pjreddie's cfg/yolov3-tiny.cfg: seven 3x3 convs 16..1024 with six 2x2 max pools (the last
    stride 1, padded after by 1: the size kept), a 1x1 256 and a 3x3 512 then the linear 1x1 255
    head at 13x13; from the 1x1 256, a 1x1 128, 2x upsampling, concatenated with the 26x26x256
    conv, a 3x3 256 and the 26x26 head."""

    def __init__(self) -> None:
        super().__init__()
        self.low = nn.Sequential(
            DarkConv(3, 16, 3), dark_pool(), DarkConv(16, 32, 3), dark_pool(),
            DarkConv(32, 64, 3), dark_pool(), DarkConv(64, 128, 3), dark_pool(),
            DarkConv(128, 256, 3),
        )  # fmt: skip
        self.high = nn.Sequential(
            dark_pool(), DarkConv(256, 512, 3), dark_pool(2, 1), DarkConv(512, 1024, 3),
            DarkConv(1024, 256, 1),
        )  # fmt: skip
        self.head13 = nn.Sequential(DarkConv(256, 512, 3), DarkConv(512, 255, 1, bn=False))
        self.lateral = DarkConv(256, 128, 1)
        self.head26 = nn.Sequential(DarkConv(384, 256, 3), DarkConv(256, 255, 1, bn=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip = self.low(x)
        y = self.high(skip)
        self.head13(y)
        up = nn.functional.interpolate(self.lateral(y), scale_factor=2, mode="nearest")
        return self.head26(torch.cat([up, skip], 1))


M = "M"
DARKNET19 = [
    (32, 3), M, (64, 3), M, (128, 3), (64, 1), (128, 3), M, (256, 3), (128, 1), (256, 3), M,
    (512, 3), (256, 1), (512, 3), (256, 1), (512, 3), M,
    (1024, 3), (512, 1), (1024, 3), (512, 1), (1024, 3),
]  # fmt: skip
DARKNET_REFERENCE = [
    (16, 3), M, (32, 3), M, (64, 3), M, (128, 3), M, (256, 3), M, (512, 3), M, (1024, 3),
]  # fmt: skip
TINY = [
    (16, 3), M, (32, 3), M, (16, 1), (128, 3), (16, 1), (128, 3), M,
    (32, 1), (256, 3), (32, 1), (256, 3), M, (64, 1), (512, 3), (64, 1), (512, 3), (128, 1),
]  # fmt: skip

#: Sample (under tests/samples, without extension) -> (translation, input side, builder).
MODELS: dict[str, tuple[str, int, Callable[[], nn.Module]]] = {
    "caffe_bvlc_alexnet": ("BVLC AlexNet, two towers", 227, alexnet),
    "caffe_bvlc_alexnet_v1": ("BVLC AlexNet, two towers", 227, alexnet),
    "caffe_bvlc_googlenet": ("BVLC GoogLeNet", 224, lambda: GoogLeNet(aux=False)),
    "caffe_bvlc_googlenet_train_val": (
        "BVLC GoogLeNet with its auxiliary heads",
        224,
        lambda: GoogLeNet(aux=True),
    ),
    "caffe_vgg16": ("torchvision vgg16", 224, lambda: torchvision.models.vgg16(weights=None)),
    "caffe_resnet50": ("torchvision resnet50 made v1 with conv1 bias", 224, resnet50_caffe),
    "caffe_squeezenet_v1_0": (
        "torchvision squeezenet1_0, conv10 pad 1",
        227,
        lambda: squeezenet("1_0"),
    ),
    "caffe_squeezenet_v1_1": ("torchvision squeezenet1_1", 227, lambda: squeezenet("1_1")),
    "caffe_voc_fcn8s": ("FCN-8s", 500, FCN8s),
    "darknet_darknet19": ("Darknet-19", 256, lambda: darknet_plain(DARKNET19, False)),
    "darknet_darknet": ("Darknet reference", 256, lambda: darknet_plain(DARKNET_REFERENCE, True)),
    "darknet_tiny": ("Tiny Darknet", 224, lambda: darknet_plain(TINY, False)),
    "darknet_darknet53": ("Darknet-53", 256, darknet53),
    "darknet_yolov3": ("YOLOv3", 608, YOLOv3),
    "darknet_yolov3_tiny": ("YOLOv3-tiny", 416, YOLOv3Tiny),
    "darknet_yolov3_416": (
        "YOLOv3 at 416x416, the size darknet's BFLOPs are quoted at",
        416,
        YOLOv3,
    ),
}
#: A reference at another size than the file's: its sample.
SAMPLE_OF = {"darknet_yolov3_416": "darknet_yolov3"}


def _volume(t: torch.Tensor) -> list[int]:
    return [t.shape[2], t.shape[3], t.shape[1]] if t.dim() == 4 else [1, 1, t.shape[1]]


def measure(name: str) -> dict[str, Any]:
    translation, side, build = MODELS[name]
    torch.manual_seed(0)
    model = build().eval()
    weighted: Counter[tuple[int, ...]] = Counter()
    macs = 0

    def hook(m: nn.Module, args: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        nonlocal macs
        bias = m.bias.numel() if m.bias is not None else 0
        weighted[(*_volume(out), m.weight.numel(), bias)] += 1
        if isinstance(m, nn.Conv2d):
            macs += out.numel() * m.weight[0].numel()
        elif isinstance(m, nn.ConvTranspose2d):  # each input position scatters C_out/g k k
            macs += args[0].numel() * m.weight[0].numel()
        else:
            macs += m.in_features * m.out_features

    for m in model.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            m.register_forward_hook(hook)
    with torch.no_grad():
        out = model(torch.zeros(1, 3, side, side))
    buffers = sum(b.numel() for n, b in model.named_buffers() if "num_batches" not in n)
    return {
        "sample": SAMPLE_OF.get(name, name) + (".prototxt" if name.startswith("caffe") else ".cfg"),
        "translation": translation,
        "input": [side, side, 3],
        "output": _volume(out),
        "total_params": sum(p.numel() for p in model.parameters()),
        "buffers": buffers,
        "macs": macs,
        "weighted": sorted([*key, count] for key, count in weighted.items()),
        "generated_with": {"torch": torch.__version__, "torchvision": torchvision.__version__},
    }


def main() -> int:
    for name in sys.argv[1:] or MODELS:
        found = measure(name)
        (OUT / f"{name}.json").write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
        print(name, found["total_params"], found["macs"], found["output"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
