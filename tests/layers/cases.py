"""Layer cases worked out by hand, and how to check them.

A :class:`Case` is one layer on one input volume with every figure the layer reports written out:
output volume, weights, biases, buffers, MACs, other ops, activation memory and the shorthand shown
in the table. A :class:`Refusal` is a layer that must fail, with its exact code and message. Each
``tests/layers/test_*.py`` module lists its ``CASES`` and ``REFUSALS`` and parametrizes a test over
each; ``tests/test_registry.py`` runs them all to find which registered layer types they exercise
(from the layer the spec actually builds, not from a label), so a layer type without a case fails
there.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from cnncalc.layers import ALIASES, LAYERS, Layer
from tests.helpers import network


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """Everything one layer reports, as the table and the JSON output show it."""

    output: str
    weights: int
    biases: int
    buffers: int
    macs: int
    ops: int
    activations: int
    hyper: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """``layer`` (a flow-style YAML layer item; for a merge, the merge with its branches) on
    ``input``; the layer checked is the last one of the network, the merge itself for a merge."""

    input: str
    layer: str
    expected: Figures
    rounding: str = "exact"
    #: Layers before ``layer`` (those its references name), as flow-style YAML items.
    prelude: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.layer} on {self.input}"

    def run(self) -> tuple[Layer, Figures]:
        """The layer the spec builds and what cnncalc reports for it."""
        report = network(self.input, *self.prelude, self.layer, rounding=self.rounding)
        last = report.layers[-1]
        cost = last.cost
        return last.node.layer, Figures(
            output=str(last.output),
            weights=cost.weights,
            biases=cost.biases,
            buffers=cost.buffers,
            macs=cost.macs,
            ops=cost.ops,
            activations=last.activations,
            hyper=last.node.layer.describe(),
            notes=tuple(d.code for d in report.diagnostics),
        )

    def check(self) -> None:
        layer, measured = self.run()
        assert type(layer) is LAYERS[ALIASES.get(self.kind, self.kind)]
        assert measured == self.expected

    @property
    def kind(self) -> str:
        """The type name the item is written with (an alias stays an alias)."""
        item = yaml.safe_load(self.layer)
        return item if isinstance(item, str) else next(iter(item))


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    """``layer`` on ``input`` is refused with ``code`` and exactly ``message`` (the layer's name
    and input volume first, as ``check`` prints it)."""

    input: str
    layer: str
    code: str
    message: str
    prelude: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.layer} on {self.input}: {self.code}"

    def check(self) -> None:
        report = network(self.input, *self.prelude, self.layer)
        assert [(d.code, d.message) for d in report.diagnostics] == [(self.code, self.message)]
