"""Every layer type, registered on import. Adding one: a module here and a line below."""

from cnncalc.layers import activation, conv, dense, merge, norm, pool, shape_ops
from cnncalc.layers.base import ALIASES, LAYERS, Context, Cost, Layer

__all__ = ["ALIASES", "LAYERS", "Context", "Cost", "Layer", "activation", "conv", "dense", "merge", "norm", "pool", "shape_ops"]
