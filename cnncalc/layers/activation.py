"""Activations: element-wise functions that keep the volume.

They are counted as computed in place (PyTorch's ``inplace=True``, and the lectures' memory tables,
which list no separate ReLU output): no new activation memory. Each costs one operation per element
whatever its arithmetic, except softmax (three: exponent, sum, divide), which also stores its
output.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.layers.base import Cost, Layer, register
from cnncalc.shapes import Shape
from cnncalc.values import Real


@dataclass(frozen=True, slots=True, kw_only=True)
class _Activation(Layer):
    """One operation per element, whatever its arithmetic; computed in place."""

    stores_output = False

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=out.numel)


@register("relu")
@dataclass(frozen=True, slots=True, kw_only=True)
class ReLU(_Activation):
    """max(0, x)."""


@register("relu6")
@dataclass(frozen=True, slots=True, kw_only=True)
class ReLU6(_Activation):
    """min(max(0, x), 6) (MobileNets)."""


@register("leaky_relu")
@dataclass(frozen=True, slots=True, kw_only=True)
class LeakyReLU(_Activation):
    """x for x > 0, else ``slope * x``."""

    primary = "slope"

    slope: Real = 0.01

    def describe(self) -> str:
        return f"slope {self.slope:g}"


@register("tanh")
@dataclass(frozen=True, slots=True, kw_only=True)
class Tanh(_Activation):
    """Hyperbolic tangent."""


@register("sigmoid")
@dataclass(frozen=True, slots=True, kw_only=True)
class Sigmoid(_Activation):
    """1 / (1 + exp(-x))."""


@register("gelu")
@dataclass(frozen=True, slots=True, kw_only=True)
class GELU(_Activation):
    """x * Phi(x), the Gaussian error linear unit."""


@register("silu", "swish")
@dataclass(frozen=True, slots=True, kw_only=True)
class SiLU(_Activation):
    """x * sigmoid(x) (swish; EfficientNet)."""


@register("hardswish")
@dataclass(frozen=True, slots=True, kw_only=True)
class HardSwish(_Activation):
    """x * relu6(x + 3) / 6 (MobileNet v3)."""


@register("hardsigmoid")
@dataclass(frozen=True, slots=True, kw_only=True)
class HardSigmoid(_Activation):
    """relu6(x + 3) / 6 (MobileNet v3's squeeze-and-excitation gate)."""


@register("softmax")
@dataclass(frozen=True, slots=True, kw_only=True)
class Softmax(Layer):
    """exp(x_i) / sum_j exp(x_j) over channels: three operations per element, output stored."""

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=3 * out.numel)
