"""Every layer type, registered on import. Adding one: a module here and a line below."""

from cnncalc.layers import (
    activation,
    channels,
    conv,
    dense,
    layernorm,
    merge,
    norm,
    pool,
    reshaping,
    scale,
    shape_ops,
    upsampling,
)
from cnncalc.layers.base import ALIASES, LAYERS, Context, Cost, Layer

__all__ = [
    "ALIASES",
    "LAYERS",
    "Context",
    "Cost",
    "Layer",
    "activation",
    "channels",
    "conv",
    "dense",
    "layernorm",
    "merge",
    "norm",
    "pool",
    "reshaping",
    "scale",
    "shape_ops",
    "upsampling",
]
