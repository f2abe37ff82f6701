"""Activations: element-wise functions that keep the volume.

They are counted as computed in place (PyTorch's ``inplace=True``, and the lectures' memory tables,
which list no separate ReLU output): no new activation memory. Each costs one operation per element
whatever its arithmetic, except softmax (three: exponent, sum, divide), which also stores its
output.
"""

from __future__ import annotations

from cnncalc.exact import real_text
from cnncalc.layers.base import Cost, Layer, register
from cnncalc.shapes import Shape
from cnncalc.values import Flag, Real


class _Activation(Layer):
    """One operation per element, whatever its arithmetic; computed in place."""

    stores_output = False

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=out.numel)


@register("relu")
class ReLU(_Activation):
    """max(0, x)."""


@register("relu6")
class ReLU6(_Activation):
    """min(max(0, x), 6) (MobileNets)."""


@register("leaky_relu")
class LeakyReLU(_Activation):
    """x for x > 0, else ``slope * x``."""

    primary = "slope"

    slope: Real = 0.01

    def describe(self) -> str:
        return f"slope {real_text(self.slope)}"


@register("tanh")
class Tanh(_Activation):
    """Hyperbolic tangent."""


@register("sigmoid")
class Sigmoid(_Activation):
    """1 / (1 + exp(-x))."""


@register("gelu")
class GELU(_Activation):
    """x * Phi(x), the Gaussian error linear unit."""


@register("silu", "swish")
class SiLU(_Activation):
    """x * sigmoid(x) (swish; EfficientNet)."""


@register("hardswish")
class HardSwish(_Activation):
    """x * relu6(x + 3) / 6 (MobileNet v3)."""


@register("hardsigmoid")
class HardSigmoid(_Activation):
    """relu6(x + 3) / 6 (MobileNet v3's squeeze-and-excitation gate)."""


@register("elu")
class ELU(_Activation):
    """x for x > 0, else ``alpha * (exp(x) - 1)``."""

    primary = "alpha"

    alpha: Real = 1.0

    def describe(self) -> str:
        return f"alpha {real_text(self.alpha)}"


@register("selu")
class SELU(_Activation):
    """``scale * elu(x, alpha)`` with the fixed self-normalising constants (Klambauer et al.
    2017)."""


@register("mish")
class Mish(_Activation):
    """x * tanh(softplus(x)) (YOLOv4)."""


@register("prelu")
class PReLU(_Activation):
    """x for x > 0, else ``a * x`` with ``a`` learned (PyTorch ``PReLU``): 1 weight, or one per
    channel (``C``, PyTorch's ``num_parameters=C``) with ``per_channel``."""

    per_channel: Flag = False

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(weights=out.c if self.per_channel else 1, ops=out.numel)

    def describe(self) -> str:
        return "per channel" if self.per_channel else ""


@register("softmax")
class Softmax(Layer):
    """exp(x_i) / sum_j exp(x_j) over channels: three operations per element, output stored."""

    def cost(self, inputs: tuple[Shape, ...], out: Shape) -> Cost:
        return Cost(ops=3 * out.numel)
