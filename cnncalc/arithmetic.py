"""One layer worked out as the lectures work it: ``cnncalc conv``, ``pool``, ``fc`` and ``pad``.

Each function builds the real layer (the classes in :mod:`cnncalc.layers`) or calls the padding
solver (:mod:`cnncalc.padding`), so every figure is the engine's, and writes the steps in the
slides' notation: ``(32 - 5 + 2·2)/1 + 1 = 32``, ``5·5·3 + 1 = 76 params per filter``. A window
that does not fit is a :class:`Working` with ``ok`` false, the arithmetic that shows it and the
hint of E301 ("would fit with input 6 or 9, or pad 1"). The CLI prints the steps; nothing here
prints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from cnncalc.errors import Problem
from cnncalc.layers.base import Context, Layer, window_axes
from cnncalc.layers.conv import Conv
from cnncalc.layers.dense import FullyConnected
from cnncalc.layers.pool import AvgPool, MaxPool
from cnncalc.padding import Fit, dilated, fitting_paddings, padding_for_output, same_padding
from cnncalc.records import Record, field, replace
from cnncalc.shapes import (
    IMAGE_RANK,
    Axes,
    Axis,
    Padding,
    PadMode,
    Rounding,
    Shape,
    alike,
    axes_count,
    axis_words,
    both_sides,
    same_axis,
    window_axis,
)
from cnncalc.values import MAX_SIZE

#: Largest total padding ``pad`` lists (``--max-pad``; the default ``2(F - 1)`` is cut to it too):
#: each fitting padding is a line of output, and a kernel of 10^8 would otherwise ask for 10^8.
MAX_PAD = 10_000


class Working(Record):
    """A worked answer: a title, the steps as text, whether it fits, the hint when it does not, and
    the figures (for ``--format json``)."""

    title: str
    steps: tuple[str, ...]
    ok: bool = True
    #: What went wrong when it is not said by the steps (e.g. groups that do not divide the
    #: channels).
    problem: str | None = None
    hint: str | None = None
    figures: Mapping[str, object] = field(default_factory=dict)


def parse_axes(text: str, what: str) -> tuple[int, ...]:
    """``5`` (every axis), ``5x3`` (height x width) or ``3x5x5`` (depth x height x width), each
    from 1 to :data:`MAX_SIZE` in ASCII digits; ``ValueError`` otherwise. :func:`widen` fits it to
    a volume's rank."""
    parts = re.split(r"\s*[xX,]\s*", text.strip())
    if not (
        1 <= len(parts) <= 3
        and all(re.fullmatch("[0-9]{1,30}", p) and 1 <= int(p) <= MAX_SIZE for p in parts)
    ):
        raise ValueError(
            f"{what} '{text}' is not a size: write N, HxW or DxHxW with whole numbers of at least"
            " 1, e.g. 3 or 3x5"
        )
    return tuple(int(p) for p in parts)


def parse_padding(text: str, rank: int = IMAGE_RANK) -> Padding:
    """As in a spec, for a volume of ``rank`` spatial axes: ``P``, one per axis (``PH,PW``),
    before and after each axis (``TOP,BOTTOM,LEFT,RIGHT``), ``same`` or ``valid`` (ASCII digits
    only: ``str.isdigit`` also takes a Bengali ``৪`` and a superscript ``²``); ``ValueError``
    otherwise."""
    if text.strip().lower() in ("same", "valid"):
        return PadMode(text.strip().lower())
    parts = text.split(",")
    digits = all(re.fullmatch("[0-9]{1,30}", p.strip()) for p in parts)
    if not digits or len(parts) not in (1, rank, 2 * rank) or any(int(p) > MAX_SIZE for p in parts):
        forms = (
            "P, PH,PW, TOP,BOTTOM,LEFT,RIGHT"
            if rank == IMAGE_RANK
            else f"P, {rank} or {2 * rank} numbers"
        )
        raise ValueError(
            f"pad '{text}' is not a padding: write {forms} (each at most {MAX_SIZE:,}), same or"
            " valid"
        )
    values = tuple(int(p) for p in parts)
    if len(values) == 2 * rank:
        return values
    return both_sides(values * (rank // len(values)))


def widen(values: tuple[int, ...], rank: int, what: str) -> tuple[int, ...]:
    """``values`` for every spatial axis of a rank-``rank`` volume: one number for all, or one per
    axis; ``ValueError`` naming both lengths otherwise."""
    if len(values) == 1:
        return values * rank
    if len(values) != rank:
        raise ValueError(
            f"{what} has {len(values)} sizes but the volume has {axes_count(rank)}"
            f" ({', '.join(axis_words(rank))})"
        )
    return values


def _window(
    layer: Layer,
    x: Shape,
    kernel: Axes,
    stride: Axes,
    pad: Padding,
    dilation: Axes,
    rounding: Rounding,
) -> tuple[list[str], Shape | Working]:
    """The axis steps (one line for the axes that agree) and the output volume; or, when the layer
    cannot apply, a :class:`Working` that says why (its title is the caller's to set)."""
    try:
        found = window_axes(x, kernel, stride, pad, dilation, rounding)
    except Problem as exc:  # E302: the kernel is larger than the padded input
        return [], Working("", (), ok=False, problem=exc.message, hint=exc.hint)
    axes = alike(zip(axis_words(x.rank), found, strict=True))
    steps = [f"{name}: {axis.arithmetic()}{_verdict(axis, rounding)}" for name, axis in axes]
    misfits = [(name, axis) for name, axis in axes if not axis.exact]
    if misfits and rounding is Rounding.EXACT:
        fixes = "; ".join(
            f"{name} would fit with {axis.fits_nearby()}"
            for name, axis in misfits
            if axis.fits_nearby()
        )
        hint = (
            fixes + "; or " if fixes else ""
        ) + "pass --rounding floor (PyTorch) or --rounding ceil (Caffe pooling) to accept it"
        return steps, Working("", tuple(steps), ok=False, hint=hint)
    try:
        return steps, layer.infer((x,), Context(rounding=rounding))
    except Problem as exc:  # e.g. groups that do not divide the channels
        return steps, Working("", tuple(steps), ok=False, problem=exc.message, hint=exc.hint)


def _verdict(axis: Axis, rounding: Rounding) -> str:
    if axis.exact:
        return ""
    return (
        ": does not fit"
        if rounding is Rounding.EXACT
        else f", rounded by {rounding.value} to {axis.out}"
    )


def conv(x: Shape, layer: Conv, rounding: Rounding = Rounding.EXACT) -> Working:
    """A convolution of ``x``: output volume, weights and biases per filter and in all, MACs."""
    title = f"conv {layer.describe()}, {_plural(layer.filters, 'filter')}, on {x}"
    steps, out = _window(layer, x, layer.kernel, layer.stride, layer.pad, layer.dilation, rounding)
    if isinstance(out, Working):
        return replace(out, title=title)
    cost = layer.cost((x,), out)
    depth = f"({x.c}/{layer.groups})" if layer.groups > 1 else str(x.c)
    per_filter = cost.weights // out.c  # weights of one filter
    params = per_filter + cost.biases // out.c
    bias = " + 1" if layer.bias else ""
    steps += [
        f"output: {out} ({_plural(out.c, 'filter')})",
        f"each filter: {_dot(layer.kernel)}·{depth}{bias} = {params:,} params"
        + (" (+1 for the bias)" if layer.bias else ""),
        (
            f"all filters: {params:,} x {out.c} = {cost.weights + cost.biases:,} params "
            f"({_plural(cost.weights, 'weight')} + {_plural(cost.biases, 'bias', 'biases')})"
        ),
        f"MACs: {_dot((*out.spatial, out.c))} outputs x {per_filter:,} = {cost.macs:,}",
    ]
    return Working(
        title,
        tuple(steps),
        figures=_figures(x, out, cost.weights, cost.biases, cost.macs, cost.ops),
    )


def pool(x: Shape, layer: MaxPool | AvgPool, rounding: Rounding = Rounding.EXACT) -> Working:
    """A max or average pool of ``x``: output volume (channels kept), no parameters, operations."""
    title = f"{layer.kind} {layer.describe()} on {x}"
    ones = (1,) * x.rank
    steps, out = _window(layer, x, layer.kernel, layer.step, layer.pad, ones, rounding)
    if isinstance(out, Working):
        return replace(out, title=title)
    cost = layer.cost((x,), out)
    taps = math.prod(layer.kernel)
    per_output = (
        f"{_dot(layer.kernel)} - 1 = {taps - 1} comparisons"
        if isinstance(layer, MaxPool)
        else f"{_dot(layer.kernel)} = {taps} adds and divides"
    )
    steps += [
        f"output: {out} (channels kept)",
        "params: 0 (pooling is a fixed function of its input)",
        f"ops: {_dot((*out.spatial, out.c))} outputs x ({per_output}) = {cost.ops:,}",
    ]
    return Working(title, tuple(steps), figures=_figures(x, out, 0, 0, 0, cost.ops))


def fc(x: Shape, layer: FullyConnected) -> Working:
    """A fully connected layer on ``x`` (flattened first): weights, biases and MACs."""
    out = layer.infer((x,), Context())
    cost = layer.cost((x,), out)
    fan_in = x.numel
    spread = x.positions != 1
    flat = f"{_dot((*x.spatial, x.c))} = {fan_in:,}" if spread else f"{fan_in:,}"
    steps = [
        f"inputs: {flat}" + (" (flattened)" if spread else ""),
        f"output: {out}",
        f"weights: {fan_in:,} x {layer.units:,} = {cost.weights:,}",
        f"biases: {cost.biases:,}",
        f"params: {cost.weights:,} + {cost.biases:,} = {cost.weights + cost.biases:,}",
        f"MACs: {fan_in:,} x {layer.units:,} = {cost.macs:,}",
    ]
    return Working(
        f"fc {layer.units} on {x}",
        tuple(steps),
        figures=_figures(x, out, cost.weights, cost.biases, cost.macs, cost.ops),
    )


def _dot(sizes: tuple[int, ...]) -> str:
    """A product as the slides write it: ``5·5·3``."""
    return "·".join(map(str, sizes))


def _plural(n: int, one: str, many: str = "") -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _figures(
    x: Shape, out: Shape, weights: int, biases: int, macs: int, ops: int
) -> dict[str, object]:
    return {
        "input": str(x),
        "output": str(out),
        "weights": weights,
        "biases": biases,
        "params": weights + biases,
        "macs": macs,
        "ops": ops,
    }


def _fit_line(n: int, k: int, s: int, d: int, fit: Fit, same: bool = False) -> str:
    axis = (
        same_axis(n, k, s, d)
        if same
        else window_axis(n, k, s, d, fit.before, fit.after, Rounding.FLOOR)
    )
    return f"{fit}: {axis.arithmetic()}"


def _fit_dict(fit: Fit) -> dict[str, int]:
    return {"before": fit.before, "after": fit.after, "output": fit.out}


def pad(
    n: int,
    k: int,
    s: int,
    d: int = 1,
    *,
    output: int | None = None,
    same: bool = False,
    max_total: int | None = None,
) -> Working:
    """What padding fits a window of ``k`` (dilation ``d``, stride ``s``) on an input of ``n``:
    every padding up to ``max_total`` in total (default ``2(F - 1)``; both at most
    :data:`MAX_PAD`), the one for a wanted ``output``, or ``same``."""
    if max_total is not None and not 0 <= max_total <= MAX_PAD:
        raise ValueError(f"max_total must be from 0 to {MAX_PAD:,}, got {max_total:,}")
    f = dilated(k, d)
    kernel = f"kernel {k}" + (f" dilated by {d} (spans {f})" if d > 1 else "")
    title = f"input {n}, {kernel}, stride {s}"
    tf_same = same_padding(n, k, s, d)
    if same:
        return Working(
            title,
            (_same_rule(n, s, f, tf_same), _fit_line(n, k, s, d, tf_same, same=True)),
            figures={"same": _fit_dict(tf_same)},
        )
    if output is not None:
        try:
            fit = padding_for_output(n, k, s, d, output)
        except Problem as exc:
            return Working(title, (), ok=False, problem=exc.message, hint=exc.hint)
        steps = [
            f"total padding for output {output}: ({output} - 1)·{s} + {f} - {n} = {fit.total}",
            _fit_line(n, k, s, d, fit),
        ]
        if fit.before >= f:
            steps.append(
                f"caution: {fit.before} pixels of padding before is at least the kernel's {f}: the"
                " first window reads only zeros"
            )
        return Working(title, tuple(steps), figures={"output": _fit_dict(fit)})
    bound = min(2 * (f - 1), MAX_PAD) if max_total is None else max_total
    fits = fitting_paddings(n, k, s, d, bound)
    steps = [
        f"paddings up to {bound} in total that make ({n} - {f} + before + after)/{s} + 1 whole:"
    ]
    steps += [
        f"  {_fit_line(n, k, s, d, fit)}" + ("   ('same')" if fit == tf_same else "")
        for fit in fits
    ] or ["  none"]
    if fits and not any(fit.symmetric for fit in fits):
        parity = s % 2 == 0 and (n - f) % 2
        reason = (
            f": {n} - {f} + 2P is odd for every P and the stride {s} is even"
            if parity
            else f" up to {bound}"
        )
        steps.append(
            f"no symmetric padding fits{reason}; the asymmetric ones (TensorFlow 'same' style) do"
        )
    hint = (
        None
        if fits
        else "--output N gives the padding for an output of N, however large"
        if bound == MAX_PAD
        else "try a larger --max-pad, --output N, or another stride"
    )
    return Working(
        title,
        tuple(steps),
        ok=bool(fits),
        hint=hint,
        figures={"fits": [_fit_dict(fit) for fit in fits]},
    )


def pad_axes(
    sizes: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    *,
    output: tuple[int, ...] | None = None,
    **options: Any,
) -> Working:
    """:func:`pad` on every spatial axis of an input (``16x112x112``: depth, height and width),
    each of ``kernel``, ``stride``, ``dilation`` and the wanted ``output`` one number for all axes
    or one per axis (:func:`widen`; ``ValueError`` otherwise). Axes alike are solved once; a single
    one is exactly :func:`pad`."""
    rank = len(sizes)
    per_axis = list(
        zip(
            sizes,
            widen(kernel, rank, "kernel"),
            widen(stride, rank, "stride"),
            widen(dilation, rank, "dilation"),
            widen(output, rank, "output") if output else (None,) * rank,
            strict=True,
        )
    )
    groups = alike(zip(axis_words(rank), per_axis, strict=True))
    solved = [(name, pad(n, k, s, d, output=o, **options)) for name, (n, k, s, d, o) in groups]
    if len(solved) == 1:
        return solved[0][1]
    steps = tuple(
        line
        for name, working in solved
        for line in (
            f"{name}: {working.title}",
            *(f"  {step}" for step in working.steps),
            *(f"  {problem}" for problem in (working.problem,) if problem),
        )
    )
    failed = [working for _, working in solved if not working.ok]
    return Working(
        f"input {'x'.join(map(str, sizes))}",
        steps,
        ok=not failed,
        hint=failed[0].hint if failed else None,
        figures={"axes": [{"axes": name, **working.figures} for name, working in solved]},
    )


def _same_rule(n: int, s: int, f: int, fit: Fit) -> str:
    if not fit.total % 2:
        odd = ""
    elif s == 1:  # PyTorch's padding='same' exists at stride 1 only; both put the odd pixel after
        odd = ", the odd pixel after (TensorFlow, and PyTorch's padding='same')"
    else:
        odd = ", the odd pixel after"
    if s == 1:
        return f"'same' at stride 1 keeps the size: F - 1 = {fit.total} in total" + (
            odd or f", (F - 1)/2 = {fit.before} per side"
        )
    return (
        f"'same' (TensorFlow) gives ceil({n}/{s}) = {fit.out}: total padding max(({fit.out} -"
        f" 1)·{s} + {f} - {n}, 0) = {fit.total}{odd}"
    )
