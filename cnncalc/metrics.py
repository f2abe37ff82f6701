"""Totals and the conventions behind every figure cnncalc prints.

Parameters
    ``weights`` and ``biases`` are trainable parameters, counted apart (batch norm's scale is a
    weight, its shift a bias, as PyTorch names them). ``params = weights + biases`` equals
    PyTorch's ``sum(p.numel() for p in model.parameters())``. ``buffers`` are non-trainable state
    (batch norm's running mean and variance), not parameters.

Operations
    ``MACs`` are the multiply-accumulates of conv and fc weights only:
    ``H_out*W_out*C_out*kh*kw*C_in/g``
    per conv and ``in*out`` per fc, no bias. This is torchvision's "GFLOPS" column and fvcore's
    "flop", and the ResNet paper's "FLOPs". ``FLOPs = 2 * MACs`` (one multiply and one add each).
    Everything else (bias adds, normalisation, activations, pooling, element-wise merges) is
    reported apart as ``other ops``, counted per element as each layer's docstring states.

Activation memory
    The cs231n convention: the input plus every layer output that needs new memory, so in-place
    activations (ReLU and kin), dropout and views (flatten) add nothing, while conv, pool, fc, batch
    norm, concat and add outputs each count. Per image and for the batch, in bytes of the chosen
    dtype.
    The training estimate is ``4 * param bytes`` (weights, gradients and Adam's two moments)
    ``+ buffer bytes + 2 * batch activation bytes`` (stored forward outputs and their gradients;
    cs231n's "~x2 for backward"). Sizes in MB are 10^6 bytes.
"""

from __future__ import annotations

from enum import Enum

from cnncalc.infer import LayerResult
from cnncalc.records import Record
from cnncalc.shapes import IMAGE_RANK, Shape, axis_words


#: What each figure counts, by its JSON key: the one statement every output and doc quotes.
def rf_convention(rank: int) -> str:
    """What the JSON ``rf`` lists hold, one value per spatial axis of a ``rank``-D volume."""
    return (
        f"receptive field on the input, [{', '.join(axis_words(rank))}]: size, jump (product of"
        " strides), start (centre of the first output's field, pixel i spanning [i, i+1)),"
        " effective padding, and the input the largest field comes through"
        " (docs/receptive-fields.md)"
    )


CONVENTIONS = {
    "macs": "multiply-accumulates of conv and fc weights only (torchvision's GFLOPS column)",
    "flops": "2 * macs",
    "ops": (
        "all other arithmetic (bias adds, normalisation, activations, pooling, merges), per element"
    ),
    "activations": (
        "elements of the input plus every layer output needing new memory (in-place activations,"
        " dropout and views excluded)"
    ),
    "training_bytes": "4 * param_bytes + buffer_bytes + 2 * batch_activation_bytes",
    "bytes": "at the chosen dtype; 1 MB = 10^6 bytes",
    "rf": rf_convention(IMAGE_RANK),
}


class Dtype(str, Enum):
    """Element types and their sizes in bytes."""

    FLOAT32 = "float32"
    FLOAT16 = "float16"
    BFLOAT16 = "bfloat16"
    INT8 = "int8"

    @property
    def bytes(self) -> int:
        return {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}[self.value]

    @classmethod
    def parse(cls, text: str) -> Dtype:
        """A dtype by any usual spelling, case aside: ``fp16``, ``half``, ``torch.float16``,
        ``bf16``, ``fp32``, ``float``, ``i8``; ``ValueError`` for anything else."""
        key = text.strip().lower().removeprefix("torch.").removeprefix("np.")
        try:
            return cls(DTYPE_SPELLINGS.get(key, key))
        except ValueError:
            shown = ", ".join([d.value for d in cls] + list(DTYPE_SPELLINGS))
            raise ValueError(f"unknown dtype '{text}'; one of: {shown}") from None


#: Other spellings of each :class:`Dtype` (PyTorch's, NumPy's, the usual abbreviations).
DTYPE_SPELLINGS = {
    "fp32": "float32",
    "f32": "float32",
    "float": "float32",
    "single": "float32",
    "fp16": "float16",
    "f16": "float16",
    "half": "float16",
    "bf16": "bfloat16",
    "i8": "int8",
    "qint8": "int8",
}


class Totals(Record, kw_only=True):
    """Sums over all layers, per image unless named ``batch_``."""

    weights: int
    biases: int
    buffers: int
    macs: int
    ops: int
    activations: int
    batch: int
    dtype_bytes: int

    @property
    def params(self) -> int:
        return self.weights + self.biases

    @property
    def flops(self) -> int:
        return 2 * self.macs

    @property
    def param_bytes(self) -> int:
        return self.params * self.dtype_bytes

    @property
    def buffer_bytes(self) -> int:
        return self.buffers * self.dtype_bytes

    @property
    def activation_bytes(self) -> int:
        return self.activations * self.dtype_bytes

    @property
    def batch_activation_bytes(self) -> int:
        return self.activation_bytes * self.batch

    @property
    def training_bytes(self) -> int:
        return 4 * self.param_bytes + self.buffer_bytes + 2 * self.batch_activation_bytes


def totals(source: Shape, layers: tuple[LayerResult, ...], batch: int, dtype: Dtype) -> Totals:
    """Add up ``layers``; the input volume counts towards activation memory."""
    return Totals(
        weights=sum(r.cost.weights for r in layers),
        biases=sum(r.cost.biases for r in layers),
        buffers=sum(r.cost.buffers for r in layers),
        macs=sum(r.cost.macs for r in layers),
        ops=sum(r.cost.ops for r in layers),
        activations=source.numel + sum(r.activations for r in layers),
        batch=batch,
        dtype_bytes=dtype.bytes,
    )
