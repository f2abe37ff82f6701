"""Peak inference memory by liveness: what a forward pass really holds at its worst moment.

The activation sum (:attr:`cnncalc.metrics.Totals.activations`) adds every tensor the network ever
makes; a runtime frees each tensor once nothing needs it any more. This module walks the layers in
execution order (the graph's definition order) and keeps a set of live *storages*:

- the input is a storage; each layer whose output needs new memory (``Layer.stores_output``: conv,
  pool, fc, norms, merges, softmax ...) allocates one of its output's size;
- a layer that computes in place or makes a view (the activations, dropout, flatten, identity,
  channel slices: ``stores_output = False``) shares its first input's storage, so the storage
  lives until the last consumer of any of its names;
- while a layer runs, its inputs and its new output are live together; after it, every storage
  whose last consumer it was is freed. A branch input therefore stays alive until the merge that
  reads it (a ResNet shortcut across its block, a DenseNet concat's inputs across the block);
- the network's output (the last layer's storage) is kept to the end.

The peak is the largest live total, in elements (per image; bytes at a batch and dtype are
``elements * batch * dtype bytes``), with the layer during which it happens and the storages live
then. Weights are not counted here (they are resident for the whole pass: ``param_bytes``).
"""

from __future__ import annotations

from enum import Enum

from cnncalc.expand import INPUT
from cnncalc.infer import LayerResult
from cnncalc.records import Record
from cnncalc.shapes import Shape

#: The name the input's storage goes by.
INPUT_NAME = "input"


class Peak(Record, kw_only=True):
    """The worst moment of a forward pass, per image."""

    #: Elements live at the peak (per image).
    elements: int
    #: The layer running at the peak (``input`` for a network whose input alone is the peak).
    layer: str
    #: The storages live at the peak, as (name of the layer that allocated it, elements), in
    #: allocation order.
    live: tuple[tuple[str, int], ...]
    #: Layers that share their input's storage (in place or a view), by name.
    shared: tuple[str, ...]

    def bytes(self, batch: int, dtype_bytes: int) -> int:
        """``elements * batch * dtype_bytes``."""
        return self.elements * batch * dtype_bytes


def inference_peak(source: Shape, layers: tuple[LayerResult, ...]) -> Peak:
    """The liveness peak of ``layers`` run on ``source``; ``layers`` must be every node of the
    graph, in order (a report without errors)."""
    # Storage of each tensor: index into ``sizes``/``owners``; tensor -1 is the input.
    sizes = [source.numel]
    owners = [INPUT_NAME]
    storage_of: dict[int, int] = {INPUT: 0}
    shared: list[str] = []
    # First pass: which storage each layer's output lives in, and each storage's last reader.
    last_use = [0]
    for index, result in enumerate(layers):
        reads = [storage_of[i] for i in result.node.inputs]
        for storage in reads:
            last_use[storage] = index
        if result.node.layer.stores_output:
            storage_of[index] = len(sizes)
            sizes.append(result.output.numel)
            owners.append(result.node.name)
            last_use.append(index)
        else:
            storage_of[index] = reads[0]
            shared.append(result.node.name)
    if layers:
        last_use[storage_of[len(layers) - 1]] = len(layers)  # the output is kept
    # Second pass: allocate, measure, free.
    live: dict[int, None] = {0: None}  # insertion-ordered set
    peak, at = source.numel, INPUT_NAME
    snapshot: tuple[tuple[str, int], ...] = ((INPUT_NAME, source.numel),)
    frees: dict[int, list[int]] = {}
    for storage, index in enumerate(last_use):
        frees.setdefault(index, []).append(storage)
    held = source.numel
    for index, result in enumerate(layers):
        storage = storage_of[index]
        if storage not in live:
            live[storage] = None
            held += sizes[storage]
        if held > peak:
            peak, at = held, result.node.name
            snapshot = tuple((owners[s], sizes[s]) for s in live)
        for done in frees.get(index, ()):
            if done in live:
                del live[done]
                held -= sizes[done]
    return Peak(elements=peak, layer=at, live=snapshot, shared=tuple(shared))


class Optimizer(str, Enum):
    """Optimizers by the state they keep per parameter (PyTorch's ``torch.optim``)."""

    SGD = "sgd"
    MOMENTUM = "momentum"
    ADAM = "adam"
    ADAMW = "adamw"

    @property
    def states(self) -> int:
        """Tensors of state per parameter: none for plain SGD, ``momentum_buffer`` for SGD with
        momentum, ``exp_avg`` and ``exp_avg_sq`` for Adam and AdamW."""
        return {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}[self.value]


#: What autograd saves for the backward pass, per layer type (PyTorch's
#: ``tools/autograd/derivatives.yaml``): ``input`` (the first input's storage), ``output`` (the
#: output's, which an in-place layer shares with its input), ``inputs`` (every input's), ``mask``
#: (a new tensor of the output's size). Types not
#: listed save no activation (add, concat, flatten, identity, slices, shuffle, zeropad: their
#: gradients need shapes only).
SAVES: dict[str, str] = {
    "conv": "input",  # convolution_backward needs the input for the weight gradient
    "dwconv": "input",
    "fc": "input",  # addmm / linear: the input for the weight gradient
    "batchnorm": "input",  # plus save_mean and save_invstd, C each, in float32
    "layernorm": "input",  # plus mean and rstd, one each per position, in float32
    "relu": "output",  # threshold_backward(grad, result): in place, the input's storage
    "relu6": "output",
    "leaky_relu": "output",
    "sigmoid": "output",
    "tanh": "output",
    "softmax": "output",
    "gelu": "input",
    "silu": "input",
    "hardswish": "input",
    "hardsigmoid": "input",
    "maxpool": "input",  # plus the int64 indices of each output's maximum
    "avgpool": "input",
    # A global pool saves nothing: adaptive_avg_pool2d to 1x1 runs as mean(), whose backward
    # needs only the input's sizes.
    "adaptive_avgpool": "input",
    # adaptive_max_pool's backward reads the input and the indices of each maximum.
    "adaptive_maxpool": "input",
    "global_maxpool": "input",
    "lrn": "input",
    "layer_scale": "input",
    "mul": "inputs",
    # Training-mode dropout multiplies by a mask of the input's size, saved at its dtype.
    "dropout": "mask",
}


class Saved(Record, kw_only=True):
    """The tensors autograd keeps from the forward pass to the backward pass, per image."""

    #: Elements of the distinct activation storages saved (at the activations' dtype).
    elements: int
    #: int64 elements: max pooling's indices.
    indices: int
    #: float32 elements: batch and layer norm statistics.
    stats: int
    #: Elements of the saved storages by the layer type that first saved each.
    by_type: tuple[tuple[str, int], ...]

    def bytes(self, batch: int, dtype_bytes: int) -> int:
        """``batch * (elements * dtype_bytes + 8 * indices + 4 * stats)``."""
        return batch * (self.elements * dtype_bytes + 8 * self.indices + 4 * self.stats)


def saved_activations(source: Shape, layers: tuple[LayerResult, ...]) -> Saved:
    """What autograd saves for ``layers`` (every node of the graph, in order) under
    :data:`SAVES`: a storage saved by several layers counts once."""
    sizes = [source.numel]
    storage_of: dict[int, int] = {INPUT: 0}
    saved: dict[int, str] = {}
    indices = stats = 0
    for index, result in enumerate(layers):
        layer, node = result.node.layer, result.node
        reads = [storage_of[i] for i in node.inputs]
        if layer.stores_output:
            storage_of[index] = len(sizes)
            sizes.append(result.output.numel)
        else:
            storage_of[index] = reads[0]
        rule = SAVES.get(layer.kind)
        chosen = {"input": reads[:1], "output": [storage_of[index]], "inputs": reads}.get(
            rule or "", []
        )
        for storage in chosen:
            saved.setdefault(storage, layer.kind)
        if rule == "mask":
            sizes.append(result.output.numel)
            saved.setdefault(len(sizes) - 1, layer.kind)
        if layer.kind in ("maxpool", "adaptive_maxpool", "global_maxpool"):
            indices += result.output.numel
        elif layer.kind == "batchnorm":
            stats += 2 * result.output.c
        elif layer.kind == "layernorm":
            stats += 2 * result.output.positions
    by_type: dict[str, int] = {}
    for storage, kind in saved.items():
        by_type[kind] = by_type.get(kind, 0) + sizes[storage]
    return Saved(
        elements=sum(sizes[s] for s in saved),
        indices=indices,
        stats=stats,
        by_type=tuple(sorted(by_type.items())),
    )


class Training(Record, kw_only=True):
    """Memory of one training step, in bytes, broken down."""

    weights: int
    gradients: int
    optimizer: int
    activations: int
    buffers: int

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer + self.activations + self.buffers


def training_memory(
    params: int,
    buffers: int,
    saved: Saved,
    *,
    batch: int,
    optimizer: Optimizer,
    activation_bytes: int,
) -> Training:
    """One training step: float32 weights, gradients and optimizer state (``states`` per
    parameter), float32 buffers, and the saved activations at ``activation_bytes`` each (2 for
    mixed precision: autocast computes in float16 against float32 master weights; its cached
    float16 weight copies and the transient gradients of activations are not counted)."""
    return Training(
        weights=4 * params,
        gradients=4 * params,
        optimizer=4 * params * optimizer.states,
        activations=saved.bytes(batch, activation_bytes),
        buffers=4 * buffers,
    )


def largest_batch(budget: int, fixed: int, per_image: int) -> int:
    """The largest batch ``b`` with ``fixed + b * per_image <= budget`` (0 when even the fixed
    part does not fit): ``(budget - fixed) // per_image``."""
    if budget < fixed:
        return 0
    return (budget - fixed) // per_image


class Fit(Record, kw_only=True):
    """What a memory budget allows: the largest batch for inference and for training."""

    budget: int
    inference: int
    training: int


def fit(
    budget: int,
    *,
    params: int,
    buffers: int,
    peak: Peak,
    saved: Saved,
    optimizer: Optimizer,
    dtype_bytes: int,
) -> Fit:
    """The largest batches within ``budget`` bytes. Inference: weights and buffers at the
    activations' dtype plus the liveness peak per image. Training: :func:`training_memory`'s
    fixed part (float32 weights, gradients, optimizer state, buffers) plus the saved activations
    per image."""
    step = training_memory(
        params, buffers, saved, batch=1, optimizer=optimizer, activation_bytes=dtype_bytes
    )
    return Fit(
        budget=budget,
        inference=largest_batch(
            budget, (params + buffers) * dtype_bytes, peak.bytes(1, dtype_bytes)
        ),
        training=largest_batch(budget, step.total - step.activations, step.activations),
    )


class MemoryReport(Record, kw_only=True):
    """The memory figures ``show --optimizer/--memory`` prints, at the report's batch and dtype."""

    peak: Peak
    peak_bytes: int
    training: Training
    optimizer: Optimizer
    fit: Fit | None


def memory_report(
    source: Shape,
    layers: tuple[LayerResult, ...],
    *,
    params: int,
    buffers: int,
    batch: int,
    dtype_bytes: int,
    optimizer: Optimizer,
    budget: int | None,
) -> MemoryReport:
    """Peak, training breakdown and (with ``budget``) the largest batches, for ``layers``."""
    peak = inference_peak(source, layers)
    saved = saved_activations(source, layers)
    return MemoryReport(
        peak=peak,
        peak_bytes=peak.bytes(batch, dtype_bytes),
        training=training_memory(
            params, buffers, saved, batch=batch, optimizer=optimizer, activation_bytes=dtype_bytes
        ),
        optimizer=optimizer,
        fit=None
        if budget is None
        else fit(
            budget,
            params=params,
            buffers=buffers,
            peak=peak,
            saved=saved,
            optimizer=optimizer,
            dtype_bytes=dtype_bytes,
        ),
    )
