"""The columns of ``show``'s table and Markdown: their names for ``--columns``, headers, how each
cell and total is written, and which give way first when a terminal is narrow
(:mod:`cnncalc.render.layout`). No rendering library here: the Markdown path stays light.

The figures are the report's (:class:`cnncalc.grouping.Row`, :class:`cnncalc.metrics.Totals`);
a column only writes them (:mod:`cnncalc.render.rows`).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from cnncalc.api import Report
from cnncalc.grouping import Row
from cnncalc.layers.base import axes_text
from cnncalc.records import Record
from cnncalc.render.rows import count, rf_text, share, size
from cnncalc.shapes import spatial_text


class Shorten(str, Enum):
    """How a text cell is shortened to fit: numbers never are."""

    #: Keep both ends (``stage1.…t1.conv``): a layer name's stage and leaf both matter.
    MIDDLE = "middle"
    #: Keep the start (``3x3/1 …``).
    END = "end"


class Column(Record, kw_only=True):
    """One column: ``key`` is its name for ``--columns``."""

    key: str
    header: str
    #: What the column holds, for ``show --help`` and docs/views.md.
    doc: str
    #: The cell of a report's row; ``None`` for a table whose cells are made elsewhere (diff's).
    cell: Callable[[Row, Report], str] | None = None
    total: Callable[[Report], str] = lambda report: ""
    #: Right-aligned and never shortened (every numeric cell).
    numeric: bool = True
    #: How a text cell may be shortened; ``None``: never.
    shorten: Shorten | None = None
    #: The narrowest a shortened cell gets (an ellipsis and a few characters).
    min_width: int = 0
    #: Order in which default columns are left out when even shortened text does not fit: the
    #: highest first (weights and biases apart before hyper-parameters, before types, before
    #: activation memory); 0 never (the layer name, the output volume, params and MACs).
    drop: int = 0


def _window(row: Row) -> tuple[str, str]:
    """Kernel and stride of a layer that has them as written (conv, pools, transposed conv:
    ``3x3``, ``2``), else of the whole-pixel window it reads (an fc layer's is its whole input, as
    for the lectures' fc-as-conv; an adaptive pool's, its longest); empty for the rest (an
    upsampling layer's window steps by fractions of a pixel: not a kernel)."""
    layer = row.layer
    if layer is None or not row.inputs:
        return "", ""
    kernel = getattr(layer, "kernel", None)
    if isinstance(kernel, tuple):
        # pools and unpooling name their stride default (the kernel) ``step``
        stride = getattr(layer, "step", None) or getattr(layer, "stride", None) or kernel
        return spatial_text(kernel), axes_text(stride)
    window = layer.window(row.inputs)
    if window is None or not all(type(v) is int for v in (*window.kernel, *window.stride)):
        return "", ""
    return spatial_text(window.kernel), axes_text(window.stride)


def _incomplete(report: Report) -> str:
    """The totals' label: a spec with an error has totals of the layers that could be inferred
    only, which must never read as the network's."""
    return "Total" if report.ok else "INCOMPLETE"


COLUMNS: tuple[Column, ...] = (
    Column(
        key="name",
        header="Layer",
        doc="layer name (a collapsed block's instance name under --depth)",
        cell=lambda row, report: row.name,
        total=_incomplete,
        numeric=False,
        shorten=Shorten.MIDDLE,
        min_width=12,
    ),
    Column(
        key="type",
        header="Type",
        doc="layer type, or the block's name for a collapsed block",
        cell=lambda row, report: row.type,
        numeric=False,
        shorten=Shorten.END,
        min_width=5,
        drop=7,
    ),
    Column(
        key="hyper",
        header="Hyper",
        doc="hyper-parameters in the lectures' shorthand (3x3/1 p1: kernel/stride padding)",
        cell=lambda row, report: row.hyper,
        numeric=False,
        shorten=Shorten.END,
        min_width=8,
        drop=9,
    ),
    Column(
        key="kernel",
        header="Kernel",
        doc="kernel (window) size of conv and pool layers",
        cell=lambda row, report: _window(row)[0],
        drop=12,
    ),
    Column(
        key="stride",
        header="Stride",
        doc="stride of conv and pool layers",
        cell=lambda row, report: _window(row)[1],
        drop=13,
    ),
    Column(
        key="input",
        header="Input",
        doc="input volume(s) HxWxC, '+' between a merge's inputs",
        cell=lambda row, report: "+".join(str(x) for x in row.inputs),
        drop=14,
    ),
    Column(
        key="output",
        header="Output",
        doc="output volume HxWxC",
        cell=lambda row, report: str(row.output),
    ),
    Column(
        key="rf",
        header="RF",
        doc="receptive field size on the input (HxW when they differ)",
        cell=lambda row, report: rf_text(row.rf)[0],
        drop=8,
    ),
    Column(
        key="jump",
        header="Jump",
        doc="receptive field jump (product of strides)",
        cell=lambda row, report: rf_text(row.rf)[1],
        drop=15,
    ),
    Column(
        key="start",
        header="Start",
        doc="centre of the first output's receptive field",
        cell=lambda row, report: rf_text(row.rf)[2],
        drop=16,
    ),
    Column(
        key="activations",
        header="Activations",
        doc="elements of new activation memory of the output (0 in place)",
        cell=lambda row, report: count(row.activations),
        total=lambda report: count(report.totals.activations),
        drop=6,
    ),
    Column(
        key="memory",
        header="Memory",
        doc="bytes of those activations per image, at --dtype",
        cell=lambda row, report: size(row.activations * report.dtype.bytes),
        total=lambda report: size(report.totals.activation_bytes),
        drop=5,
    ),
    Column(
        key="params",
        header="Params",
        doc="trainable parameters: weights + biases",
        cell=lambda row, report: count(row.params),
        total=lambda report: count(report.totals.params),
    ),
    Column(
        key="params%",
        header="Params%",
        doc="share of the total parameters",
        cell=lambda row, report: share(row.params, report.totals.params),
        total=lambda report: share(report.totals.params, report.totals.params),
        drop=11,
    ),
    Column(
        key="weights",
        header="Weights",
        doc="trainable weights (conv and fc kernels, norm scales)",
        cell=lambda row, report: count(row.weights),
        total=lambda report: count(report.totals.weights),
        drop=17,
    ),
    Column(
        key="biases",
        header="Biases",
        doc="trainable biases (and norm shifts)",
        cell=lambda row, report: count(row.biases),
        total=lambda report: count(report.totals.biases),
        drop=18,
    ),
    Column(
        key="buffers",
        header="Buffers",
        doc="non-trainable state (batch norm's running mean and variance)",
        cell=lambda row, report: count(row.buffers),
        total=lambda report: count(report.totals.buffers),
        drop=19,
    ),
    Column(
        key="macs",
        header="MACs",
        doc="multiply-accumulates of conv and fc weights",
        cell=lambda row, report: count(row.macs),
        total=lambda report: count(report.totals.macs),
    ),
    Column(
        key="macs%",
        header="MACs%",
        doc="share of the total MACs",
        cell=lambda row, report: share(row.macs, report.totals.macs),
        total=lambda report: share(report.totals.macs, report.totals.macs),
        drop=10,
    ),
    Column(
        key="ops",
        header="Other ops",
        doc="all other arithmetic per element (bias adds, norms, activations, pooling, merges)",
        cell=lambda row, report: count(row.ops),
        total=lambda report: count(report.totals.ops),
        drop=20,
    ),
)

BY_KEY = {column.key: column for column in COLUMNS}

#: ``show``'s columns when ``--columns`` is not given: what fits 80 columns for the built-ins.
DEFAULT = ("name", "type", "hyper", "output", "params", "macs")

#: What ``--rf`` adds.
RF = ("rf", "jump", "start")


def chosen(keys: tuple[str, ...] | None, rf: bool = False) -> tuple[Column, ...]:
    """The columns named by ``keys`` (default :data:`DEFAULT`), with the receptive-field columns
    after the output volume when ``rf``."""
    names = list(keys or DEFAULT)
    if rf:
        at = names.index("output") + 1 if "output" in names else len(names)
        names[at:at] = [key for key in RF if key not in names]
    return tuple(BY_KEY[key] for key in names)


def cells(report: Report, columns: tuple[Column, ...], depth: int | None) -> list[list[str]]:
    """Each row's cells, as written (not yet escaped for an output format)."""
    makers = [c.cell for c in columns]
    if None in makers:
        raise ValueError("a column without a cell maker cannot show a report's rows")
    return [[make(row, report) for make in makers if make] for row in report.rows(depth)]


def totals(report: Report, columns: tuple[Column, ...]) -> list[str]:
    return [c.total(report) for c in columns]
