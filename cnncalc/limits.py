"""Budgets a spec must keep: the spec's ``budget:`` key and ``check --max-params/--max-macs``.

One :class:`Limit` is one figure and its bound, wherever it was written; :func:`breach` measures it
on a report and gives E401 with the measured figure beside the limit, at the line the limit was
written on (the spec's first line for a command-line limit). The figures:

``params``
    ``Totals.params``, at most ``max``.
``macs``
    The MACs under the preset ``count`` (:mod:`cnncalc.counting`, default ``torchvision``).
``peak_memory``
    The liveness peak of a forward pass in bytes, ``elements * batch * dtype bytes``
    (:func:`cnncalc.memory.inference_peak`; weights not included), default batch 1, float32.
``training_memory``
    One training step in bytes (:func:`cnncalc.memory.training_memory`: float32 weights, gradients,
    optimizer state and buffers, the saved activations at ``dtype``; ``mixed`` is float16
    activations), default batch 1, ``adam``, float32.
``receptive_field``
    The receptive field at ``layer`` (the last layer of a block instance for the instance's name),
    the smaller of its height and width, at least ``min`` pixels.

Sizes are whole numbers with an optional SI suffix (:func:`quantity`), the same text the command
line takes.
"""

from __future__ import annotations

import re

from cnncalc.counting import Counting
from cnncalc.errors import Diagnostic, Problem, Span, did_you_mean, error
from cnncalc.memory import Optimizer
from cnncalc.metrics import Dtype
from cnncalc.records import Record, replace
from cnncalc.source import Map, Node, Scalar, describe

#: SI multipliers (powers of 1000), as ``k``, ``M``, ``G``, ``T``.
SI = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
#: The largest batch a budget may name: the command line's bound (``options.MAX_OPTION``).
MAX_BATCH = 10**7


def quantity_pattern(unit: str = "") -> str:
    """The regular expression of :func:`quantity`'s text (also the JSON Schema's): digits, an
    optional decimal part, an optional SI suffix, an optional ``unit``."""
    return f"([0-9]{{1,15}})(?:\\.([0-9]{{1,12}}))?([kKMGT]?)(?:{re.escape(unit)})?"


def quantity(text: str, unit: str = "") -> int:
    """A whole number with an optional SI suffix, in ASCII: ``24GB``, ``5M``, ``600M``, ``1.5G``
    (a decimal part only as far as the suffix makes it whole); ``unit`` is the optional trailing
    letter (``B`` for bytes). ``ValueError`` says why any other text is not one."""
    found = re.fullmatch(quantity_pattern(unit), text.strip())
    if found is None:
        example = f"24G{unit} or 5M{unit}" if unit else "24G or 5M"
        raise ValueError(f"is not a number with an optional SI suffix (k, M, G, T), e.g. {example}")
    whole, fraction, suffix = str(found[1]), str(found[2] or ""), str(found[3])
    scaled = int(whole + fraction) * SI[suffix]
    decimals: int = 10 ** len(fraction)
    if scaled % decimals:
        raise ValueError("is not a whole number")
    return scaled // decimals


#: Each budget figure: its label in messages, the bound's key, the unit its sizes may end in, and
#: the keys its mapping may hold besides the bound.
FIGURES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "params": ("params", "max", "", ()),
    "macs": ("MACs", "max", "", ("count",)),
    "peak_memory": ("peak memory", "max", "B", ("batch", "dtype")),
    "training_memory": ("training memory", "max", "B", ("batch", "dtype", "optimizer")),
    "receptive_field": ("receptive field", "min", "", ("layer",)),
}


class Limit(Record, kw_only=True):
    """A bound on one figure (a key of :data:`FIGURES`): at most ``bound`` (``receptive_field``:
    at least), written at ``span`` as ``written`` (``budget: params`` or ``--max-params``)."""

    figure: str
    bound: int
    span: Span
    written: str
    count: Counting = Counting.TORCHVISION
    batch: int = 1
    dtype: Dtype = Dtype.FLOAT32
    optimizer: Optimizer = Optimizer.ADAM
    layer: str = ""

    def condition(self) -> str:
        """How the figure is measured, in words: ``(counted as fvcore)``, ``(batch 8, float16)``."""
        if self.figure == "macs":
            return f" (counted as {self.count.value})"
        if self.figure == "peak_memory":
            return f" (batch {self.batch:,}, {self.dtype.value})"
        if self.figure == "training_memory":
            return f" (batch {self.batch:,}, {self.optimizer.value}, {self.dtype.value})"
        if self.figure == "receptive_field":
            return f" at '{self.layer}'"
        return ""


def read_budget(node: Node) -> tuple[tuple[Limit, ...], list[Diagnostic]]:
    """The limits of a spec's ``budget:`` mapping, and a problem for each malformed entry (E101
    an unknown key, E103 a value of the wrong type, E104 a value out of range, E105 a bound
    missing), located at the entry."""
    if not isinstance(node, Map):
        problem = error(
            "E103",
            f"'budget' must be a mapping of figures to limits, not {describe(node)}",
            node.span,
            "e.g. 'budget: {params: 5M, macs: {max: 600M, count: fvcore}}'",
        )
        return (), [problem]
    limits: list[Limit] = []
    problems: list[Diagnostic] = []
    for figure, entry in node.entries.items():
        where = node.keys[figure]
        if figure not in FIGURES:
            problems.append(
                error(
                    "E101",
                    f"unknown budget figure '{figure}'",
                    where,
                    did_you_mean(figure, FIGURES),
                )
            )
            continue
        try:
            limits.append(_limit(figure, entry, where))
        except Problem as problem:
            problems.append(problem.diagnostic())
    return tuple(limits), problems


def _limit(figure: str, entry: Node, where: Span) -> Limit:
    label, bound_key, unit, extra = FIGURES[figure]
    settings: dict[str, Node] = {bound_key: entry}
    if isinstance(entry, Map):
        for key, span in entry.keys.items():
            if key != bound_key and key not in extra:
                allowed = (bound_key, *extra)
                raise Problem(
                    "E101",
                    f"unknown key '{key}' in budget '{figure}'",
                    did_you_mean(key, allowed),
                    span,
                )
        settings = dict(entry.entries)
        if bound_key not in settings:
            raise Problem(
                "E105",
                f"budget '{figure}' has no '{bound_key}'",
                f"add '{bound_key}:' with the {label}'s limit",
                entry.span,
            )
    if figure == "receptive_field" and "layer" not in settings:
        raise Problem(
            "E105",
            "budget 'receptive_field' names no 'layer'",
            "e.g. 'receptive_field: {layer: layer4, min: 400}'",
            entry.span,
        )
    found = Limit(
        figure=figure,
        bound=_size(settings[bound_key], f"budget '{figure}' {bound_key}", unit),
        span=where,
        written=f"budget: {figure}",
    )
    if "batch" in settings:
        found = replace(found, batch=_batch(settings["batch"], figure))
    if "count" in settings:
        found = replace(found, count=Counting(_name(settings, "count", figure)))
    if "optimizer" in settings:
        found = replace(found, optimizer=Optimizer(_name(settings, "optimizer", figure)))
    if "dtype" in settings:
        found = replace(found, dtype=_dtype(_name(settings, "dtype", figure)))
    if "layer" in settings:
        found = replace(found, layer=_name(settings, "layer", figure))
    return found


def _name(settings: dict[str, Node], key: str, figure: str) -> str:
    """The text of ``settings[key]``, which must be one of :func:`_hint`'s names (E103 when it is
    not text, E104 when it names none)."""
    node = settings[key]
    if not isinstance(node, Scalar) or not isinstance(node.value, str):
        raise Problem(
            "E103",
            f"budget '{figure}' {key} must be a name, not {describe(node)}",
            _hint(key),
            node.span,
        )
    text = node.value
    try:
        if key == "count":
            Counting(text)
        elif key == "optimizer":
            Optimizer(text)
        elif key == "dtype":
            _dtype(text)
    except ValueError:
        raise Problem(
            "E104", f"budget '{figure}' {key} '{text}' is unknown", _hint(key), node.span
        ) from None
    return text


def _hint(key: str) -> str:
    names = {
        "count": [c.value for c in Counting],
        "optimizer": [o.value for o in Optimizer],
        "dtype": [*(d.value for d in Dtype), "mixed"],
        "layer": ["a layer's name"],
    }[key]
    return "one of " + ", ".join(names)


def _dtype(text: str) -> Dtype:
    """A dtype by any usual spelling, or ``mixed``: float16 activations against float32 weights,
    which is what :func:`cnncalc.memory.training_memory` counts for float16."""
    return Dtype.FLOAT16 if text.strip().lower() == "mixed" else Dtype.parse(text)


def _size(node: Node, what: str, unit: str) -> int:
    """A whole number (``5000000``) or SI text (``5M``, ``50MB``) at ``node``."""
    if (
        isinstance(node, Scalar)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    ):
        if node.value < 0:
            raise Problem(
                "E104",
                f"{what} must not be negative, not {node.value}",
                "give a limit of 0 or more",
                node.span,
            )
        return node.value
    if isinstance(node, Scalar) and isinstance(node.value, str):
        try:
            return quantity(node.value, unit)
        except ValueError as exc:
            raise Problem(
                "E103", f"{what} '{node.value}' {exc}", "write a whole number, e.g. 5M", node.span
            ) from None
    raise Problem(
        "E103",
        f"{what} must be a number such as 5M, not {describe(node)}",
        "write a whole number, e.g. 5M",
        node.span,
    )


def _batch(node: Node, figure: str) -> int:
    value = node.value if isinstance(node, Scalar) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise Problem(
            "E103",
            f"budget '{figure}' batch must be a whole number, not {describe(node)}",
            "e.g. 'batch: 8'",
            node.span,
        )
    if not 1 <= value <= MAX_BATCH:
        raise Problem(
            "E104",
            f"budget '{figure}' batch {value:,} is not between 1 and {MAX_BATCH:,}",
            "e.g. 'batch: 8'",
            node.span,
        )
    return value
