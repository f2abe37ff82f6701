"""One layer worked out as the lectures work it: ``cnncalc conv``, ``pool``, ``fc`` and ``pad``.

Each function builds the real layer (the classes in :mod:`cnncalc.layers`) or calls the padding
solver (:mod:`cnncalc.padding`), so every figure is the engine's, and writes the steps in the
slides' notation: ``(32 - 5 + 2·2)/1 + 1 = 32``, ``5·5·3 + 1 = 76 params per filter``. A window
that does not fit is a :class:`Working` with ``ok`` false, the arithmetic that shows it and the
hint of E301 ("would fit with input 6 or 9, or pad 1"). The CLI prints the steps; nothing here
prints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from cnncalc.errors import Problem
from cnncalc.layers.base import Context, Layer, window_axes
from cnncalc.layers.conv import Conv
from cnncalc.layers.dense import FullyConnected
from cnncalc.layers.pool import AvgPool, MaxPool
from cnncalc.padding import Fit, dilated, fitting_paddings, padding_for_output, same_padding
from cnncalc.shapes import Axis, Padding, PadMode, Pair, Rounding, Shape, same_axis, window_axis
from cnncalc.values import MAX_SIZE

#: Largest total padding ``pad`` lists (``--max-pad``; the default ``2(F - 1)`` is cut to it too):
#: each fitting padding is a line of output, and a kernel of 10^8 would otherwise ask for 10^8.
MAX_PAD = 10_000


@dataclass(frozen=True, slots=True)
class Working:
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


def parse_pair(text: str, what: str) -> Pair:
    """``5`` or ``5x3`` (height x width), each from 1 to :data:`MAX_SIZE` in ASCII digits;
    ``ValueError`` otherwise."""
    match = re.fullmatch(r"\s*([0-9]{1,30})\s*(?:[xX,]\s*([0-9]{1,30})\s*)?", text)
    if not match or not all(1 <= int(g) <= MAX_SIZE for g in match.groups() if g is not None):
        raise ValueError(
            f"{what} '{text}' is not a size: write N or HxW with whole numbers of at least 1, e.g."
            " 3 or 3x5"
        )
    h = int(match.group(1))
    return h, int(match.group(2) or h)


def parse_padding(text: str) -> Padding:
    """As in a spec: ``P``, ``PH,PW``, ``TOP,BOTTOM,LEFT,RIGHT``, ``same`` or ``valid`` (ASCII
    digits only: ``str.isdigit`` also takes a Bengali ``৪`` and a superscript ``²``)."""
    if text.strip().lower() in ("same", "valid"):
        return PadMode(text.strip().lower())
    parts = text.split(",")
    digits = all(re.fullmatch("[0-9]{1,30}", p.strip()) for p in parts)
    if not digits or len(parts) not in (1, 2, 4) or any(int(p) > MAX_SIZE for p in parts):
        raise ValueError(
            f"pad '{text}' is not a padding: write P, PH,PW, TOP,BOTTOM,LEFT,RIGHT (each at most"
            f" {MAX_SIZE:,}), same or valid"
        )
    values = [int(p) for p in parts]
    if len(values) == 1:
        return (values[0],) * 4
    if len(values) == 2:
        return (values[0], values[0], values[1], values[1])
    return (values[0], values[1], values[2], values[3])


def _window(
    layer: Layer,
    x: Shape,
    kernel: Pair,
    stride: Pair,
    pad: Padding,
    dilation: Pair,
    rounding: Rounding,
) -> tuple[list[str], Shape | Working]:
    """The axis steps (one line for both axes when they agree) and the output volume; or, when
    the layer cannot apply, a :class:`Working` that says why (its title is the caller's to set)."""
    try:
        height, width = window_axes(x, kernel, stride, pad, dilation, rounding)
    except Problem as exc:  # E302: the kernel is larger than the padded input
        return [], Working("", (), ok=False, problem=exc.message, hint=exc.hint)
    axes = (
        [("height and width", height)]
        if height == width
        else [("height", height), ("width", width)]
    )
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
    kh, kw = layer.kernel
    depth = f"({x.c}/{layer.groups})" if layer.groups > 1 else str(x.c)
    per_filter = cost.weights // out.c  # weights of one filter
    params = per_filter + cost.biases // out.c
    bias = " + 1" if layer.bias else ""
    steps += [
        f"output: {out.h}x{out.w}x{out.c} ({_plural(out.c, 'filter')})",
        f"each filter: {kh}·{kw}·{depth}{bias} = {params:,} params"
        + (" (+1 for the bias)" if layer.bias else ""),
        (
            f"all filters: {params:,} x {out.c} = {cost.weights + cost.biases:,} params "
            f"({_plural(cost.weights, 'weight')} + {_plural(cost.biases, 'bias', 'biases')})"
        ),
        f"MACs: {out.h}·{out.w}·{out.c} outputs x {per_filter:,} = {cost.macs:,}",
    ]
    return Working(
        title,
        tuple(steps),
        figures=_figures(x, out, cost.weights, cost.biases, cost.macs, cost.ops),
    )


def pool(x: Shape, layer: MaxPool | AvgPool, rounding: Rounding = Rounding.EXACT) -> Working:
    """A max or average pool of ``x``: output volume (channels kept), no parameters, operations."""
    title = f"{layer.kind} {layer.describe()} on {x}"
    steps, out = _window(layer, x, layer.kernel, layer.step, layer.pad, (1, 1), rounding)
    if isinstance(out, Working):
        return replace(out, title=title)
    cost = layer.cost((x,), out)
    kh, kw = layer.kernel
    per_output = (
        f"{kh}·{kw} - 1 = {kh * kw - 1} comparisons"
        if isinstance(layer, MaxPool)
        else f"{kh}·{kw} = {kh * kw} adds and divides"
    )
    steps += [
        f"output: {out.h}x{out.w}x{out.c} (channels kept)",
        "params: 0 (pooling is a fixed function of its input)",
        f"ops: {out.h}·{out.w}·{out.c} outputs x ({per_output}) = {cost.ops:,}",
    ]
    return Working(title, tuple(steps), figures=_figures(x, out, 0, 0, 0, cost.ops))


def fc(x: Shape, layer: FullyConnected) -> Working:
    """A fully connected layer on ``x`` (flattened first): weights, biases and MACs."""
    out = layer.infer((x,), Context())
    cost = layer.cost((x,), out)
    fan_in = x.numel
    flat = f"{x.h}·{x.w}·{x.c} = {fan_in:,}" if (x.h, x.w) != (1, 1) else f"{fan_in:,}"
    steps = [
        f"inputs: {flat}" + (" (flattened)" if (x.h, x.w) != (1, 1) else ""),
        f"output: 1x1x{layer.units}",
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
