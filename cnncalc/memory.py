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

from dataclasses import dataclass

from cnncalc.expand import INPUT
from cnncalc.infer import LayerResult
from cnncalc.shapes import Shape

#: The name the input's storage goes by.
INPUT_NAME = "input"


@dataclass(frozen=True, slots=True, kw_only=True)
class Peak:
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
