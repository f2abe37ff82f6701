"""The per-layer rows every format shows, with blocks collapsed to a chosen depth, and number
formatting. No rendering library here, so the JSON and CSV paths stay light."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cnncalc.api import Report
from cnncalc.exact import Exact, exact_text, half_text
from cnncalc.infer import LayerResult
from cnncalc.receptive import INPUT_FIELD, ExactPair, Field, receptive_fields


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """One printed row: a layer, or a block instance collapsed into one."""

    name: str
    type: str
    hyper: str
    output: str
    activations: int
    weights: int
    biases: int
    buffers: int
    macs: int
    ops: int
    layers: int = 1
    #: The receptive field of the row's output (of its last layer, for a collapsed block).
    rf: Field | None = None

    @property
    def params(self) -> int:
        return self.weights + self.biases


def _layer_row(result: LayerResult, rf: Field | None) -> Row:
    cost = result.cost
    return Row(
        name=result.node.name,
        type=result.node.layer.kind,
        hyper=result.node.layer.describe(),
        output=str(result.output),
        activations=result.activations,
        weights=cost.weights,
        biases=cost.biases,
        buffers=cost.buffers,
        macs=cost.macs,
        ops=cost.ops,
        rf=rf,
    )


def _group_row(name: str, block: str, members: list[LayerResult], rf: Field | None) -> Row:
    return Row(
        name=name,
        type=block,
        hyper=f"{len(members)} layers",
        output=str(members[-1].output),
        activations=sum(m.activations for m in members),
        weights=sum(m.cost.weights for m in members),
        biases=sum(m.cost.biases for m in members),
        buffers=sum(m.cost.buffers for m in members),
        macs=sum(m.cost.macs for m in members),
        ops=sum(m.cost.ops for m in members),
        layers=len(members),
        rf=rf,
    )


def input_row(report: Report) -> Row:
    return Row(
        name="input",
        type="input",
        hyper="",
        output=str(report.input),
        activations=report.input.numel,
        weights=0,
        biases=0,
        buffers=0,
        macs=0,
        ops=0,
        layers=0,
        rf=INPUT_FIELD,
    )


def rows(report: Report, depth: int | None = None) -> list[Row]:
    """One row per layer, or with block instances nested deeper than ``depth`` collapsed into one
    row each (``depth=0``: top-level items only). The input is the first row."""
    out = [input_row(report)]
    fields = receptive_fields(report.graph, report.layers)
    group: list[LayerResult] = []
    group_key: tuple[str, str] | None = None
    for result in report.layers:
        scope = result.node.scope
        key = scope[depth] if depth is not None and len(scope) > depth else None
        if group and key != group_key:
            assert group_key is not None
            out.append(
                _group_row(group_key[0], group_key[1], group, fields.get(group[-1].node.name))
            )
            group = []
        if key is None:
            out.append(_layer_row(result, fields.get(result.node.name)))
        else:
            group.append(result)
        group_key = key
    if group and group_key is not None:
        out.append(_group_row(group_key[0], group_key[1], group, fields.get(group[-1].node.name)))
    return out


def rf_text(rf: Field | None) -> tuple[str, str, str]:
    """Size, jump and start of a receptive field as printed: ``195``, ``32``, ``16``; an axis pair
    ``HxW`` when height and width differ; empty when the field is unknown."""
    if rf is None:
        return "", "", ""
    return _pair(rf.size, exact_text), _pair(rf.jump, exact_text), _pair(rf.twice_start, half_text)


def _pair(values: ExactPair, text: Callable[[Exact], str]) -> str:
    """Both axes printed exactly by ``text`` (16, 16.5, 1/3: cnncalc/exact.py), once if equal."""
    h, w = text(values[0]), text(values[1])
    return h if h == w else f"{h}x{w}"


def count(n: int) -> str:
    """``138,357,544``."""
    return f"{n:,}"


def human(n: float, unit: str = "") -> str:
    """``138.4 M``, ``15.47 G``: three significant digits or so, SI prefixes."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= factor:
            value = n / factor
            digits = 2 if value < 100 else 1
            return f"{value:.{digits}f} {prefix}{unit}"
    return f"{n:g} {unit}".rstrip()


def size(n_bytes: int) -> str:
    """Bytes in decimal units: ``553.4 MB``."""
    return human(n_bytes, "B") if n_bytes >= 1000 else f"{n_bytes} B"
