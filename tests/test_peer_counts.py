"""The counting presets against the real tools: fvcore, thop, torchinfo and ptflops, run by
``scripts/make_peer_reference.py`` on the reference models and recorded in
``tests/reference/peer_counts.json``. No torch needed to run this test.

Each preset must give the tool's total to the unit for every built-in with a reference model. Where
the tool's figure depends on how the PyTorch code is written (a functional op its hooks cannot see,
a subclass outside its exact-type table, a ``Linear`` where the spec has a 1x1 conv), the plain
comparison is a strict xfail whose reason carries the numbers, and a second test proves the
explanation to the unit: counting the named layers as the PyTorch code writes them gives the tool's
total exactly. ``docs/conventions.md`` prints the same table (checked here).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cnncalc import analyze, load
from cnncalc.api import Report
from cnncalc.counting import (
    PRESETS,
    Counting,
    Rule,
    nothing,
    preset,
    torchinfo_params,
)
from cnncalc.infer import LayerResult
from cnncalc.layers import LAYERS
from cnncalc.library import builtin_names
from cnncalc.shapes import PadMode
from tests.test_torch_reference import ALIASES, NO_REFERENCE

REFERENCE = Path(__file__).parent / "reference" / "peer_counts.json"
CONVENTIONS_DOC = Path(__file__).parent.parent / "docs" / "conventions.md"
TOOLS = ("fvcore", "thop", "torchinfo", "ptflops")


@cache
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return data


@cache
def report(name: str) -> Report:
    return analyze(load(name))


def recorded(name: str, tool: str) -> dict[str, Any]:
    entry: dict[str, Any] = reference()[ALIASES.get(name, name)][tool]
    return entry


def compared() -> list[tuple[str, str]]:
    """Every (built-in, tool) with a recorded total."""
    return [
        (name, tool)
        for name in builtin_names()
        if name not in NO_REFERENCE and ALIASES.get(name, name) in reference()
        for tool in TOOLS
        if "total" in recorded(name, tool)
    ]


def dynamic_same(result: LayerResult) -> bool:
    """'same' padding with a stride above 1: timm builds ``Conv2dSame``, ``MaxPool2dSame`` or
    ``AvgPool2dSame`` for it (``timm/layers/create_conv2d.py``, ``pool2d_same.py``), subclasses
    that an exact-type hook table does not match."""
    layer = result.node.layer
    return getattr(layer, "pad", None) is PadMode.SAME and getattr(layer, "stride", (1, 1)) != (
        1,
        1,
    )


@dataclass(frozen=True, slots=True)
class Written:
    """Layers the PyTorch code writes otherwise than as the module named after their type, and
    what the tool counts for them."""

    kind: str
    #: Layer names (``fnmatch``), e.g. ``stage?.ln1``.
    names: str = "*"
    #: Only the layers this predicate accepts.
    where: Callable[[LayerResult], bool] | None = None
    #: The tool's count for them: :func:`nothing` when its hooks do not see them.
    count: Rule = nothing

    def matches(self, result: LayerResult) -> bool:
        return (
            result.node.layer.kind == self.kind
            and fnmatchcase(result.node.name, self.names)
            and (self.where is None or self.where(result))
        )


ADAPTIVE_F = "F.adaptive_avg_pool2d in forward()"
MEAN = "x.mean((2, 3)) in forward()"
SAME_SUBCLASSES = (
    "timm's Conv2dSame (depthwise), MaxPool2dSame and AvgPool2dSame (stride-2 'same' windows)"
    " and the stem's BatchNormAct2d are subclasses outside the exact-type table"
)
LN2D = "torchvision's LayerNorm2d, a subclass of nn.LayerNorm outside the exact-type table"

#: Why a tool's total differs from its preset on a built-in, as (cause, layers written otherwise).
DEVIATIONS: dict[tuple[str, str], tuple[str, tuple[Written, ...]]] = {
    **{
        (name, tool): (ADAPTIVE_F + ", unseen by module hooks", (Written("gap", "pool2"),))
        for name in ("densenet121", "densenet161", "densenet169", "densenet201")
        for tool in ("thop",)
    },
    **{
        (name, "ptflops"): (
            "F.relu and F.adaptive_avg_pool2d after the last norm, unseen by module hooks",
            (Written("relu", "relu2"), Written("gap", "pool2")),
        )
        for name in ("densenet121", "densenet161", "densenet169", "densenet201")
    },
    ("mobilenet_v2", "thop"): (ADAPTIVE_F, (Written("gap"),)),
    ("mobilenet_v2", "ptflops"): (ADAPTIVE_F, (Written("gap"),)),
    **{
        (name, tool): (MEAN + ": neither a module nor aten::adaptive_avg_pool2d", (Written("gap"),))
        for name in ("mnasnet1_0", "shufflenet_v2_x1_0")
        for tool in ("fvcore", "thop", "ptflops")
    },
    **{
        (name, tool): (
            "timm's legacy SEModule pools with " + MEAN,
            (Written("gap", "layer*.pool1"),),
        )
        for name in ("se_resnet50", "se_resnext50_32x4d")
        for tool in ("fvcore", "thop", "ptflops")
    },
    ("googlenet", "ptflops"): ("BasicConv2d applies F.relu", (Written("relu"),)),
    **{
        (name, tool): (
            f"the residual blocks' convs are torchvision's {convs}, subclasses of nn.Conv3d"
            " outside the exact-type table (the stem and the shortcuts are plain nn.Conv3d)",
            (Written("conv", "layer?.basic?.unit?.conv1"),),
        )
        for name, convs in (
            ("r3d_18", "Conv3DSimple"),
            ("mc3_18", "Conv3DSimple (layer1) and Conv3DNoTemporal (layer2-4)"),
        )
        for tool in ("thop", "ptflops")
    },
    **{
        ("s3d", tool): (
            "torch.mean(x, dim=(2, 3, 4)) in forward(), unseen by module hooks",
            (Written("gap"),),
        )
        for tool in ("thop", "ptflops")
    },
    ("inception_v3", "thop"): (
        "the Inception blocks pool with F.avg_pool2d and F.max_pool2d",
        (Written("avgpool", "mixed_*"),),
    ),
    ("inception_v3", "ptflops"): (
        "BasicConv2d applies F.relu; the Inception blocks pool with F.avg_pool2d and F.max_pool2d",
        (Written("relu"), Written("avgpool", "mixed_*"), Written("maxpool", "mixed_*")),
    ),
    ("convnext_tiny", "thop"): (
        LN2D,
        (Written("layernorm", "ln?"), Written("layernorm", "stage?.ln1")),
    ),
    ("convnext_tiny", "ptflops"): (
        LN2D,
        (Written("layernorm", "ln?"), Written("layernorm", "stage?.ln1")),
    ),
    ("convnext_tiny", "torchinfo"): (
        "each block's MLP is two nn.Linear on a channels-last tensor (the spec's 1x1 convs),"
        " whose parameters torchinfo counts once per sample, not once per position",
        (Written("conv", "stage?.cnblock*.conv?", count=torchinfo_params),),
    ),
    ("mobilenet_v1", "thop"): (
        "timm's BatchNormAct2d, a subclass of nn.BatchNorm2d outside the exact-type table",
        (Written("batchnorm"),),
    ),
    ("mobilenet_v1", "ptflops"): (
        "timm's BatchNormAct2d, a subclass of nn.BatchNorm2d outside the exact-type table",
        (Written("batchnorm"),),
    ),
    ("mobilenet_v1", "torchinfo"): (
        "timm's BatchNormAct2d holds its activation as a child, so it is no leaf module",
        (Written("batchnorm"),),
    ),
    ("nasnet_a_large", "thop"): (
        SAME_SUBCLASSES,
        (
            Written("dwconv", where=dynamic_same),
            Written("avgpool", where=dynamic_same),
            Written("batchnorm", "conv0_bn"),
        ),
    ),
    ("nasnet_a_large", "ptflops"): (
        SAME_SUBCLASSES,
        (
            Written("dwconv", where=dynamic_same),
            Written("avgpool", where=dynamic_same),
            Written("maxpool", where=dynamic_same),
            Written("batchnorm", "conv0_bn"),
        ),
    ),
    ("nasnet_a_large", "torchinfo"): (
        "timm's BatchNormAct2d (the stem's norm) holds its activation as a child: no leaf module",
        (Written("batchnorm", "conv0_bn"),),
    ),
}


def as_written(name: str, tool: str) -> int:
    """The tool's total as the PyTorch code is written: the preset's count for every layer, but
    the layers of :data:`DEVIATIONS` counted as the tool sees them."""
    rep = report(name)
    table = preset(tool)
    written = DEVIATIONS[name, tool][1]
    total = 0
    for result, count in zip(rep.layers, rep.layer_macs_under(tool), strict=True):
        rule = next((w.count for w in written if w.matches(result)), None)
        if rule is None:
            total += count
        else:
            cost = result.node.layer.cost(result.inputs, result.output)
            total += rule(result.node.layer, result.inputs, result.output, cost)
    assert table.counting is Counting(tool)
    return total


def deviation_reason(name: str, tool: str) -> str:
    ours, theirs = report(name).macs_under(tool), recorded(name, tool)["total"]
    return (
        f"{tool} on {name}: preset {ours:,}, {tool} {theirs:,} ({ours - theirs:+,}):"
        f" {DEVIATIONS[name, tool][0]}"
    )


def _cases() -> list[Any]:
    return [
        pytest.param(
            name,
            tool,
            id=f"{name}-{tool}",
            marks=pytest.mark.xfail(reason=deviation_reason(name, tool), strict=True)
            if (name, tool) in DEVIATIONS
            else (),
        )
        for name, tool in compared()
    ]


@pytest.mark.parametrize(("name", "tool"), _cases())
def test_preset_reproduces_the_tool(name: str, tool: str) -> None:
    assert report(name).macs_under(tool) == recorded(name, tool)["total"]


@pytest.mark.parametrize(("name", "tool"), sorted(DEVIATIONS))
def test_deviation_explained_to_the_unit(name: str, tool: str) -> None:
    rep = report(name)
    for written in DEVIATIONS[name, tool][1]:
        assert any(written.matches(r) for r in rep.layers), f"{written} names no layer of {name}"
    assert as_written(name, tool) == recorded(name, tool)["total"]


def test_every_deviation_is_a_compared_pair() -> None:
    assert set(DEVIATIONS) <= set(compared())


def test_the_big_four_are_recorded_by_every_tool() -> None:
    """The closing note's networks: every tool ran on them."""
    for name in ("resnet50", "mobilenet_v2", "densenet121", "convnext_tiny"):
        assert all((name, tool) in compared() for tool in TOOLS), name


def test_analyze_count_follows_the_preset() -> None:
    """``analyze(count=...)`` puts the preset's counts in the layers and totals; the other
    figures stay."""
    plain = report("resnet50")
    counted = analyze(load("resnet50"), count="thop")
    assert counted.count is Counting.THOP
    assert counted.totals.macs == plain.macs_under("thop")
    assert [r.cost.macs for r in counted.layers] == list(plain.layer_macs_under("thop"))
    assert counted.totals.params == plain.totals.params
    assert counted.macs_under("torchinfo") == plain.macs_under("torchinfo")


def test_every_layer_type_has_a_rule_in_every_preset() -> None:
    for table in PRESETS.values():
        assert set(table.rules) == set(LAYERS), table.counting


def test_unknown_preset_is_refused() -> None:
    with pytest.raises(ValueError, match="'flopco' is not a valid Counting"):
        preset("flopco")


def deviation_table() -> str:
    """The Markdown table of :data:`DEVIATIONS` that ``docs/conventions.md`` prints."""
    lines = [
        "| Built-in | Tool | Tool's total | Preset | Difference | Why |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, tool in sorted(DEVIATIONS):
        ours, theirs = report(name).macs_under(tool), recorded(name, tool)["total"]
        lines.append(
            f"| {name} | {tool} | {theirs:,} | {ours:,} | {ours - theirs:+,} |"
            f" {DEVIATIONS[name, tool][0]} |"
        )
    return "\n".join(lines) + "\n"


#: The networks whose figures docs/conventions.md prints for every tool.
SHOWN = ("resnet50", "mobilenet_v2", "densenet121", "convnext_tiny")


def tool_table() -> str:
    """Each tool's recorded total beside its preset for :data:`SHOWN` (docs/conventions.md)."""
    lines = [
        "| Built-in | Tool | Tool's total | Preset | Same |",
        "|---|---|---:|---:|---|",
    ]
    for name in SHOWN:
        lines.append(f"| {name} | torchvision | | {report(name).macs_under('torchvision'):,} | |")
        for tool in TOOLS:
            ours, theirs = report(name).macs_under(tool), recorded(name, tool)["total"]
            same = "yes" if ours == theirs else f"no ({ours - theirs:+,}, below)"
            lines.append(f"| {name} | {tool} | {theirs:,} | {ours:,} | {same} |")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("table", [tool_table, deviation_table], ids=lambda f: f.__name__)
def test_conventions_doc_prints_the_figures(table: Callable[[], str]) -> None:
    assert table() in CONVENTIONS_DOC.read_text(), (
        "docs/conventions.md is out of date; paste (python -m tests.test_peer_counts):\n" + table()
    )


if __name__ == "__main__":  # python -m tests.test_peer_counts: the tables of docs/conventions.md
    print(tool_table(), deviation_table(), sep="\n", end="")
