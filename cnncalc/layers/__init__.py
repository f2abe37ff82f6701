"""The layer types, by name, each imported when a spec first uses it.

:data:`FAMILIES` says which module of this package defines each type and :data:`ALIAS_OF` what
each alias names, without importing anything: a ResNet imports six of the twelve families, not
all 45 types. :func:`layer_named` looks a name up (importing its family); :data:`LAYERS` and
:data:`ALIASES`, the registry as ``@register`` fills it, import every family when first read
(docs, the schema, tests). ``tests/test_registry.py`` checks that the tables name exactly what
the families register. Adding a layer type: its class in a family module, and its line below.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from cnncalc.layers.base import Context, Cost, Layer

if TYPE_CHECKING:
    from cnncalc.layers.base import ALIASES, LAYERS

#: Each layer type's family: the module under ``cnncalc/layers/`` that registers it.
FAMILIES: dict[str, str] = {
    **dict.fromkeys(
        (
            "elu",
            "gelu",
            "hardsigmoid",
            "hardswish",
            "leaky_relu",
            "mish",
            "prelu",
            "relu",
            "relu6",
            "selu",
            "sigmoid",
            "silu",
            "softmax",
            "tanh",
        ),
        "activation",
    ),
    **dict.fromkeys(("channel_shuffle", "slice"), "channels"),
    **dict.fromkeys(("conv", "dwconv"), "conv"),
    **dict.fromkeys(("dropout", "fc", "flatten"), "dense"),
    "layernorm": "layernorm",
    **dict.fromkeys(("add", "concat", "mul"), "merge"),
    **dict.fromkeys(("batchnorm", "groupnorm", "instancenorm", "lrn"), "norm"),
    **dict.fromkeys(
        ("adaptive_avgpool", "adaptive_maxpool", "avgpool", "gap", "global_maxpool", "maxpool"),
        "pool",
    ),
    **dict.fromkeys(("crop", "reshape"), "reshaping"),
    "layer_scale": "scale",
    **dict.fromkeys(("identity", "zeropad"), "shape_ops"),
    **dict.fromkeys(
        ("conv_transpose", "maxunpool", "pixel_shuffle", "pixel_unshuffle", "upsample"),
        "upsampling",
    ),
}
#: Each alias and the type it names (as its ``@register`` line declares it).
ALIAS_OF: dict[str, str] = {
    "bn": "batchnorm",
    "deconv": "conv_transpose",
    "global_avgpool": "gap",
    "gmp": "global_maxpool",
    "gn": "groupnorm",
    "linear": "fc",
    "ln": "layernorm",
    "reorg": "pixel_unshuffle",
    "shuffle": "channel_shuffle",
    "swish": "silu",
}


def layer_named(name: str) -> type[Layer] | None:
    """The layer type called ``name`` (or an alias of it), its family imported on first use;
    ``None`` when no type has that name."""
    from cnncalc.layers import base

    kind = ALIAS_OF.get(name, name)
    family = FAMILIES.get(kind)
    if family is None:
        return None
    if kind not in base.LAYERS:
        import_module(f"cnncalc.layers.{family}")
    return base.LAYERS[kind]


def every_family() -> None:
    """Import every family, so that the registry holds every layer type."""
    for family in sorted(set(FAMILIES.values())):
        import_module(f"cnncalc.layers.{family}")


def __getattr__(name: str) -> Any:
    """``LAYERS`` and ``ALIASES``, complete: every family imported first (PEP 562)."""
    if name in ("LAYERS", "ALIASES"):
        from cnncalc.layers import base

        every_family()
        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALIASES",
    "ALIAS_OF",
    "FAMILIES",
    "LAYERS",
    "Context",
    "Cost",
    "Layer",
    "every_family",
    "layer_named",
]
